/**
 * Configuration building blocks shared by every driver and the gateway. The zod schemas are the
 * single source of truth: they validate the YAML file, give the TypeScript types and generate the
 * JSON Schema and the configuration reference. Every field carries a description.
 */
import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `250ms`, `1s`, `1.5m`, `2h`, `7d`, or a number of milliseconds. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const m = DURATION.exec(input.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

/** A duration field: a number of milliseconds or a string such as `500ms`, `10s`, `5m`, `24h`, `7d`. */
export function duration(description: string) {
  return z
    .union([z.number().nonnegative(), z.string().regex(DURATION, 'a duration such as 500ms, 10s, 5m, 24h or 7d')])
    .transform((v) => parseDuration(v)!)
    .describe(description);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)$/i;
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
};

/** Parses `512MiB`, `2GB`, `100kB`, or a number of bytes. */
export function parseByteSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const m = SIZE.exec(input.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_BYTES[m[2]!.toLowerCase()]!);
}

/** A size field: a number of bytes or a string such as `64MiB`, `2GB`. */
export function byteSize(description: string) {
  return z
    .union([z.number().int().nonnegative(), z.string().regex(SIZE, 'a size such as 500MB, 2GiB or 100KiB')])
    .transform((v) => parseByteSize(v)!)
    .describe(description);
}

/** Ids travel in MQTT topics and JSON keys: no wildcards, separators or spaces. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export function identifier(description: string) {
  return z
    .string()
    .regex(ID_PATTERN, 'letters, digits, and _ . : - (starting with a letter or digit, at most 128 characters)')
    .describe(description);
}

/** Reconnect policy, shared by every connection-oriented driver and sink. */
export const backoffSchema = z
  .object({
    initialDelay: duration('Delay before the first reconnect attempt.').default(500),
    maxDelay: duration('Upper bound of the delay between attempts; the delay doubles up to it, with jitter.').default(30_000),
  })
  .strict()
  .describe('Reconnect with exponential backoff and jitter.');
export type BackoffSettings = z.output<typeof backoffSchema>;

/** Whether the gateway reads a point, writes it, or both. */
export const POINT_DIRECTIONS = ['read', 'write', 'readwrite'] as const;
export type PointDirection = (typeof POINT_DIRECTIONS)[number];

/** Fields every point has, whatever its driver. Drivers add their own (address, node id, ...). */
export const basePointShape = {
  id: identifier('Point id, unique within its device; appears in every reading.'),
  name: z.string().optional().describe('Human-readable name, shown in the birth message and the console.'),
  description: z.string().optional().describe('Free text for operators.'),
  unit: z.string().optional().describe('Engineering unit after scaling, e.g. `mg/L`, `m3/h`, `degC`, `pH`.'),
  scale: z.number().default(1).describe('Multiplier applied to numeric values: value = raw * scale + offset.'),
  offset: z.number().default(0).describe('Added after scaling: value = raw * scale + offset.'),
  decimals: z
    .number()
    .int()
    .min(0)
    .max(15)
    .optional()
    .describe('Round scaled numeric values to this many decimal places (removes float noise such as 7.199999).'),
  pollInterval: duration('Poll this point at its own rate instead of the device\'s `pollInterval`.').optional(),
  writable: z
    .boolean()
    .optional()
    .describe('Allow writes to this point through commands. Default: true when `direction` is `write` or `readwrite`, else false.'),
  direction: z
    .enum(POINT_DIRECTIONS)
    .optional()
    .describe(
      'What the gateway does with the point: `read` (polled or pushed, never written), `write` (written through commands, never read: a relay that cannot be read back) or `readwrite`. Default: `readwrite` with `writable: true`, else `read`; a driver may default its own kind of point otherwise (an HJ 212 `command` point is `write`).',
    ),
  enabled: z.boolean().default(true).describe('Set to false to keep the definition but stop reading the point.'),
} as const;

export const basePointSchema = z.object(basePointShape).strict();
/** The generic fields of a point once validated: `writable` and `direction` settled by `pointAccess`. */
export type BasePoint = Omit<z.output<typeof basePointSchema>, 'writable' | 'direction'> & {
  writable: boolean;
  direction: PointDirection;
};

/**
 * Settles `writable` and `direction` of a point as written: either may be left out, and the other
 * decides. Returns the problem, naming the field and what to write instead, when they contradict.
 * `driverDefault` is the direction the point's driver gives it when `direction` is left out (a
 * command point is `write`); it applies unless `writable` says otherwise.
 */
export function pointAccess(
  point: {
    writable?: boolean | undefined;
    direction?: PointDirection | undefined;
  },
  driverDefault?: PointDirection,
): { writable: boolean; direction: PointDirection } | { problem: { path: 'writable'; message: string } } {
  const { writable, direction } = point;
  if (direction === undefined) {
    if (driverDefault !== undefined && (writable === undefined || writable === (driverDefault !== 'read'))) {
      return { writable: driverDefault !== 'read', direction: driverDefault };
    }
    return { writable: writable === true, direction: writable === true ? 'readwrite' : 'read' };
  }
  const writes = direction !== 'read';
  if (writable === undefined || writable === writes) return { writable: writes, direction };
  const message =
    direction === 'read'
      ? '`writable: true` contradicts `direction: read`: write `direction: readwrite` to read and write the point (and leave `writable` out)'
      : `\`writable: false\` contradicts \`direction: ${direction}\`: leave \`writable\` out (a ${direction} point is writable), or write \`direction: read\``;
  return { problem: { path: 'writable', message } };
}

/** Whether the gateway reads a point (polls it, or takes values pushed for it). */
export const isReadPoint = (spec: { direction?: PointDirection | undefined }): boolean => spec.direction !== 'write';

/** Fields every device has, whatever its driver. */
export const baseDeviceShape = {
  id: identifier('Device id, unique in the gateway; appears in every reading.'),
  name: z.string().optional().describe('Human-readable name, shown in the birth message and the console.'),
  description: z.string().optional().describe('Free text for operators.'),
  driver: z
    .string()
    .min(1)
    .describe('Built-in driver name (`modbus`) or the npm package name of a third-party driver.'),
  enabled: z.boolean().default(true).describe('Set to false to keep the definition but not start the device.'),
  pollInterval: duration('How often polled drivers read the device\'s points (fixed rate, no drift).').default(1000),
  timeout: duration('How long one request to the device may take before it counts as failed.').default(1000),
  reconnect: backoffSchema.default({ initialDelay: 500, maxDelay: 30_000 }),
  profile: z
    .string()
    .optional()
    .describe('Name of a device profile shipped with the driver, or a path to a profile YAML file; its points come first, `points` add to or override them by id.'),
  tags: z
    .record(z.string(), z.string())
    .optional()
    .describe('Free key/value metadata (site, location, asset number), published in the birth message.'),
} as const;

/**
 * The JSON Schema of a configuration schema, as a user writes it (input side), with every default
 * shown, including those of durations and sizes, whose transforms would otherwise hide them.
 */
export function jsonSchemaOf(schema: z.ZodType, options: { target?: 'draft-2020-12' | 'draft-7' } = {}): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    ...(options.target ? { target: options.target } : {}),
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
      if (def.type === 'default' && ctx.jsonSchema.default === undefined) {
        const value = def.defaultValue;
        if (value !== undefined && JSON.stringify(value) !== undefined) ctx.jsonSchema.default = JSON.parse(JSON.stringify(value));
      }
    },
  }) as Record<string, unknown>;
}
