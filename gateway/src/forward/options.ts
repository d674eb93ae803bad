/**
 * Delivery settings every sink type shares: how entries are batched into messages, how many
 * messages may await acknowledgement, and how fast a backlog is replayed after an outage.
 */
import { duration } from '@sensegate/sdk';
import { z } from 'zod';

export const batchSchema = z
  .object({
    maxEntries: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe('Most readings (or events) in one message.'),
    maxDelay: duration(
      'Extra time a live message waits to fill up before it is sent, on top of the journal\'s commit interval. 0 sends what each commit brings at once.',
    )
      .pipe(z.number().min(0).max(60_000))
      .default(0),
  })
  .strict()
  .describe('How entries are grouped into messages.');

export const replaySchema = z
  .object({
    rate: z
      .number()
      .positive()
      .default(10_000)
      .describe('Readings per second at most when the backlog is replayed after an outage or a restart; keep it below what the uplink carries beside live data.'),
    share: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe('Fraction of the in-flight window replayed messages may take, so live messages always find room.'),
  })
  .strict()
  .describe('Replay of the backlog: oldest first, marked `historical`, behind live data.');

export const forwardOptionsShape = {
  batch: batchSchema.default({ maxEntries: 1000, maxDelay: 0 }),
  inFlight: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(32)
    .describe('Most messages sent and not yet acknowledged by the endpoint (the in-flight window).'),
  replay: replaySchema.default({ rate: 10_000, share: 0.5 }),
};

export const forwardOptionsSchema = z.object(forwardOptionsShape).strict();
export type ForwardOptions = z.output<typeof forwardOptionsSchema>;
