import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FLAG_ACK,
  FLAG_SPLIT,
  cpDataTime,
  flagVersion,
  formatCp,
  formatSegment,
  isSplit,
  makeFlag,
  needsAck,
  parseCp,
  parseSegment,
  pollutantValues,
  type Packet,
} from '@sensegate/driver-hj212/protocol';

describe('packets', () => {
  it('round-trips a 2017 packet with split fields', () => {
    const p: Packet = { qn: '20240101120000123', st: '22', cn: '2011', pw: '123456', mn: 'AIR00000000000000000001', flag: 7, pnum: 2, pno: 1, cp: 'DataTime=20240101120000;a34004-Rtd=12' };
    const text = formatSegment(p);
    assert.equal(text, 'QN=20240101120000123;ST=22;CN=2011;PW=123456;MN=AIR00000000000000000001;Flag=7;PNUM=2;PNO=1;CP=&&DataTime=20240101120000;a34004-Rtd=12&&');
    assert.deepEqual(parseSegment(text), p);
  });

  it('reads a 2005 packet: no QN, no Flag, 14-character MN, 3-character codes', () => {
    const p = parseSegment('ST=32;CN=2011;PW=123456;MN=88888880000001;CP=&&DataTime=20050101120000;011-Rtd=45.2,011-Flag=N;060-Rtd=1.1&&');
    assert.equal(p.qn, undefined);
    assert.equal(p.flag, undefined);
    assert.equal(p.mn, '88888880000001');
    assert.equal(flagVersion(p.flag), 0);
    assert.deepEqual(pollutantValues(parseCp(p.cp)), [
      { code: '011', field: 'Rtd', value: '45.2', flag: 'N' },
      { code: '060', field: 'Rtd', value: '1.1' },
    ]);
  });

  it('reads an empty CP', () => {
    const p = parseSegment('QN=20240101120000123;ST=91;CN=9014;PW=123456;MN=A1;Flag=4;CP=&&&&');
    assert.equal(p.cp, '');
    assert.deepEqual(parseCp(p.cp), []);
  });

  for (const [segment, problem] of [
    ['ST=22;CN=2011;PW=1;MN=A1;CP=&&x=1', /does not end with the `&&`/],
    ['ST=22;CN=2011;PW=1;MN=A1', /no `CP=&&`/],
    ['ST=22;CN=2011;PW=1;CP=&&&&', /MN is missing/],
    ['ST=22;CN=20x1;PW=1;MN=A1;CP=&&&&', /CN=20x1/],
    ['ST=22;CN=2011;PW=1;MN=A1;Flag=x;CP=&&&&', /Flag=x/],
    ['ST=22;CN=2011;PW=1;MN=A1;PNUM=2;CP=&&&&', /PNUM and PNO/],
    ['ST=22;CN=2011;PW=1;MN=A1;PNUM=2;PNO=3;CP=&&&&', /beyond PNUM/],
    ['ST=22;ST=22;CN=2011;PW=1;MN=A1;CP=&&&&', /twice/],
    ['ST=22;CN=2011;PW=1;MN=A1;junk;CP=&&&&', /not key=value/],
    ['QN=yesterday;ST=22;CN=2011;PW=1;MN=A1;CP=&&&&', /QN=yesterday/],
  ] as const) {
    it(`refuses ${segment} naming the problem`, () => {
      assert.throws(() => parseSegment(segment), (err: Error & { code?: string }) => err.code === 'SG_PROTOCOL_ERROR' && problem.test(err.message));
    });
  }

  it('splits CP into groups and fields and writes them back', () => {
    const cp = 'DataTime=20160801085857;w01018-Rtd=166.0,w01018-Flag=N;w21003-Rtd=1.2,w21003-Flag=M,w21003-EFlag=A01';
    const groups = parseCp(cp);
    assert.equal(groups.length, 3);
    assert.equal(cpDataTime(groups), '20160801085857');
    assert.equal(formatCp(groups), cp);
    assert.deepEqual(pollutantValues(groups), [
      { code: 'w01018', field: 'Rtd', value: '166.0', flag: 'N' },
      { code: 'w21003', field: 'Rtd', value: '1.2', flag: 'M', eflag: 'A01' },
    ]);
    assert.throws(() => parseCp('DataTime=1;oops'), { code: 'SG_PROTOCOL_ERROR' });
    assert.deepEqual(parseCp('a=1;;b=2;'), [[['a', '1']], [['b', '2']]]);
  });

  it('reads and makes Flag bits', () => {
    assert.equal(makeFlag(), 4);
    assert.equal(makeFlag({ ack: true }), 5);
    assert.equal(makeFlag({ dialect: '2005', ack: true, split: true }), 3);
    assert.ok(needsAck(5) && !needsAck(4) && !needsAck(undefined));
    assert.ok(isSplit(6) && !isSplit(5));
    assert.equal(flagVersion(5), 1);
    assert.equal(FLAG_ACK | FLAG_SPLIT, 3);
  });
});
