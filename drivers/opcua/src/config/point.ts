/**
 * An OPC UA point: the node to read, how (subscribed or polled), and the monitored item's
 * sampling, queue and deadband.
 */
import { duration } from '@sensegate/sdk';
import { z } from 'zod';
import { parseNodeId } from '../node-id.js';

export const pointShape = {
  nodeId: z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
      const problem = parseNodeId(text).problem;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(
      'Node to read: `nsu=<namespace URI>;s=<name>` (recommended: it survives a server that reorders its namespaces), `ns=<index>;s=<name>`, or with `i=`, `g=`, `b=` identifiers, e.g. `nsu=urn:plant;s=Pump1.Speed`, `i=2258`.',
    ),
  mode: z
    .enum(['subscribe', 'poll'])
    .default('subscribe')
    .describe('`subscribe`: a monitored item in the device\'s subscription sends each change (default). `poll`: read at the point\'s (or device\'s) pollInterval.'),
  samplingInterval: duration('How often the server samples this point (subscribe mode); default: the device\'s samplingInterval.').optional(),
  queueSize: z.number().int().min(1).max(10_000).optional().describe('Changes kept between publishes (subscribe mode); default: the device\'s queueSize.'),
  deadband: z
    .union([
      z.object({ absolute: z.number().positive().describe('Report a change only when the value moves by more than this.') }).strict(),
      z
        .object({ percent: z.number().positive().max(100).describe('Report a change only when the value moves by more than this percentage of the node\'s EURange.') })
        .strict(),
    ])
    .optional()
    .describe('Data-change deadband applied by the server (subscribe mode, numeric nodes): `{ absolute: 0.5 }` or `{ percent: 1 }`.'),
  timestamp: z
    .enum(['source', 'server'])
    .default('source')
    .describe('Which timestamp becomes the reading\'s `ts`: the source timestamp (default; the server timestamp when the source gives none), or the server timestamp.'),
  staleAfter: duration('Data-age watchdog for this point; default: the device\'s staleAfter. 0 turns it off for this point.').optional(),
};

export const pointSchema = z.object(pointShape).strict();

export type OpcuaPointFields = z.output<typeof pointSchema>;
