import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { AIR_MN, PW, RawClient, startDriver, upload, type DriverHarness } from './support/harness.js';

describe('split messages (Flag bit D, PNUM/PNO)', () => {
  let h: DriverHarness;
  let c: RawClient;

  before(async () => {
    h = await startDriver([
      {
        id: 'air',
        connection: { mn: AIR_MN, password: PW, splitTimeout: 300 },
        points: [
          { id: 'pm25', code: 'a34004', data: 'hour' },
          { id: 'pm10', code: 'a34002', data: 'hour' },
          { id: 'so2', code: 'a21026', data: 'hour' },
        ],
      },
    ]);
    c = await RawClient.open(h.port);
  });
  after(async () => {
    c.close();
    await h.stop();
  });

  it('puts the packets of one QN together, in PNO order, before publishing; each packet is acknowledged', async () => {
    const qn = '20240501110000001';
    const part = (pno: number, cp: string) => upload({ qn, cn: '2061', flag: 7, pnum: 3, pno, cp });
    c.sendPacket(part(3, 'a21026-Avg=9,a21026-Flag=N'));
    c.sendPacket(part(1, 'DataTime=20240501100000;a34004-Avg=31,a34004-Flag=N'));
    await waitFor('two acks', () => c.packets.filter((p) => p.qn === qn).length === 2);
    assert.equal(h.ctx.published.length, 0, 'nothing is published before the set is complete');
    c.sendPacket(part(2, 'a34002-Avg=60,a34002-Flag=M'));
    await waitFor('the values', () => h.values('air', 'so2')[0]);
    const ts = Date.parse('2024-05-01T02:00:00Z');
    assert.deepEqual(h.values('air', 'pm25'), [{ value: 31, options: { quality: 'good', status: 'hj212:flag:N', ts } }]);
    assert.deepEqual(h.values('air', 'pm10'), [{ value: 60, options: { quality: 'uncertain', status: 'hj212:flag:M', ts } }]);
    assert.deepEqual(h.values('air', 'so2'), [{ value: 9, options: { quality: 'good', status: 'hj212:flag:N', ts } }]);
    await waitFor('three acks', () => c.packets.filter((p) => p.qn === qn && p.cn === '9014').length === 3);
  });

  it('drops a set that stays incomplete past splitTimeout, counting and logging it', async () => {
    const before = h.ctx.published.length;
    c.sendPacket(upload({ qn: '20240501120000001', cn: '2061', flag: 6, pnum: 2, pno: 1, cp: 'DataTime=20240501110000;a34004-Avg=40' }));
    await waitFor('the drop', () => h.instance.stats('air').splitDropped === 1);
    assert.ok(h.ctx.logs.some((l) => l.level === 'warn' && l.message.includes('only 1 of 2 packets of CN 2061 QN 20240501120000001 arrived within 300 ms')));
    // The second half arriving late starts a new set, which times out in turn: nothing published.
    assert.equal(h.ctx.published.length, before);
  });

  it('refuses a set announcing more packets than allowed', async () => {
    c.sendPacket(upload({ qn: '20240501130000001', cn: '2061', flag: 6, pnum: 5000, pno: 1, cp: 'DataTime=20240501120000;a34004-Avg=40' }));
    await waitFor('the refusal', () => h.ctx.logs.some((l) => l.message.includes('PNUM=5000')));
  });
});
