/**
 * Station times: `DataTime` (yyyyMMddHHmmss) and `QN` (yyyyMMddHHmmssSSS) are wall-clock times in
 * the station's zone with no offset written, China Standard Time in practice. Any IANA zone or
 * fixed offset works (the SDK's wall-clock helpers, daylight saving included), so a network in
 * another zone (or on UTC) is configured, not patched.
 */
import { SensegateError, instantOfWallClock, printable, wallClockAt } from '@sensegate/sdk';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** yyyyMMddHHmmss in the zone. */
export function formatDataTime(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const w = wallClockAt(ms, timeZone);
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** yyyyMMddHHmmssSSS in the zone: a request id (QN). */
export function formatQn(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return `${formatDataTime(ms, timeZone)}${pad(((ms % 1000) + 1000) % 1000, 3)}`;
}

/** The number written by the digits `text[at..at + count)`; the caller has checked they are digits. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) n = n * 10 + text.charCodeAt(i) - 0x30;
  return n;
}

/** 14 or 17 ASCII digits, as `/^\d{14}(\d{3})?$/` says. */
function isTimeText(text: string): boolean {
  if (text.length !== 14 && text.length !== 17) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Days in a month of the (proleptic) Gregorian calendar, as Date counts them. */
function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * ms since the epoch of a yyyyMMddHHmmss (or yyyyMMddHHmmssSSS) wall-clock time in the zone. A time
 * that shows twice (the clock going back) is the earlier instant; one the clock jumped over is read
 * with the offset before the jump. Throws SG_PROTOCOL_ERROR for text that is not a real date and time.
 */
export function parseDataTime(text: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  if (!isTimeText(text)) throw new SensegateError('SG_PROTOCOL_ERROR', `time "${printable(text.slice(0, 24))}" is not yyyyMMddHHmmss`);
  const year = digits(text, 0, 4);
  const month = digits(text, 4, 2);
  const day = digits(text, 6, 2);
  const hour = digits(text, 8, 2);
  const minute = digits(text, 10, 2);
  const second = digits(text, 12, 2);
  const millis = text.length === 17 ? digits(text, 14, 3) : 0;
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new SensegateError('SG_PROTOCOL_ERROR', `time "${printable(text, 24)}" is not a valid date and time`);
  }
  return instantOfWallClock({ year, month, day, hour, minute, second, millisecond: millis }, timeZone);
}
