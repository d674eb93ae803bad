/**
 * Station times: `DataTime` (yyyyMMddHHmmss) and `QN` (yyyyMMddHHmmssSSS) are wall-clock times in
 * the station's zone with no offset written, China Standard Time in practice. Any IANA zone works
 * through Intl, so a network in another zone (or on UTC) is configured, not patched.
 */
import { SensegateError } from '@sensegate/sdk';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows this zone name. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(ms: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at instant `ms`, in ms (Asia/Shanghai: +8 h). */
export function zoneOffset(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** yyyyMMddHHmmss in the zone. */
export function formatDataTime(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const w = wallClock(ms, timeZone);
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** yyyyMMddHHmmssSSS in the zone: a request id (QN). */
export function formatQn(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return `${formatDataTime(ms, timeZone)}${pad(((ms % 1000) + 1000) % 1000, 3)}`;
}

/**
 * ms since the epoch of a yyyyMMddHHmmss (or yyyyMMddHHmmssSSS) wall-clock time in the zone.
 * Throws SG_PROTOCOL_ERROR for text that is not a real date and time.
 */
export function parseDataTime(text: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(text);
  if (!m) throw new SensegateError('SG_PROTOCOL_ERROR', `time "${text.slice(0, 24)}" is not yyyyMMddHHmmss`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = m[7] === undefined ? 0 : Number(m[7]);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const back = new Date(asUtc);
  if (
    year < 1970 ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    back.getUTCHours() !== hour ||
    back.getUTCMinutes() !== minute ||
    back.getUTCSeconds() !== second
  ) {
    throw new SensegateError('SG_PROTOCOL_ERROR', `time "${text}" is not a valid date and time`);
  }
  // Two passes settle the offset next to a daylight-saving change.
  let ts = asUtc - zoneOffset(asUtc, timeZone);
  ts = asUtc - zoneOffset(ts, timeZone);
  return ts;
}
