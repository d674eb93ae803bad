// Wall-clock times of a zone, both ways, as Intl has them; and what a time that shows twice (a fold)
// or never (a gap) means, around real daylight-saving changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instantOfWallClock, isTimeZone, wallClockAt, zoneOffset, type WallClock } from '../src/index.js';
import { seededRandom } from '../src/simulate/random.js';

const HOUR = 3_600_000;
const ZONES = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Africa/Casablanca', 'UTC'];

/** The wall clock as Intl gives it, on every call. */
function intlWallClock(instant: number, zone: string): WallClock {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second!, millisecond: ((instant % 1000) + 1000) % 1000 };
}

const wall = (text: string): WallClock => {
  const [date, time] = text.split(' ') as [string, string];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute, second = 0] = time.split(':').map(Number) as [number, number, number?];
  return { year, month, day, hour, minute, second };
};

describe('time zones', () => {
  it('shows what Intl shows, at random instants from 1900 to 2100 in zones with odd offsets and daylight saving', () => {
    const next = seededRandom(8);
    const from = Date.UTC(1900, 0, 1);
    const span = Date.UTC(2100, 0, 1) - from;
    for (let n = 0; n < 3000; n++) {
      const zone = ZONES[Math.floor(next() * ZONES.length)]!;
      const t = from + Math.floor(next() * span);
      assert.deepEqual(wallClockAt(t, zone), intlWallClock(t, zone), `${zone} at ${new Date(t).toISOString()}`);
    }
  });

  it('finds the instant of every wall-clock time that shows once, to the millisecond', () => {
    const next = seededRandom(9);
    for (let n = 0; n < 3000; n++) {
      const zone = ZONES[Math.floor(next() * ZONES.length)]!;
      const t = Date.UTC(1971, 0, 1) + Math.floor(next() * (Date.UTC(2060, 0, 1) - Date.UTC(1971, 0, 1)));
      const shown = wallClockAt(t, zone);
      // A time in a fold shows twice: the earlier instant is the answer (checked below).
      const other = [t - HOUR, t + HOUR, t - HOUR / 2, t + HOUR / 2].some((u) => JSON.stringify(wallClockAt(u, zone)) === JSON.stringify(shown));
      if (!other) assert.equal(instantOfWallClock(shown, zone), t, `${zone} at ${new Date(t).toISOString()}`);
    }
  });

  it('gives the earlier instant of a time that shows twice when the clock goes back', () => {
    // Berlin, 2024-10-27 03:00 CEST became 02:00 CET (01:00 UTC): 02:30 showed at 00:30 and 01:30 UTC.
    assert.equal(instantOfWallClock(wall('2024-10-27 02:30'), 'Europe/Berlin'), Date.parse('2024-10-27T00:30:00Z'));
    assert.equal(instantOfWallClock(wall('2024-10-27 03:00'), 'Europe/Berlin'), Date.parse('2024-10-27T02:00:00Z'));
    // New York, 2024-11-03 02:00 EDT became 01:00 EST (06:00 UTC): 01:30 showed at 05:30 and 06:30 UTC.
    assert.equal(instantOfWallClock(wall('2024-11-03 01:30'), 'America/New_York'), Date.parse('2024-11-03T05:30:00Z'));
    // Lord Howe goes back half an hour: 01:45 showed at 14:45 and 15:15 UTC.
    assert.equal(instantOfWallClock(wall('2024-04-07 01:45'), 'Australia/Lord_Howe'), Date.parse('2024-04-06T14:45:00Z'));
  });

  it('reads a time the clock jumped over with the offset before the jump, so it lands as far past the jump', () => {
    // Berlin, 2024-03-31 02:00 CET became 03:00 CEST (01:00 UTC): 02:30 never showed; it is 03:30 CEST.
    const berlin = instantOfWallClock(wall('2024-03-31 02:30'), 'Europe/Berlin');
    assert.equal(berlin, Date.parse('2024-03-31T01:30:00Z'));
    assert.deepEqual(wallClockAt(berlin, 'Europe/Berlin'), { ...wall('2024-03-31 03:30'), millisecond: 0 });
    // New York, 2024-03-10 02:00 EST became 03:00 EDT (07:00 UTC): 02:30 is 03:30 EDT, not 01:30 EST.
    const newYork = instantOfWallClock(wall('2024-03-10 02:30'), 'America/New_York');
    assert.equal(newYork, Date.parse('2024-03-10T07:30:00Z'));
    assert.deepEqual(wallClockAt(newYork, 'America/New_York'), { ...wall('2024-03-10 03:30'), millisecond: 0 });
    // The edges: the last second before the jump and the first after it.
    assert.equal(instantOfWallClock(wall('2024-03-31 01:59:59'), 'Europe/Berlin'), Date.parse('2024-03-31T00:59:59Z'));
    assert.equal(instantOfWallClock(wall('2024-03-31 03:00'), 'Europe/Berlin'), Date.parse('2024-03-31T01:00:00Z'));
  });

  it('shows what Intl shows in the first centuries and before year 1 (1 BC is year 0), to the last instant a Date holds', () => {
    const withEra = (zone: string) =>
      new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    const intl = (instant: number, zone: string): WallClock => {
      const parts: Record<string, number> = {};
      let bc = false;
      for (const p of withEra(zone).formatToParts(new Date(instant))) {
        if (p.type === 'era') bc = p.value.startsWith('B');
        else if (p.type !== 'literal') parts[p.type] = Number(p.value);
      }
      return { year: bc ? 1 - parts.year! : parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second!, millisecond: ((instant % 1000) + 1000) % 1000 };
    };
    const at = (w: WallClock) => {
      const d = new Date(0);
      d.setUTCFullYear(w.year, w.month - 1, w.day);
      d.setUTCHours(w.hour, w.minute, w.second, w.millisecond ?? 0);
      return d.getTime();
    };
    const year = (y: number) => at({ year: y, month: 1, day: 1, hour: 0, minute: 0, second: 0 });
    const next = seededRandom(10);
    for (let n = 0; n < 500; n++) {
      const zone = ZONES[Math.floor(next() * ZONES.length)]!;
      const t = year(-2000) + Math.floor(next() * (year(200) - year(-2000)));
      assert.deepEqual(wallClockAt(t, zone), intl(t, zone), `${zone} at ${new Date(t).toISOString()}`);
    }
    // Year 50 is not 1950: the local mean time of Shanghai (+8:05:43) held then.
    const lmt = (8 * 3600 + 5 * 60 + 43) * 1000;
    assert.equal(zoneOffset(year(50), 'Asia/Shanghai'), lmt);
    assert.equal(instantOfWallClock(wall('0050-06-01 12:00'), 'Asia/Shanghai'), at(wall('0050-06-01 12:00')) - lmt);
    // The first and the last instant a Date holds, whose hours reach past them.
    for (const edge of [8.64e15 - 1, -8.64e15, 8.64e15]) {
      assert.equal(zoneOffset(edge, 'Europe/Berlin'), at({ ...intl(edge, 'Europe/Berlin'), millisecond: 0 }) - (edge - (((edge % 1000) + 1000) % 1000)), String(edge));
    }
  });

  it('takes UTC and fixed offsets, and refuses names Intl does not know', () => {
    const t = Date.UTC(2025, 0, 1, 0, 0, 0);
    for (const zone of ['+08:00', '+0800', 'UTC+08:00', 'GMT+08:00']) {
      assert.ok(isTimeZone(zone), zone);
      assert.equal(zoneOffset(t, zone), 8 * HOUR, zone);
      assert.equal(instantOfWallClock(wall('2025-01-01 08:00'), zone), t, zone);
    }
    assert.equal(zoneOffset(t, '-03:30'), -3.5 * HOUR);
    assert.equal(instantOfWallClock(wall('2025-01-01 08:00'), 'UTC'), Date.UTC(2025, 0, 1, 8));
    assert.deepEqual(wallClockAt(Date.UTC(2024, 11, 31, 23, 59, 30, 250), 'Asia/Shanghai'), { ...wall('2025-01-01 07:59:30'), millisecond: 250 });
    assert.ok(isTimeZone('Asia/Shanghai'));
    assert.ok(!isTimeZone('Mars/Olympus'));
    assert.ok(!isTimeZone('+8'));
  });
});
