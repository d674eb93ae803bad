/**
 * An HJ 212 point's own fields. A data point takes one field (`Rtd`, `Avg`, ...) of one code from
 * one kind of upload (real-time, minute, hour, day, equipment state); a command point sends a
 * request to the station when it is written. The gateway adds the generic fields (id, unit, ...).
 *
 * The gateway merges this shape with the generic fields, which drops object refinements, so the
 * rules across fields are in `pointProblems`, which `addDevice` runs; `pointSchema` carries them
 * as well for direct use.
 */
import { z } from 'zod';
import { CN } from '../protocol/codes.js';

/** Kinds of upload and the CN that carries each. */
export const DATA_KINDS = {
  realtime: [CN.REALTIME_DATA],
  minute: [CN.MINUTE_DATA],
  hour: [CN.HOUR_DATA],
  day: [CN.DAY_DATA],
  state: [CN.EQUIPMENT_STATE, CN.STOP_EQUIPMENT_STATE],
  runtime: [CN.DAY_RUNTIME],
} as const satisfies Record<string, readonly string[]>;
export type DataKind = keyof typeof DATA_KINDS;

/** Fields of measured data; state and run-time data may use any field name (RS, RT, Info, ...). */
export const MEASURED_FIELDS = ['Rtd', 'Avg', 'Min', 'Max', 'Cou', 'ZsRtd', 'ZsAvg', 'ZsMin', 'ZsMax'] as const;

/** Commands a writable point can send, and their CN. */
export const COMMANDS = {
  'set-time': CN.SET_TIME,
  'realtime-interval': CN.SET_REALTIME_INTERVAL,
  'minute-interval': CN.SET_MINUTE_INTERVAL,
} as const;
export type CommandName = keyof typeof COMMANDS;

const CODE = /^[A-Za-z0-9]{1,16}$/;
const FIELD = /^[A-Za-z][A-Za-z0-9]{0,15}$/;

export const pointShape = {
  code: z
    .string()
    .regex(CODE, 'a pollutant or equipment code: letters and digits, e.g. a34004, w01018, 011 or SB1')
    .optional()
    .describe('Pollutant, parameter or equipment code whose value the point takes, e.g. `a34004` (PM2.5), `w01018` (COD), `011` (COD in HJ/T 212-2005), `SB1` (equipment 1 for state data).'),
  data: z
    .enum(Object.keys(DATA_KINDS) as [DataKind, ...DataKind[]])
    .default('realtime')
    .describe('Which upload the value comes from: `realtime` (CN 2011), `minute` (2051), `hour` (2061), `day` (2031), `state` (equipment state, 2021), `runtime` (equipment run time, 2041).'),
  field: z
    .string()
    .regex(FIELD, 'a field name such as Rtd, Avg, Min, Max, Cou, ZsAvg, RS or RT')
    .optional()
    .describe('Field of the code to take (`<code>-<field>`): Rtd, Avg, Min, Max, Cou, ZsRtd, ZsAvg, ZsMin or ZsMax; any name for state and run-time data (RS, RT, Info). Default: Rtd for real-time data, Avg for minute, hour and day data, RS for state and RT for run-time data.'),
  command: z
    .enum(Object.keys(COMMANDS) as [CommandName, ...CommandName[]])
    .optional()
    .describe('Makes the point a command instead of data, written and never read (`direction: write`, `writable: true`; both may be left out): `set-time` (CN 1012, sets the station clock to the gateway\'s time, or to the time written), `realtime-interval` (1062, seconds), `minute-interval` (1064, minutes). Excludes `code`.'),
} as const;

export interface PointFieldsLike {
  code?: string | undefined;
  data?: DataKind | undefined;
  field?: string | undefined;
  command?: CommandName | undefined;
  direction?: 'read' | 'write' | 'readwrite' | undefined;
}

/** The field a data point takes when it names none. */
export function defaultField(data: DataKind): string {
  switch (data) {
    case 'realtime':
      return 'Rtd';
    case 'state':
      return 'RS';
    case 'runtime':
      return 'RT';
    default:
      return 'Avg';
  }
}

/** Rules across a point's fields; each problem names the field it is about. */
export function pointProblems(p: PointFieldsLike & { writable?: boolean }): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (p.command !== undefined) {
    if (p.code !== undefined) problems.push({ path: 'code', message: 'a point is either data (`code`) or a command (`command`), not both' });
    if (p.field !== undefined) problems.push({ path: 'field', message: '`field` is for data points; a command point has none' });
    if (p.writable === false) problems.push({ path: 'writable', message: 'a command point is written: leave `writable` out (or write `writable: true`)' });
    else if (p.direction !== undefined && p.direction !== 'write') {
      problems.push({ path: 'direction', message: `a command point carries no data and cannot be read: \`direction: ${p.direction}\` should be \`write\` (or left out)` });
    }
    return problems;
  }
  if (p.code === undefined) {
    problems.push({ path: 'code', message: 'a point needs `code` (the pollutant code whose value it takes) or `command`' });
    return problems;
  }
  const data = p.data ?? 'realtime';
  if (p.field !== undefined && data !== 'state' && data !== 'runtime' && !(MEASURED_FIELDS as readonly string[]).includes(p.field)) {
    problems.push({ path: 'field', message: `field ${p.field} is not one of ${MEASURED_FIELDS.join(', ')} (any name is allowed for state and runtime data only)` });
  }
  if (p.field === 'Flag' || p.field === 'EFlag') problems.push({ path: 'field', message: `${p.field} qualifies the values; it travels as the reading's quality and status` });
  if (p.writable) problems.push({ path: 'writable', message: 'data points are read-only; writable points are commands (`command`)' });
  return problems;
}

export const pointSchema = z
  .object(pointShape)
  .strict()
  .superRefine((p, ctx) => {
    for (const problem of pointProblems(p)) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
  })
  .describe('Which value of a station\'s uploads a point carries, or which command it sends.');

export type Hj212PointFields = z.output<typeof pointSchema>;
