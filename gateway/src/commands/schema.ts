/**
 * The `commands:` block and the command request a platform sends. Commands are off until the
 * configuration allows some: a gateway in the field accepts exactly what its operator listed.
 */
import { duration, ID_PATTERN } from '@sensegate/sdk';
import { z } from 'zod';

const PATTERN = /^[A-Za-z0-9_.:*-]+([:/][A-Za-z0-9_.:*-]+)$/;

export const commandsConfigSchema = z
  .object({
    allow: z
      .array(
        z
          .string()
          .regex(PATTERN, 'a `device:command` or `device/point` pattern, `*` matching any characters, e.g. `cam-*:ptz.*` or `pump-1/setpoint`'),
      )
      .default([])
      .describe(
        'What the platform may ask for: `device:command` for driver commands (`cam-1:ptz.*`) and `device/point` for writes (`pump-1/setpoint`, and the point must be `writable`). `*` matches any characters. Empty: no commands are accepted.',
      ),
    timeout: duration('Longest a command may take before it fails with SG_REQUEST_TIMEOUT; a request may ask for less.').default(10_000),
  })
  .strict()
  .describe('Commands from the platform (MQTT topic `<topicPrefix>/<gateway>/commands`, answered on `.../commands/ack`); see docs/commands.md.');

export type CommandsConfig = z.output<typeof commandsConfigSchema>;

const valueSchema: z.ZodType<unknown> = z.union([z.number(), z.boolean(), z.string(), z.null(), z.array(z.lazy(() => valueSchema))]);

/** One command request, as it arrives on the commands topic. */
export const commandRequestSchema = z
  .object({
    id: z.string().min(1).max(128).describe('Chosen by the sender; the acknowledgement carries it back.'),
    device: z.string().regex(ID_PATTERN, 'a device id'),
    command: z.string().min(1).max(128).optional(),
    args: z.record(z.string(), z.unknown()).optional(),
    point: z.string().regex(ID_PATTERN, 'a point id').optional(),
    value: valueSchema.optional(),
    timeout: z.number().int().positive().optional(),
  })
  .strict()
  .refine((r) => (r.command === undefined) !== (r.point === undefined), 'give either `command` (with `args`) or `point` (with `value`), not both')
  .refine((r) => r.point === undefined || r.value !== undefined, 'a write (`point`) needs a `value`');

export type CommandRequest = z.output<typeof commandRequestSchema>;

/** The acknowledgement published for every request, also for refused ones. */
export interface CommandAck {
  v: 1;
  type: 'ack';
  gateway: string;
  /** The request's id; absent only when the request was not even JSON with an id. */
  id?: string;
  device?: string;
  command?: string;
  point?: string;
  ok: boolean;
  /** What the driver returned (a preset token, say). */
  result?: unknown;
  error?: { code: string; message: string; retryable: boolean };
  /** When the request arrived, and how long it took, ms. */
  ts: number;
  took: number;
}

/** True when `text` matches a pattern of the allow-list, `*` standing for any characters. */
export function allowed(patterns: readonly string[], text: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.split('*').map(escape).join('.*')}$`).test(text));
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
}
