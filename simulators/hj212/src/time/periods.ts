/**
 * Where the station's data periods begin and end. Minute and hour data cover periods aligned to
 * the wall clock of the station's time zone (10:00-10:10, 10:00-11:00), daily data the local day,
 * and HJ 212 stamps each with the period's start (DataTime).
 */
import { zoneOffset } from '@sensegate/sdk';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

const floorMod = (a: number, n: number) => ((a % n) + n) % n;

/** Start of the period of `length` ms (a divisor of a day) that contains `ms`, on the zone's wall clock. */
export function periodStart(ms: number, length: number, timeZone: string): number {
  const offset = zoneOffset(ms, timeZone);
  const start = ms - floorMod(ms + offset, length);
  // Across a daylight-saving change the offset at the start differs: realign once with it.
  const again = zoneOffset(start, timeZone);
  return again === offset ? start : ms - floorMod(ms + again, length);
}

/** Start of the period after the one starting at `start` (a local day may last 23 or 25 hours). */
export function nextPeriodStart(start: number, length: number, timeZone: string): number {
  return periodStart(start + length + length / 2, length, timeZone);
}
