import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestContext, testDevice, waitFor } from '@sensegate/sdk/testing';
import { buildExecutionResult, buildRequestReply, type Packet } from '@sensegate/driver-hj212/protocol';
import hj212, { type Hj212Instance } from '../src/index.js';
import { AIR_MN, PW, RawClient, frameOf, startDriver, upload, type DriverHarness } from './support/harness.js';

type Answer = { qnRtn?: number; exeRtn?: number } | 'silent';

/** A station that answers each request as told. */
async function station(h: DriverHarness, answer: (request: Packet) => Answer): Promise<RawClient> {
  const c = await RawClient.open(h.port);
  const seen = h.states('air').length;
  c.sendPacket(upload({ cp: 'DataTime=20240501100000;a34004-Rtd=1' }));
  await waitFor('the station online on this connection', () => h.states('air').length > seen && h.states('air').at(-1) === 'online');
  let handled = 0;
  const timer = setInterval(() => {
    for (const request of c.packets.slice(handled).filter((p) => p.cn !== '9014')) {
      const a = answer(request);
      if (a === 'silent') continue;
      if (a.qnRtn !== undefined) c.send(frameOf(buildRequestReply(request, a.qnRtn)));
      if (a.exeRtn !== undefined) c.send(frameOf(buildExecutionResult(request, a.exeRtn)));
    }
    handled = c.packets.length;
  }, 10);
  c.socket.once('close', () => clearInterval(timer));
  return c;
}

describe('commands', () => {
  let h: DriverHarness;
  const write = (point: string, value: unknown) => {
    const device = h.devices.get('air')!;
    return h.instance.write(device, device.points.find((p) => p.id === point)!, value as never);
  };

  before(async () => {
    h = await startDriver([
      {
        id: 'air',
        timeout: 2000,
        connection: { mn: AIR_MN, password: PW },
        points: [
          { id: 'pm25', code: 'a34004' },
          { id: 'clock', command: 'set-time', writable: true },
          { id: 'rtdInterval', command: 'realtime-interval', writable: true },
          { id: 'minInterval', command: 'minute-interval', writable: true },
        ],
      },
    ]);
  });
  after(() => h.stop());

  it('fails with SG_NOT_CONNECTED while the station is not connected', async () => {
    await assert.rejects(write('rtdInterval', 60), { code: 'SG_NOT_CONNECTED' });
  });

  it('sends a request (Flag=5, the station\'s ST and password) and resolves on 9011 QnRtn=1 then 9012 ExeRtn=1', async () => {
    const c = await station(h, () => ({ qnRtn: 1, exeRtn: 1 }));
    await write('rtdInterval', 60);
    const request = c.packets.find((p) => p.cn === '1062')!;
    assert.equal(request.cp, 'RtdInterval=60');
    assert.equal(request.flag, 5);
    assert.equal(request.st, '22');
    assert.equal(request.pw, PW);
    assert.equal(request.mn, AIR_MN);
    assert.match(request.qn!, /^\d{17}$/);
    await write('minInterval', '10');
    assert.equal(c.packets.find((p) => p.cn === '1064')!.cp, 'MinInterval=10');
    await write('clock', null);
    assert.match(c.packets.find((p) => p.cn === '1012')!.cp, /^SystemTime=\d{14}$/);
    await write('clock', Date.parse('2024-05-01T02:00:00Z'));
    assert.equal(c.packets.filter((p) => p.cn === '1012')[1]!.cp, 'SystemTime=20240501100000');
    // The programmatic form.
    await h.instance.sendCommand('air', 'realtime-interval', 30);
    await h.instance.request('air', '1000', [['OverTime', '5'], ['ReCount', '3']]);
    assert.equal(c.packets.find((p) => p.cn === '1000')!.cp, 'OverTime=5;ReCount=3');
    c.close();
    await waitFor('offline', () => h.states('air').at(-1) === 'offline');
  });

  it('rejects with SG_COMMAND_FAILED carrying QnRtn when the station refuses the request', async () => {
    const c = await station(h, () => ({ qnRtn: 2 }));
    await assert.rejects(write('rtdInterval', 120), (err: Error & { code?: string; status?: string; point?: string }) => {
      assert.equal(err.code, 'SG_COMMAND_FAILED');
      assert.equal(err.status, 'hj212:QnRtn:2');
      assert.equal(err.point, 'rtdInterval');
      assert.match(err.message, /refused CN 1062: QnRtn=2 \(request refused\)/);
      return true;
    });
    c.close();
    await waitFor('offline', () => h.states('air').at(-1) === 'offline');
  });

  it('rejects with SG_COMMAND_FAILED carrying ExeRtn when execution fails', async () => {
    const c = await station(h, () => ({ qnRtn: 1, exeRtn: 5 }));
    await assert.rejects(write('rtdInterval', 120), (err: Error & { code?: string; status?: string }) => {
      assert.equal(err.code, 'SG_COMMAND_FAILED');
      assert.equal(err.status, 'hj212:ExeRtn:5');
      assert.match(err.message, /failed CN 1062: ExeRtn=5 \(system busy\)/);
      return true;
    });
    c.close();
    await waitFor('offline', () => h.states('air').at(-1) === 'offline');
  });

  it('rejects with SG_REQUEST_TIMEOUT when the station does not answer within the device timeout', async () => {
    const c = await station(h, (request) => (request.cn === '1012' ? { qnRtn: 1 } : 'silent'));
    await assert.rejects(h.instance.sendCommand('air', 'realtime-interval', 60, 200), { code: 'SG_REQUEST_TIMEOUT' });
    await assert.rejects(h.instance.sendCommand('air', 'set-time', null, 200), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SG_REQUEST_TIMEOUT');
      assert.match(err.message, /no execution result \(9012\)/);
      return true;
    });
    c.close();
    await waitFor('offline', () => h.states('air').at(-1) === 'offline');
  });

  it('rejects values a command cannot take, and writes to data points', async () => {
    await assert.rejects(write('rtdInterval', 5), { code: 'SG_WRITE_REJECTED' });
    await assert.rejects(write('rtdInterval', 'often'), { code: 'SG_WRITE_REJECTED' });
    await assert.rejects(write('pm25', 1), { code: 'SG_WRITE_REJECTED' });
  });
});

describe('command point configuration', () => {
  it('makes a command point write-only, with or without `writable: true`, and leaves data points read', () => {
    const device = testDevice(hj212, {
      id: 'd',
      connection: { host: '127.0.0.1', port: 0, mn: 'M1', password: PW },
      points: [
        { id: 'clock', command: 'set-time', writable: true },
        { id: 'rtdInterval', command: 'realtime-interval' },
        { id: 'pm25', code: 'a34004' },
      ],
    });
    const access = Object.fromEntries(device.points.map((p) => [p.id, [p.spec.direction, p.spec.writable]]));
    assert.deepEqual(access, { clock: ['write', true], rtdInterval: ['write', true], pm25: ['read', false] });
  });

  it('refuses a point with both code and command, or neither, naming the point', async () => {
    const instance = hj212.create(createTestContext()) as Hj212Instance;
    const device = (points: Array<Record<string, unknown>>) => testDevice(hj212, { id: 'd', connection: { host: '127.0.0.1', port: 0, mn: 'M1', password: PW }, points });
    await assert.rejects(instance.addDevice(device([{ id: 'p', code: 'a34004', command: 'set-time', writable: true }])), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SG_CONFIG_INVALID');
      assert.match(err.message, /point p: code: a point is either data \(`code`\) or a command \(`command`\), not both/);
      return true;
    });
    await assert.rejects(instance.addDevice(device([{ id: 'p' }])), /point p: code: a point needs `code`/);
    await assert.rejects(instance.addDevice(device([{ id: 'p', command: 'set-time', writable: false }])), /point p: writable: a command point is written: leave `writable` out/);
    await assert.rejects(
      instance.addDevice(device([{ id: 'p', command: 'set-time', direction: 'readwrite' }])),
      /point p: direction: a command point carries no data and cannot be read: `direction: readwrite` should be `write`/,
    );
    await assert.rejects(instance.addDevice(device([{ id: 'p', code: 'a34004', field: 'Banana' }])), /field Banana is not one of/);
    await instance.stop();
    const direct = hj212.point.safeParse({ code: 'a34004', command: 'set-time' });
    assert.equal(direct.success, false);
  });
});
