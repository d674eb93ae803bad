/**
 * Where windows begin and end. Windows follow the wall clock of a time zone: a boundary is an
 * instant at which the zone's clock shows a multiple of the window length counted from
 * 1970-01-01 00:00 local time, so 1h windows start on the hour and 1d windows at local midnight.
 *
 * Daylight saving time is what makes this more than `floor(t / size) * size`:
 * - when the clock goes back, a wall time that shows twice is a boundary both times (the repeated
 *   hour is two 1h windows; the day that has it lasts 25 h);
 * - when the clock jumps forward over a boundary (a zone that skips midnight), the jump itself is
 *   the boundary, so no window swallows the next one.
 * Boundaries are therefore strictly increasing and windows contiguous, whatever the zone does.
 *
 * Offsets come from the SDK's `zoneOffset` (Intl behind an hourly cache; every instant a Date
 * holds, years before 1 included). Each zone here also keeps the last span over which its offset is
 * known to be constant; with that, a window close costs a comparison or two, no lookup at all.
 * The one assumption: a zone does not change its offset and change it back within a week.
 */
import { zoneOffset } from '@sensegate/sdk';

/** Instants (ms) a JavaScript Date can represent; readings outside this range are not windowed. */
export const MAX_INSTANT = 8.64e15;

const DAY = 86_400_000;
/** Two probes this far apart with the same offset mean no transition between them. */
const PROBE = 7 * DAY;

/** A time zone with its offset cache. The cache is shared by every window in that zone. */
export interface Zone {
  readonly name: string;
  /** UTC, whose offset is always 0. */
  readonly utc: boolean;
  /** The offset is `offset` at every instant of [from, to]. */
  from: number;
  to: number;
  offset: number;
}

const zones = new Map<string, Zone>();

/** Whether Intl knows the zone (an IANA name such as `Asia/Shanghai`, or `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The zone of that name; call only with a name `isTimeZone` accepted. */
export function zoneOf(name: string): Zone {
  let zone = zones.get(name);
  if (zone) return zone;
  // The canonical name: `Etc/UTC` and `UTC` alike have no offset to ask for.
  const utc = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone === 'UTC';
  zone = { name, utc, from: 0, to: utc ? 0 : -1, offset: 0 };
  zones.set(name, zone);
  return zone;
}

/** The zone's offset from UTC at instant `t`, in ms (local = t + offset). */
export function offsetAt(zone: Zone, t: number): number {
  if (zone.utc) return 0;
  if (t >= zone.from && t <= zone.to) return zone.offset;
  const offset = zoneOffset(t, zone.name);
  // Look a day ahead as well: windows move forward, and one extra probe now saves one per window
  // for the rest of the day.
  const ahead = Math.min(t + DAY, MAX_INSTANT);
  if (zoneOffset(ahead, zone.name) === offset) {
    const joins = offset === zone.offset && zone.from <= zone.to && t > zone.to && t - zone.to <= PROBE;
    zone.from = joins ? zone.from : t;
    zone.to = ahead;
  } else {
    zone.from = t;
    zone.to = t;
  }
  zone.offset = offset;
  return offset;
}

/** The start of the window of length `size` that contains `t`: the last boundary at or before it. */
export function windowStart(zone: Zone, size: number, t: number): number {
  const offset = offsetAt(zone, t);
  const start = floorTo(t + offset, size) - offset; // where the clock showed the multiple, had the offset held
  const change = lastChange(zone, start, t);
  if (change === null) return start;
  // The offset changed after that candidate; no multiple shows between the change and t.
  return isBoundary(zone, size, change) ? change : windowStart(zone, size, change - 1);
}

/** The first boundary after `t`. */
export function nextBoundary(zone: Zone, size: number, t: number): number {
  const offset = offsetAt(zone, t);
  const end = floorTo(t + offset, size) + size - offset;
  const change = firstChange(zone, t, end);
  if (change === null) return end;
  return isBoundary(zone, size, change) ? change : nextBoundary(zone, size, change);
}

/** The boundary `n` boundaries before boundary `end` (the start of a window of n panes ending there). */
export function boundaryBefore(zone: Zone, size: number, end: number, n: number): number {
  const start = end - n * size;
  if (lastChange(zone, start, end) === null) return start; // a regular grid all the way back
  let b = end;
  for (let i = 0; i < n; i++) b = windowStart(zone, size, b - 1);
  return b;
}

/** Whether the offset change at `t` is a boundary: the clock jumps forward over a multiple, or lands on one. */
function isBoundary(zone: Zone, size: number, t: number): boolean {
  const before = offsetAt(zone, t - 1);
  const after = offsetAt(zone, t);
  if (mod(t + after, size) === 0) return true;
  return after > before && Math.floor((t + after) / size) > Math.floor((t - 1 + before) / size);
}

/** The first instant in (from, to] where the offset differs from the one at `from`; null when there is none. */
function firstChange(zone: Zone, from: number, to: number): number | null {
  let a = from;
  const offset = offsetAt(zone, a);
  while (a < to) {
    const b = Math.min(a + PROBE, to);
    if (offsetAt(zone, b) !== offset) return bisect(zone, a, b, offset);
    a = b;
  }
  return null;
}

/** The last instant in (from, to] where the offset changes; null when it is constant over [from, to]. */
function lastChange(zone: Zone, from: number, to: number): number | null {
  let b = to;
  const offset = offsetAt(zone, b);
  while (b > from) {
    const a = Math.max(b - PROBE, from);
    const before = offsetAt(zone, a);
    if (before !== offset) return bisect(zone, a, b, before);
    b = a;
  }
  return null;
}

/** The instant in (a, b] where the offset stops being `offset` (which it is at `a`, and is not at `b`). */
function bisect(zone: Zone, a: number, b: number, offset: number): number {
  // Past the zone's span: these probes would only thrash it.
  while (b - a > 1) {
    const m = Math.floor((a + b) / 2);
    if (zoneOffset(m, zone.name) === offset) a = m;
    else b = m;
  }
  return b;
}

function floorTo(x: number, size: number): number {
  return x - mod(x, size);
}

function mod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}
