import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDataTime, formatQn, isTimeZone, parseDataTime } from '@sensegate/driver-hj212/protocol';

describe('station times', () => {
  it('reads DataTime as China Standard Time by default', () => {
    assert.equal(parseDataTime('20160801085857'), Date.parse('2016-08-01T00:58:57Z'));
    assert.equal(parseDataTime('20160801085857', 'Asia/Shanghai'), Date.parse('2016-08-01T00:58:57Z'));
  });

  it('reads DataTime in any IANA zone, daylight saving included', () => {
    assert.equal(parseDataTime('20240115120000', 'Europe/Berlin'), Date.parse('2024-01-15T11:00:00Z'));
    assert.equal(parseDataTime('20240715120000', 'Europe/Berlin'), Date.parse('2024-07-15T10:00:00Z'));
    assert.equal(parseDataTime('20240101000000', 'UTC'), Date.parse('2024-01-01T00:00:00Z'));
  });

  it('reads a QN with milliseconds', () => {
    assert.equal(parseDataTime('20160801085857223', 'Asia/Shanghai'), Date.parse('2016-08-01T00:58:57.223Z'));
  });

  it('writes DataTime and QN in the zone', () => {
    const ms = Date.parse('2016-08-01T00:58:57.223Z');
    assert.equal(formatDataTime(ms, 'Asia/Shanghai'), '20160801085857');
    assert.equal(formatQn(ms, 'Asia/Shanghai'), '20160801085857223');
    assert.equal(formatDataTime(Date.parse('2024-07-15T10:00:00Z'), 'Europe/Berlin'), '20240715120000');
    assert.equal(formatDataTime(Date.parse('2024-07-15T16:00:00Z'), 'Asia/Shanghai'), '20240716000000');
  });

  for (const text of ['2016080108585', '20161301000000', '20160230000000', '20160801246000', 'abcdefghijklmn', '']) {
    it(`refuses "${text}"`, () => assert.throws(() => parseDataTime(text, 'Asia/Shanghai'), { code: 'SG_PROTOCOL_ERROR' }));
  }

  it('knows zone names', () => {
    assert.ok(isTimeZone('Asia/Shanghai'));
    assert.ok(!isTimeZone('Mars/Olympus'));
  });
});
