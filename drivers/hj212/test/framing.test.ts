import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { AIR_MN, PW, RawClient, frameOf, startDriver, upload, type DriverHarness } from './support/harness.js';

const frame = (n: number) => frameOf(upload({ cp: `DataTime=20240501100000;a34004-Rtd=${n}` }));

describe('frames on the wire', () => {
  let h: DriverHarness;
  let c: RawClient;
  const values = () => h.values('air', 'pm25').map((v) => v.value);

  before(async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW }, points: [{ id: 'pm25', code: 'a34004' }] }]);
    c = await RawClient.open(h.port);
  });
  after(async () => {
    c.close();
    await h.stop();
  });

  it('takes frames split across writes and several frames in one write', async () => {
    const one = frame(1);
    c.send(one.subarray(0, 7));
    c.send(one.subarray(7, 40));
    c.send(Buffer.concat([one.subarray(40), frame(2), frame(3)]));
    await waitFor('three values', () => values().length === 3);
    assert.deepEqual(values(), [1, 2, 3]);
  });

  it('takes frames one byte at a time', async () => {
    for (const byte of Buffer.concat([frame(4), frame(5)])) c.send(Buffer.from([byte]));
    await waitFor('five values', () => values().length === 5);
    assert.deepEqual(values().slice(3), [4, 5]);
  });

  it('skips garbage before and between frames', async () => {
    c.send(Buffer.concat([Buffer.from('AT+CSQ\r\n+CSQ: 23,99\r\n'), frame(6), Buffer.from([0, 0xff, 0x23, 0x23, 0x41]), frame(7)]));
    await waitFor('seven values', () => values().length === 7);
    assert.deepEqual(values().slice(5), [6, 7]);
    assert.equal(h.instance.stats('air').framesMalformed, 2);
    assert.equal(c.closed, false);
  });

  it('counts a packet with a bad structure as malformed and does not acknowledge it', async () => {
    const before = h.instance.stats('air').framesMalformed;
    c.sendPacket(upload({ flag: 5, cp: 'DataTime=2024-05-01;a34004-Rtd=1' }));
    await waitFor('the malformed count', () => h.instance.stats('air').framesMalformed === before + 1);
    assert.equal(c.packets.filter((p) => p.cn === '9014').length, 0);
    assert.ok(h.ctx.logs.some((l) => l.message.includes('unreadable CN 2011') && l.message.includes('2024-05-01')));
  });
});
