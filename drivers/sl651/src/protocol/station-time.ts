/**
 * Times on the wire are local wall-clock times of the station, in BCD without a zone:
 * `yyMMddHHmmss` (send time) and `yyMMddHHmm` (observation time). The years are 2000-2099.
 * Turning them into instants needs the station's time zone (China: Asia/Shanghai, UTC+8, no DST),
 * which the SDK's wall-clock helpers read (any IANA zone, UTC, or a fixed offset such as +08:00).
 */
import { instantOfWallClock, wallClockAt } from '@sensegate/sdk';
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

/** The instant (ms since the epoch) of a station's wall-clock time in `zone` (the SDK's rules for daylight saving). */
export function stationTimeToEpoch(time: StationTime, zone: string): number {
  return instantOfWallClock(time, zone);
}

/** The wall-clock time in `zone` at `instant`, to the second. */
export function epochToStationTime(instant: number, zone: string): StationTime {
  const { year, month, day, hour, minute, second } = wallClockAt(instant, zone);
  return { year, month, day, hour, minute, second };
}
