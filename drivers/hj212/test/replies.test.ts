import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CN,
  DATA_FLAGS,
  POLLUTANTS,
  buildDataAck,
  buildExecutionResult,
  buildRequest,
  buildRequestReply,
  flagQuality,
  formatSegment,
  parseSegment,
  pollutant,
  readReturnCode,
} from '@sensegate/driver-hj212/protocol';

const data = parseSegment('QN=20160801085857223;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20160801085857;a34004-Rtd=35&&');

describe('replies', () => {
  it('acknowledges data with a 9014 of the same QN, ST=91 and an empty CP', () => {
    assert.equal(formatSegment(buildDataAck(data)), 'QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&');
    const old = parseSegment('ST=32;CN=2011;PW=123456;MN=88888880000001;Flag=1;CP=&&&&');
    assert.equal(formatSegment(buildDataAck(old, '2005')), 'ST=91;CN=9014;PW=123456;MN=88888880000001;Flag=0;CP=&&&&');
  });

  it('builds a request asking for a reply, and reads 9011 and 9012 answers', () => {
    const request = buildRequest({ qn: '20240101120000000', st: '22', cn: CN.SET_REALTIME_INTERVAL, pw: '123456', mn: 'M1', fields: [['RtdInterval', '60']] });
    assert.equal(formatSegment(request), 'QN=20240101120000000;ST=22;CN=1062;PW=123456;MN=M1;Flag=5;CP=&&RtdInterval=60&&');
    const ready = parseSegment(formatSegment(buildRequestReply(request, 1)));
    assert.equal(ready.cn, '9011');
    assert.equal(ready.qn, request.qn);
    assert.deepEqual(readReturnCode(ready), { kind: 'request', code: '1', meaning: 'ready to execute the request', ok: true });
    assert.deepEqual(readReturnCode(buildRequestReply(request, 3)), { kind: 'request', code: '3', meaning: 'wrong password', ok: false });
    assert.deepEqual(readReturnCode(buildExecutionResult(request, 1)), { kind: 'execution', code: '1', meaning: 'executed', ok: true });
    assert.deepEqual(readReturnCode(buildExecutionResult(request, 100)), { kind: 'execution', code: '100', meaning: 'no data', ok: false });
    assert.equal(readReturnCode(data), undefined);
    assert.throws(() => readReturnCode({ ...ready, cp: '' }), { code: 'SG_PROTOCOL_ERROR' });
  });
});

describe('code tables', () => {
  it('maps every data flag to a quality, unknown flags to uncertain', () => {
    assert.deepEqual(Object.keys(DATA_FLAGS).sort(), ['B', 'C', 'D', 'F', 'M', 'N', 'S', 'T']);
    assert.equal(flagQuality('N'), 'good');
    assert.equal(flagQuality(undefined), 'good');
    assert.equal(flagQuality('D'), 'bad');
    assert.equal(flagQuality('M'), 'uncertain');
    assert.equal(flagQuality('?'), 'uncertain');
  });

  it('lists each code once, with unique aliases per dialect, and every 2005 code points at a 2017 one', () => {
    const codes = POLLUTANTS.map((p) => p.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const dialect of ['2017', '2005']) {
      const aliases = POLLUTANTS.filter((p) => p.dialect === dialect).map((p) => p.alias);
      assert.equal(new Set(aliases).size, aliases.length, dialect);
    }
    for (const p of POLLUTANTS.filter((x) => x.dialect === '2005')) assert.equal(pollutant(p.equivalent!)?.dialect, '2017', p.code);
  });

  it('has the codes of protocols.md with their units', () => {
    const expected: Record<string, [string, string]> = {
      a34004: ['pm25', 'ug/m3'],
      a34002: ['pm10', 'ug/m3'],
      a21026: ['so2', 'ug/m3'],
      a21004: ['no2', 'ug/m3'],
      a21005: ['co', 'mg/m3'],
      a05024: ['o3', 'ug/m3'],
      a01001: ['temperature', 'degC'],
      a01002: ['humidity', '%'],
      a01007: ['windSpeed', 'm/s'],
      a01008: ['windDirection', 'deg'],
      w01001: ['ph', 'pH'],
      w01009: ['dissolvedOxygen', 'mg/L'],
      w01010: ['waterTemperature', 'degC'],
      w01014: ['conductivity', 'uS/cm'],
      w01018: ['cod', 'mg/L'],
      w21003: ['nh3n', 'mg/L'],
      w21011: ['tp', 'mg/L'],
      w21001: ['tn', 'mg/L'],
      w00000: ['flow', 'L/s'],
      '011': ['cod', 'mg/L'],
      '060': ['nh3n', 'mg/L'],
      B01: ['flow', 'L/s'],
    };
    for (const [code, [alias, unit]] of Object.entries(expected)) {
      assert.deepEqual([pollutant(code)?.alias, pollutant(code)?.unit], [alias, unit], code);
    }
  });
});
