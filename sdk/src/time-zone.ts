/**
 * Wall-clock times of a time zone, for protocols whose devices write local times without an offset
 * (HJ 212's DataTime and QN, SL 651's BCD times): the fields a zone's clock shows at an instant
 * (`wallClockAt`), and the instant at which it shows given fields (`instantOfWallClock`).
 *
 * A zone is an IANA name (`Asia/Shanghai`), `UTC`, or a fixed offset (`+08:00`, `+0800`,
 * `UTC+08:00`). Offsets of IANA zones come from Intl, daylight saving and historical offsets (in
 * whole seconds) included.
 *
 * Daylight saving makes some wall-clock times ambiguous, and `instantOfWallClock` settles them so:
 * - in a fold (the clock goes back, and a time shows twice) it gives the earlier instant, the one
 *   before the change;
 * - in a gap (the clock jumps forward over a time, which never shows) it reads the time with the
 *   offset before the jump, giving an instant just as far past the jump: 02:30 in a zone that jumps
 *   from 02:00 to 03:00 is the instant the clock shows 03:30.
 * (The rules of JavaScript's Temporal, `disambiguation: 'compatible'`.) Both assume a zone does not
 * change its offset twice within two days, which no zone in the tz database does.
 *
 * Intl costs microseconds per call, and drivers ask for every time they read, so each UTC hour is
 * asked of Intl once: an hour whose first and last second have the same offset is cached, and an
 * hour with a change in it is never cached: every instant in it is asked of Intl.
 *
 * Every instant a Date can hold is served, years before 1 (1 BC is year 0) and 1-99 included: the
 * gateway's windows take readings of any time.
 */

/** A time as a clock shows it: the fields of the (proleptic Gregorian) calendar, month 1-12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 when absent. */
  millisecond?: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The instants (ms) a Date can hold: ±8.64e15. */
const MAX_INSTANT = 8.64e15;
const FIXED_OFFSET = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The offset of a fixed-offset zone (`+08:00`), in ms; undefined for any other name. */
function fixedOffset(zone: string): number | undefined {
  if (zone === 'UTC') return 0;
  const fixed = FIXED_OFFSET.exec(zone);
  if (!fixed) return undefined;
  return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
}

/** Whether `zone` is an IANA time zone name that Intl knows (`Asia/Shanghai`), `UTC`, or a fixed offset (`+08:00`). */
export function isTimeZone(zone: string): boolean {
  if (fixedOffset(zone) !== undefined) return true;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The offset as Intl gives it: the zone's wall clock at `ms` read as UTC, minus `ms` in whole seconds. */
function intlOffset(ms: number, zone: string): number {
  const parts: Record<string, number> = {};
  let bc = false;
  for (const p of formatterFor(zone).formatToParts(new Date(ms))) {
    if (p.type === 'era') bc = p.value.startsWith('B');
    else if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const year = bc ? 1 - parts.year! : parts.year!;
  const shown = asUtc({ year, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! });
  return shown - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * Hours remembered per zone (about 100 KB at most). Live data needs two, an instant and its wall
 * clock read as UTC; loggers catching up after weeks offline need more. When full, it starts over.
 */
const HOURS_PER_ZONE = 4096;
const hoursByZone = new Map<string, Map<number, number>>();
/** The zone asked last and its hours: stations of one network share a zone, so this spares a lookup. */
let lastZone: string | undefined;
let lastHours: Map<number, number> | undefined;

/** The zone's offset from UTC at `instant` (ms since the epoch), in ms: the wall clock is `instant + offset` (Asia/Shanghai: +8 h). */
export function zoneOffset(instant: number, zone: string): number {
  const hour = Math.floor(instant / HOUR);
  let hours = lastHours;
  if (zone !== lastZone) {
    hours = hoursByZone.get(zone);
    if (hours) {
      lastZone = zone;
      lastHours = hours;
    } else {
      const fixed = fixedOffset(zone);
      if (fixed !== undefined) return fixed;
    }
  }
  const cached = hours?.get(hour);
  if (cached !== undefined) return cached;
  // Clamped: the first and the last hour a Date can hold reach past it.
  const start = Math.max(hour * HOUR, -MAX_INSTANT);
  const first = intlOffset(start, zone);
  if (first !== intlOffset(Math.min(hour * HOUR + HOUR - 1, MAX_INSTANT), zone)) return intlOffset(instant, zone);
  if (!hours) {
    hoursByZone.set(zone, (hours = new Map()));
    lastZone = zone;
    lastHours = hours;
  } else if (hours.size >= HOURS_PER_ZONE) hours.clear();
  hours.set(hour, first);
  return first;
}

/** What the zone's clock shows at `instant` (ms since the epoch). */
export function wallClockAt(instant: number, zone: string): WallClock {
  const millisecond = ((instant % 1000) + 1000) % 1000;
  // The zone's wall clock is the instant (in whole seconds) moved by the zone's offset, read as UTC.
  const wall = new Date(instant - millisecond + zoneOffset(instant, zone));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    millisecond,
  };
}

/** The fields read as a UTC time, in ms (years 0-99 too, which Date.UTC would move to 1900-1999). */
function asUtc(wall: WallClock): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond ?? 0);
  return date.getTime();
}

/**
 * The instant (ms since the epoch) at which the zone's clock shows `wall`; in a fold the earlier of
 * the two, in a gap the time read with the offset before the jump (see the top of this file).
 * Fields out of range roll over as in `Date.UTC` (month 13 is January of the next year): check
 * them first when they come from a device.
 */
export function instantOfWallClock(wall: WallClock, zone: string): number {
  const local = asUtc(wall);
  const before = zoneOffset(local - DAY, zone);
  const after = zoneOffset(local + DAY, zone);
  if (before === after) return local - before;
  const early = local - before;
  const late = local - after;
  const earlyShows = zoneOffset(early, zone) === before;
  const lateShows = zoneOffset(late, zone) === after;
  if (earlyShows && lateShows) return Math.min(early, late); // a fold
  if (lateShows) return late;
  return early; // it shows before the change, or (in a gap) never: read with the offset before
}
