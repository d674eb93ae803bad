// The conformance kit against a real meter on a real socket: a correct driver passes, and each
// mistake a vendor makes (a signal ignored, a timer left running, a connection never re-made, a
// refusal without a code) is caught with a message naming the driver, the device, the point and
// what to fix. A write-only point is accepted and written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkDriver, createTestContext, pollOnce, sendCommand, testDevice } from '../src/testing/index.js';
import { LineMeter, leakedTimers, lineMeterDriver, type Mistakes } from './support/line-meter.js';

describe('conformance kit: reads, writes, deadlines, restarts and leaks', () => {
  const meter = new LineMeter();
  before(() => meter.start());
  after(() => meter.stop());

  const deviceOf = (driver: ReturnType<typeof lineMeterDriver>, points: Array<Record<string, unknown>> = [
    { id: 'energy', register: 1, unit: 'kWh' },
    { id: 'limit', register: 2, direction: 'readwrite' },
  ]) => testDevice(driver, { id: 'meter-1', connection: { port: meter.port }, points, timeout: 300, reconnect: { initialDelay: 50, maxDelay: 200 } });

  /** `stall: false` leaves out the silent-device check (its abort drops the connection too). */
  async function check(mistakes: Mistakes = {}, points?: Array<Record<string, unknown>>, { stall = true } = {}) {
    const driver = lineMeterDriver(mistakes);
    return checkDriver(driver, {
      device: deviceOf(driver, points),
      unreachable: testDevice(driver, { id: 'gone', connection: { port: 1 }, points: [{ id: 'energy', register: 1 }], timeout: 300 }),
      writes: { limit: { value: 9, refused: -1 } },
      commands: { zero: { args: { register: 2 } } },
      ...(stall
        ? {
            stall: async () => {
              meter.stalled = true;
              return async () => void (meter.stalled = false);
            },
          }
        : {}),
      restart: async () => {
        await meter.stop();
        await meter.start();
      },
      reconnectTimeout: 5000,
    });
  }

  it('passes a correct driver', async () => {
    assert.deepEqual(await check(), []);
  });

  it('writes the writable points and runs the commands against the device', async () => {
    meter.registers.set(2, 7);
    assert.deepEqual(await check({}, [{ id: 'limit', register: 2, direction: 'readwrite' }]), []);
    assert.equal(meter.registers.get(2), 0, 'written 9, then zeroed by the command');
  });

  it('accepts a write-only point: never reads it, writes it', async () => {
    const driver = lineMeterDriver();
    const device = deviceOf(driver, [{ id: 'relay', register: 5, direction: 'write' }]);
    meter.registers.delete(5); // a read of register 5 would fail: the kit must not read it
    const problems = await checkDriver(driver, { device, writes: { relay: { value: 1 } }, commands: { zero: { args: { register: 6 } } } });
    assert.deepEqual(problems, []);
    assert.equal(meter.registers.get(5), 1);
    assert.deepEqual((await pollOnce(driver.create(createTestContext()), device)).points, [], 'pollOnce leaves write-only points out too');
  });

  it('catches a driver that ignores batch.signal', async () => {
    const problems = await check({ ignoresSignal: true });
    assert.ok(
      problems.some((p) => /^line-meter: device meter-1: read\(\) did not settle within \d+ ms of batch\.signal aborting .* listen to batch\.signal/.test(p)),
      problems.join('\n'),
    );
  });

  it('catches a read that hangs on a reachable device', async () => {
    const problems = await check({ hangs: true }, undefined, { stall: false });
    assert.ok(
      problems.some((p) =>
        /^line-meter: device meter-1: read\(\) of a reachable device neither settled within its timeout \(300 ms\) nor within \d+ ms of batch\.signal aborting: end every request/.test(p),
      ),
      problems.join('\n'),
    );
  });

  it('catches a driver that leaves a timer running after stop()', async () => {
    try {
      const problems = await check({ leaksTimer: true }); // one timer for each device added: the meter and the unreachable one
      assert.deepEqual(problems, ['line-meter: 2 Timeout still active after stop(): close every socket and server and clear every timer in removeDevice() and stop()']);
    } finally {
      for (const t of leakedTimers.splice(0)) clearInterval(t);
    }
  });

  it('catches a driver that never reconnects after its device restarts', async () => {
    const problems = await check({ neverReconnects: true }, undefined, { stall: false });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^line-meter: device meter-1: no good values within 5000 ms of its simulator restarting on the same port \(last: point energy: SG_NOT_CONNECTED\): reconnect with backoff/);
  });

  it('catches a refusal without a code, which the platform would see as SG_DRIVER_FAILURE', async () => {
    const problems = await check({ plainRefusal: true });
    assert.deepEqual(problems, [
      'line-meter: device meter-1, point limit: a refused write(-1) failed with a plain Error ("meter said ERR") that reaches the platform as SG_DRIVER_FAILURE: reject with a SensegateError such as SG_WRITE_REJECTED',
    ]);
  });

  it('checks command arguments against the schema before the driver, as the gateway does', async () => {
    const driver = lineMeterDriver();
    const instance = driver.create(createTestContext());
    const device = deviceOf(driver);
    await instance.addDevice(device);
    try {
      await assert.rejects(sendCommand(driver, instance, device, 'zero', { register: 2, force: true }), {
        code: 'SG_COMMAND_REJECTED',
        message: 'zero: args.force: unknown field "force"',
      });
      await assert.rejects(sendCommand(driver, instance, device, 'zero', { register: 'two' }), { code: 'SG_COMMAND_REJECTED', message: /^zero: args\.register: / });
      await assert.rejects(sendCommand(driver, instance, device, 'reboot', {}), { code: 'SG_COMMAND_REJECTED', message: /has no command "reboot"; it has zero/ });
      assert.deepEqual(await sendCommand(driver, instance, device, 'zero', { register: 1 }), { register: 1, value: 0 });
    } finally {
      await instance.stop();
    }
  });

  it('refuses a point whose writable and direction contradict, saying what to write', () => {
    const driver = lineMeterDriver();
    assert.throws(() => deviceOf(driver, [{ id: 'relay', register: 5, direction: 'write', writable: false }]), {
      code: 'SG_CONFIG_INVALID',
      message: /point relay: writable: `writable: false` contradicts `direction: write`: leave `writable` out/,
    });
    const legacy = deviceOf(driver, [{ id: 'limit', register: 2, writable: true }]);
    assert.deepEqual([legacy.points[0]!.spec.writable, legacy.points[0]!.spec.direction], [true, 'readwrite']);
  });
});
