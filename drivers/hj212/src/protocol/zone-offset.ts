/**
 * A time zone's offset from UTC at an instant. Intl is the source of truth (any IANA zone, daylight
 * saving included) but costs microseconds per call, and the driver needs an offset for every
 * DataTime it reads. Offsets change a few times a year, so each UTC hour is asked of Intl once:
 * an hour whose first and last second have the same offset is cached; an hour with a change in
 * it is never cached and every instant in it is asked of Intl. That is exact as long as no zone
 * changes its offset twice within one hour, which no zone in the tz database does.
 */

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

/** The offset as Intl gives it: the zone's wall clock at `ms` read as UTC, minus `ms` in whole seconds. */
function intlOffset(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

const HOUR = 3_600_000;
/**
 * Hours remembered per zone (about 100 KB at most). Live data needs two, an instant and its wall
 * clock read as UTC; loggers catching up after weeks offline need more. When full, it starts over.
 */
const HOURS_PER_ZONE = 4096;
const hoursByZone = new Map<string, Map<number, number>>();

/** The zone's offset from UTC at instant `ms`, in ms (Asia/Shanghai: +8 h). */
/** The zone asked last and its hours: stations of one network share a zone, so this spares a lookup. */
let lastZone: string | undefined;
let lastHours: Map<number, number> | undefined;

export function zoneOffset(ms: number, timeZone: string): number {
  const hour = Math.floor(ms / HOUR);
  let hours = lastHours;
  if (timeZone !== lastZone) {
    hours = hoursByZone.get(timeZone);
    if (hours) {
      lastZone = timeZone;
      lastHours = hours;
    }
  }
  const cached = hours?.get(hour);
  if (cached !== undefined) return cached;
  const start = hour * HOUR;
  const first = intlOffset(start, timeZone);
  if (first !== intlOffset(start + HOUR - 1, timeZone)) return intlOffset(ms, timeZone);
  if (!hours) {
    hoursByZone.set(timeZone, (hours = new Map()));
    lastZone = timeZone;
    lastHours = hours;
  } else if (hours.size >= HOURS_PER_ZONE) hours.clear();
  hours.set(hour, first);
  return first;
}
