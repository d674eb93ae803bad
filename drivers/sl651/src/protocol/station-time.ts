/**
 * Times on the wire are local wall-clock times of the station, in BCD without a zone:
 * `yyMMddHHmmss` (send time) and `yyMMddHHmm` (observation time). The years are 2000-2099.
 * Turning them into instants needs the station's time zone (China: Asia/Shanghai, UTC+8, no DST).
 */
import { bcdByte, bcdDigits } from './bcd.js';

export interface StationTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Reads 5 (no seconds) or 6 BCD bytes; undefined if not BCD or not a calendar time. */
export function readStationTime(bytes: Uint8Array): StationTime | undefined {
  const digits = bcdDigits(bytes);
  if (digits === undefined || (bytes.length !== 5 && bytes.length !== 6)) return undefined;
  const n = (i: number) => Number(digits.slice(2 * i, 2 * i + 2));
  const time = { year: 2000 + n(0), month: n(1), day: n(2), hour: n(3), minute: n(4), second: bytes.length === 6 ? n(5) : 0 };
  const check = new Date(Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second));
  const valid =
    time.month >= 1 &&
    check.getUTCMonth() === time.month - 1 &&
    check.getUTCDate() === time.day &&
    time.hour < 24 &&
    time.minute < 60 &&
    time.second < 60;
  return valid ? time : undefined;
}

/** 6 bytes (`withSeconds`) or 5. */
export function writeStationTime(time: StationTime, withSeconds: boolean): Buffer {
  const parts = [time.year % 100, time.month, time.day, time.hour, time.minute, ...(withSeconds ? [time.second] : [])];
  return Buffer.from(parts.map(bcdByte));
}

export function formatStationTime(t: StationTime): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.year}-${p(t.month)}-${p(t.day)} ${p(t.hour)}:${p(t.minute)}:${p(t.second)}`;
}

const OFFSET = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `zone` is an IANA time zone name (`Asia/Shanghai`), `UTC`, or a fixed offset (`+08:00`). */
export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC' || OFFSET.test(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `instant`, in ms. */
export function zoneOffset(zone: string, instant: number): number {
  if (zone === 'UTC') return 0;
  const fixed = OFFSET.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
  // Offsets change only at quarter-hour instants (every DST rule of this century), so one lookup
  // serves a whole quarter hour: Intl is far too slow to ask for every value of every report.
  const quarter = Math.floor(instant / QUARTER_HOUR);
  const key = `${zone} ${quarter}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  const offset = intlOffset(zone, quarter * QUARTER_HOUR);
  if (offsets.size >= MAX_CACHED) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

const QUARTER_HOUR = 900_000;
const MAX_CACHED = 4096;
const offsets = new Map<string, number>();

function intlOffset(zone: string, instant: number): number {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant (ms since the epoch) of a station's wall-clock time in `zone`. */
export function stationTimeToEpoch(time: StationTime, zone: string): number {
  const wall = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
  // Two passes settle the offset around a DST change (China has none; other zones may).
  let instant = wall - zoneOffset(zone, wall);
  instant = wall - zoneOffset(zone, instant);
  return instant;
}

/** The wall-clock time in `zone` at `instant`. */
export function epochToStationTime(instant: number, zone: string): StationTime {
  const d = new Date(instant + zoneOffset(zone, instant));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}
