/**
 * The `commands:` block and the command request a platform sends. Commands are off until the
 * configuration allows some: a gateway in the field accepts exactly what its operator listed.
 */
import { byteSize, duration, ID_PATTERN } from '@sensegate/sdk';
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
    maxRequestBytes: byteSize('Largest request accepted; a larger one is refused unread (its size and sha256 are audited).')
      .pipe(z.number().min(1024).max(1024 * 1024))
      .default(64 * 1024),
    duplicateWindow: duration(
      'A request whose `id` was answered within this window is answered again with the first answer (marked `duplicate`) and not run again.',
    )
      .pipe(z.number().min(0).max(86_400_000))
      .default(600_000),
    maxAge: duration(
      'A request carrying `ts` (when the platform sent it) older than this is refused as stale; `expires` in a request sets its own limit.',
    )
      .pipe(z.number().min(1000))
      .default(300_000),
    rate: z
      .number()
      .positive()
      .max(10_000)
      .default(20)
      .describe('Requests per second accepted on average (bursts of twice as many); beyond, requests are refused as retryable without reaching a device.'),
    maxInFlight: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(16)
      .describe('Requests running at once; beyond, new ones are refused as retryable until one finishes.'),
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
    ts: z.number().int().positive().optional().describe('When the platform sent the request, ms since the epoch; refused when older than `commands.maxAge`.'),
    expires: z.number().int().positive().optional().describe('When the request stops being valid, ms since the epoch; refused after it.'),
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
  /** The request's id was answered before, within `commands.duplicateWindow`: this is that answer again, and nothing ran. */
  duplicate?: true;
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
