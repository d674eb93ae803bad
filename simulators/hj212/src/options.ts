/**
 * The options of a simulated station, as one zod schema: it validates what a test or the CLI
 * passes, fills the defaults, and documents every field.
 */
import { z } from 'zod';
import { SensegateError, backoffSchema, describeZodError, duration, formatPath, isTimeZone } from '@sensegate/sdk';
import { generatorSchema } from '@sensegate/sdk/simulate';

const HOUR = 3_600_000;

/** Characters that would break a data segment (`;` `,` `=` `&` separate its fields). */
const SEGMENT_SAFE = /^[^;,=&\r\n]+$/;

export const stationFields = {
  host: z.string().min(1).default('127.0.0.1').describe('Address of the platform (the sensegate gateway) the station dials.'),
  port: z.number().int().min(1).max(65535).describe('TCP port of the platform.'),
  kind: z.enum(['air', 'water']).default('air').describe('What the station measures: an air-quality or a surface-water-quality station.'),
  password: z.string().regex(SEGMENT_SAFE, 'no ; , = & or line breaks').max(32).default('123456').describe('Access password (PW) sent in every frame; 6 characters in HJ 212-2017.'),
  st: z.string().regex(/^\d{2}$/, 'two digits').optional().describe('System code (ST); default 22 for air, 21 for water.'),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone (Asia/Shanghai), UTC, or an offset such as +08:00').default('Asia/Shanghai').describe('Time zone of QN, DataTime and the period boundaries.'),
  realtimeInterval: duration('Real-time data (CN 2011) interval, at least 1s (DataTime has whole seconds); the platform may change it with CN 1062.')
    .default(30_000)
    .refine((ms) => ms >= 1000, 'at least 1s'),
  minuteInterval: duration('Minute data (CN 2051) period: whole minutes dividing an hour.')
    .default(600_000)
    .refine((ms) => ms >= 60_000 && ms % 60_000 === 0 && HOUR % ms === 0, 'whole minutes that divide an hour (1m, 5m, 10m, 15m, 30m, 60m)'),
  hourly: z.boolean().default(true).describe('Send hour data (CN 2061) at each hour.'),
  daily: z.boolean().default(false).describe('Send daily data (CN 2031) at each local midnight.'),
  ack: z.boolean().default(false).describe('Ask for acknowledgement (Flag=5): expect 9014 for every data frame and resend unacknowledged ones.'),
  ackTimeout: duration('Real time to wait for a 9014 before sending the frame again.')
    .default(5_000)
    .refine((ms) => ms >= 10, 'at least 10ms'),
  ackRetries: z.number().int().min(0).max(10).default(3).describe('Times a data frame is sent again before it is given up.'),
  reconnect: backoffSchema.default({ initialDelay: 500, maxDelay: 30_000 }),
  connectTimeout: duration('Give up a connection attempt after this long (then back off and retry).')
    .default(10_000)
    .refine((ms) => ms >= 10, 'at least 10ms'),
  timeScale: z.number().positive().max(100_000).default(1).describe('Station time runs this many times faster than real time (600: an hour in 6 s). Intervals are station time.'),
  startTime: z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const ms = typeof v === 'number' ? v : Date.parse(v);
      if (!Number.isFinite(ms)) ctx.addIssue({ code: 'custom', message: `not a time: ${String(v)}` });
      return ms;
    })
    .describe('Station clock at start (epoch ms or ISO 8601); default: now.'),
  seed: z.number().int().min(0).default(1).describe('Seed of the random walks: the same seed gives the same values.'),
  parameters: z.array(z.string().regex(/^[a-zA-Z0-9]{3,8}$/)).min(1).optional().describe('Pollutant codes to send, in order (default: every parameter of the kind).'),
  simulate: z.record(z.string(), generatorSchema).optional().describe('Generators by pollutant code, replacing the defaults or adding parameters.'),
  flags: z.record(z.string(), z.string().regex(/^[A-Za-z]$/)).optional().describe('Initial data flag by pollutant code (default N).'),
};

export const stationOptionsSchema = z
  .object({
    ...stationFields,
    mn: z.string().regex(/^[0-9A-Za-z]{1,24}$/, 'letters and digits, at most 24 (24 in HJ 212-2017)').describe('Station id (MN).'),
  })
  .strict();

export const stationGroupSchema = z
  .object({
    ...stationFields,
    count: z.number().int().min(1).max(100_000).describe('Number of stations, each with its own connection.'),
    mnPrefix: z.string().regex(/^[0-9A-Za-z]{0,23}$/).default('SGSIM').describe('MN of station i is the prefix padded with zeros to 24 characters ending in i (from 1).'),
    spread: z.boolean().default(true).describe('Spread the stations\' real-time frames over the interval instead of sending them all at once.'),
  })
  .strict();

export type StationSettings = z.output<typeof stationOptionsSchema>;
export type StationGroupSettings = z.output<typeof stationGroupSchema>;

/** MN prefix of the CLI's stations: SGSIMAIR / SGSIMWATER. */
export const defaultMnPrefix = (kind: 'air' | 'water'): string => `SGSIM${kind.toUpperCase()}`;

/** MN of station `index` (1-based) of a group: the prefix, zeros, the index; 24 characters. */
export function groupMn(prefix: string, index: number): string {
  const digits = String(index);
  return prefix + digits.padStart(24 - prefix.length, '0');
}

/**
 * Validates options with `schema`; throws SG_CONFIG_INVALID naming every wrong field
 * (`minuteInterval: whole minutes that divide an hour`).
 */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = describeZodError(parsed.error).map((p) => `${formatPath(p.path)}: ${p.message}`);
  throw new SensegateError('SG_CONFIG_INVALID', `${what}: ${problems.join('; ')}`);
}
