// Zone offsets are cached per UTC hour (the SDK's time-zone.ts) instead of asking Intl for every
// DataTime. Daylight saving, odd historical offsets and midnight must read exactly as they did
// through Intl on every call (support/reference/data-time.ts); a time that shows twice when the
// clock goes back reads as the earlier of the two instants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zoneOffset } from '@sensegate/sdk';
import { formatDataTime, parseDataTime } from '@sensegate/driver-hj212/protocol';
import { referenceFormatDataTime, referenceParseDataTime, referenceZoneOffset } from './support/reference/data-time.js';
import { picker, random } from './support/random.js';

const HOUR = 3_600_000;
const ZONES = [
  'Asia/Shanghai', // DST 1986-1991, and LMT +8:05:43 before 1901
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe', // half-hour DST
  'Pacific/Chatham', // +12:45 / +13:45
  'Asia/Kathmandu', // +5:45
  'America/St_Johns', // -3:30, DST at local 02:00
  'Africa/Casablanca', // DST suspended for Ramadan: several changes a year
  'UTC',
];

/** Instants where the zone's offset changes within [from, to), found hour by hour with the reference. */
function changes(zone: string, from: number, to: number): number[] {
  const found: number[] = [];
  let before = referenceZoneOffset(from, zone);
  for (let t = from + HOUR; t < to; t += HOUR) {
    const now = referenceZoneOffset(t, zone);
    if (now !== before) found.push(t);
    before = now;
  }
  return found;
}

/** yyyyMMddHHmmss of a wall-clock time given as UTC fields. */
const wall = (ms: number) => new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14);

function parsed(text: string, zone: string): number | string {
  try {
    return parseDataTime(text, zone);
  } catch (err) {
    return (err as Error).message;
  }
}

function referenceParsed(text: string, zone: string): number | string {
  try {
    return referenceParseDataTime(text, zone);
  } catch (err) {
    return (err as Error).message;
  }
}

describe('zone offsets cached per hour', () => {
  it('reads Berlin across the spring and autumn changes of 2024 as Intl does, minute by minute', () => {
    // 2024-03-31 02:00 CET became 03:00 CEST (01:00 UTC); 2024-10-27 03:00 CEST became 02:00 CET.
    assert.equal(parseDataTime('20240331015959', 'Europe/Berlin'), Date.parse('2024-03-31T00:59:59Z'));
    assert.equal(parseDataTime('20240331030000', 'Europe/Berlin'), Date.parse('2024-03-31T01:00:00Z'));
    assert.equal(parseDataTime('20241027035959', 'Europe/Berlin'), Date.parse('2024-10-27T02:59:59Z'));
    for (const day of [Date.UTC(2024, 2, 31), Date.UTC(2024, 9, 27)]) {
      for (let local = day; local < day + 6 * HOUR; local += 60_000) {
        // Every wall-clock minute, including the hour that does not exist and the one that happens twice.
        const text = wall(local);
        const reference = referenceParsed(text, 'Europe/Berlin');
        // The reference read a time that showed twice as the later instant; it is the earlier now.
        const twice = typeof reference === 'number' && formatDataTime(reference - HOUR, 'Europe/Berlin') === text;
        assert.equal(parsed(text, 'Europe/Berlin'), twice ? reference - HOUR : reference, text);
      }
      // The autumn hour that shows twice: 02:30 showed at 00:30 UTC (CEST) and 01:30 UTC (CET).
      if (day === Date.UTC(2024, 9, 27)) assert.equal(parseDataTime('20241027023000', 'Europe/Berlin'), Date.parse('2024-10-27T00:30:00Z'));
      for (let t = day - 2 * HOUR; t < day + 6 * HOUR; t += 61_001) {
        assert.equal(zoneOffset(t, 'Europe/Berlin'), referenceZoneOffset(t, 'Europe/Berlin'));
        assert.equal(formatDataTime(t, 'Europe/Berlin'), referenceFormatDataTime(t, 'Europe/Berlin'));
      }
    }
  });

  it('gives every zone\'s offset exactly at and around each of its changes, 1985 to 2030', () => {
    for (const zone of ZONES) {
      for (const year of [1986, 1991, 2024, 2030]) {
        for (const change of changes(zone, Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1))) {
          for (let t = change - 2 * HOUR; t < change + 2 * HOUR; t += 59_999) {
            assert.equal(zoneOffset(t, zone), referenceZoneOffset(t, zone), `${zone} at ${new Date(t).toISOString()}`);
          }
          for (const t of [change - 1001, change - 1000, change - 1, change, change + 999, change + 1000]) {
            assert.equal(zoneOffset(t, zone), referenceZoneOffset(t, zone), `${zone} at ${t}`);
          }
        }
      }
    }
  });

  it('agrees with Intl at random instants from 1890 to 2100, odd historical offsets included', () => {
    const { int, pick } = picker(random(212));
    const from = Date.UTC(1890, 0, 1);
    const span = Date.UTC(2100, 0, 1) - from;
    for (let n = 0; n < 4000; n++) {
      const zone = pick(ZONES);
      const t = from + int(span);
      assert.equal(zoneOffset(t, zone), referenceZoneOffset(t, zone), `${zone} at ${t}`);
      assert.equal(formatDataTime(t, zone), referenceFormatDataTime(t, zone), `${zone} at ${t}`);
    }
    // LMT in Shanghai before 1901 was +8:05:43: offsets in whole seconds, not minutes.
    assert.equal(zoneOffset(Date.UTC(1900, 5, 1), 'Asia/Shanghai'), referenceZoneOffset(Date.UTC(1900, 5, 1), 'Asia/Shanghai'));
  });

  it('crosses midnight, month and year ends in the station\'s zone', () => {
    for (const zone of ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York']) {
      for (const [before, after] of [
        ['20241231235959', '20250101000000'],
        ['20240228235959', '20240229000000'],
        ['20240229235959', '20240301000000'],
        ['20240501235959999', '20240502000000000'],
      ] as const) {
        assert.equal(parseDataTime(after, zone) - parseDataTime(before, zone), before.length === 17 ? 1 : 1000, `${zone} ${before}`);
        assert.equal(parseDataTime(before, zone), referenceParseDataTime(before, zone));
        assert.equal(formatDataTime(parseDataTime(after, zone), zone), after.slice(0, 14));
      }
    }
    assert.equal(parseDataTime('20240502000000', 'Asia/Shanghai'), Date.parse('2024-05-01T16:00:00Z'));
  });

  it('refuses the same texts with the same messages', () => {
    const { int, pick, text } = picker(random(7));
    const samples = ['20230229120000', '20240229120000', '20240431000000', '20241301000000', '20240001000000', '20240100000000', '20240101240000',
      '20240101236000', '20240101235960', '19691231235959', '19700101000000', '21000229000000', '20000229000000', '24000229000000', '22000229000000', '2024010100000', '202401010000001', '２０２４0101000000', ''];
    for (let n = 0; n < 3000; n++) samples.push(rnd14());
    function rnd14(): string {
      return pick([`${1960 + int(80)}`, text('0123456789', 4)]) + text('0123456789', 10) + pick(['', '', text('0123456789', 3), 'x']);
    }
    for (const sample of samples) assert.equal(parsed(sample, 'Asia/Shanghai'), referenceParsed(sample, 'Asia/Shanghai'), sample);
  });

  it('stays exact when a logger catching up spans more hours than the cache holds', () => {
    const start = Date.UTC(2023, 0, 1);
    for (let h = 0; h < 9000; h += 1) {
      const t = start + h * HOUR + 1234;
      if (h % 97 === 0 || h > 8990) assert.equal(zoneOffset(t, 'Europe/Berlin'), referenceZoneOffset(t, 'Europe/Berlin'));
      else zoneOffset(t, 'Europe/Berlin');
    }
    assert.equal(formatDataTime(start + 3 * HOUR, 'Europe/Berlin'), '20230101040000');
  });
});
