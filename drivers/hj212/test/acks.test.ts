import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { AIR_MN, PW, RawClient, startDriver, upload, type DriverHarness } from './support/harness.js';

const OLD_MN = '88888880000001';

describe('acknowledgements (CN 9014)', () => {
  let h: DriverHarness;
  let c: RawClient;

  before(async () => {
    h = await startDriver([
      { id: 'air', connection: { mn: AIR_MN, password: PW }, points: [{ id: 'pm25', code: 'a34004' }] },
      { id: 'old', connection: { mn: OLD_MN, password: PW, dialect: '2005' }, points: [{ id: 'cod', code: '011' }] },
    ]);
    c = await RawClient.open(h.port);
  });
  after(async () => {
    c.close();
    await h.stop();
  });

  it('acknowledges an upload with Flag=5 after publishing it: same QN, ST=91, Flag=4, empty CP', async () => {
    c.sendPacket(upload({ qn: '20240501100000123', flag: 5, cp: 'DataTime=20240501100000;a34004-Rtd=12' }));
    const ack = await c.packet('a 9014', (p) => p.cn === '9014');
    assert.deepEqual(ack, { qn: '20240501100000123', st: '91', cn: '9014', pw: PW, mn: AIR_MN, flag: 4, cp: '' });
    assert.equal(h.values('air', 'pm25').length, 1, 'published before the acknowledgement');
  });

  it('does not acknowledge Flag=4', async () => {
    c.sendPacket(upload({ qn: '20240501100100000', flag: 4, cp: 'DataTime=20240501100100;a34004-Rtd=13' }));
    // Answers go out in order on one connection: once the next upload's ack is in, none for this one came.
    c.sendPacket(upload({ qn: '20240501100100500', flag: 5, cp: 'DataTime=20240501100100;a34004-Rtd=13.5' }));
    await c.packet('the ack of the next upload', (p) => p.qn === '20240501100100500');
    assert.equal(c.packets.filter((p) => p.qn === '20240501100100000').length, 0);
    assert.equal(h.values('air', 'pm25').length, 3);
  });

  it('acknowledges a resent upload again but publishes it once', async () => {
    const again = upload({ qn: '20240501100200000', flag: 5, cp: 'DataTime=20240501100200;a34004-Rtd=14' });
    c.sendPacket(again);
    c.sendPacket(again);
    await waitFor('two acks', () => c.packets.filter((p) => p.qn === again.qn).length === 2);
    assert.equal(h.values('air', 'pm25').length, 4);
    assert.equal(h.instance.stats('air').duplicates, 1);
  });

  it('publishes new data that a logger sends under a QN it used before', async () => {
    c.sendPacket(upload({ qn: '20240501100300000', flag: 5, cp: 'DataTime=20240501100300;a34004-Rtd=15' }));
    c.sendPacket(upload({ qn: '20240501100300000', flag: 5, cp: 'DataTime=20240501100330;a34004-Rtd=16' }));
    await waitFor('both values', () => h.values('air', 'pm25').length === 6);
    assert.deepEqual(h.values('air', 'pm25').slice(4).map((v) => v.value), [15, 16]);
  });

  it('answers an HJ/T 212-2005 station in its dialect: no QN when it sent none, Flag without version bits', async () => {
    const old = await RawClient.open(h.port);
    old.sendPacket({ st: '32', cn: '2011', pw: PW, mn: OLD_MN, flag: 1, cp: 'DataTime=20240501100000;011-Rtd=45.2,011-Flag=N' });
    const ack = await old.packet('a 9014', (p) => p.cn === '9014');
    assert.deepEqual(ack, { st: '91', cn: '9014', pw: PW, mn: OLD_MN, flag: 0, cp: '' });
    assert.deepEqual(h.values('old', 'cod').map((v) => v.value), [45.2]);
    old.close();
  });
});
