import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDataTime, formatQn, parseDataTime } from '@sensegate/driver-hj212/protocol';
import hj212 from '../src/index.js';

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

  it('takes IANA zones, UTC and fixed offsets in the connection block, and refuses other names', () => {
    const connection = (timeZone: string) => hj212.connection.safeParse({ host: '127.0.0.1', port: 6000, mn: 'M1', password: '123456', timeZone });
    for (const zone of ['Asia/Shanghai', 'UTC', '+08:00']) assert.ok(connection(zone).success, zone);
    const refused = connection('Mars/Olympus');
    assert.ok(!refused.success);
    assert.match(refused.error.issues[0]!.message, /an IANA time zone \(Asia\/Shanghai\), UTC, or an offset such as \+08:00/);
    assert.equal(parseDataTime('20160801085857', '+08:00'), Date.parse('2016-08-01T00:58:57Z'));
  });
});
