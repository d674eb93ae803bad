// The conformance kit checks push drivers too: what they publish once the device speaks.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineDriver, type DriverContext } from '../src/index.js';
import { checkDriver, createTestContext, testDevice } from '../src/testing/index.js';

/** A push driver whose device "speaks" when the test emits on `line`; `mistakes` makes it misbehave. */
function lineDriver(line: EventEmitter, mistakes: { unknownPoint?: boolean; noHealth?: boolean } = {}) {
  return defineDriver({
    name: 'line',
    version: '1.0.0',
    description: 'Test driver: publishes what arrives on an in-process line.',
    connection: z.object({ channel: z.string().describe('Line channel.') }).strict(),
    point: z.object({}).strict(),
    create: (context: DriverContext) => {
      const devices = new Map<string, string>();
      const onLine = (channel: string, value: number) => {
        for (const [id, ch] of devices) {
          if (ch !== channel) continue;
          if (!mistakes.noHealth) context.health(id, 'online');
          context.publish(id, mistakes.unknownPoint ? 'stray' : 'level', value);
        }
      };
      line.on('report', onLine);
      return {
        addDevice: (d) => void devices.set(d.id, (d.connection as { channel: string }).channel),
        removeDevice: (id) => void devices.delete(id),
        stop: async () => void line.off('report', onLine),
      };
    },
  });
}

async function check(mistakes?: { unknownPoint?: boolean; noHealth?: boolean }) {
  const line = new EventEmitter();
  const driver = lineDriver(line, mistakes);
  const context = createTestContext();
  const device = testDevice(driver, { id: 'gauge', connection: { channel: 'a' }, points: [{ id: 'level', unit: 'm' }] });
  return checkDriver(driver, {
    device,
    instance: driver.create(context),
    push: { context, speak: async () => void line.emit('report', 'a', 1.25), timeout: 2000 },
  });
}

describe('conformance kit: push drivers', () => {
  it('passes a push driver that publishes its configured points and reports health', async () => {
    assert.deepEqual(await check(), []);
  });

  it('names a value published for a point that is not configured', async () => {
    assert.deepEqual(await check({ unknownPoint: true }), [
      'line: device gauge, point stray: values were published for points that are not configured: publish configured points only',
    ]);
  });

  it('names a device that spoke without being reported online', async () => {
    assert.deepEqual(await check({ noHealth: true }), [
      "line: device gauge: the device spoke but was never reported online: call context.health(device, 'online') when it does",
    ]);
  });

  it('asks for a way to make the device speak rather than polling a driver without read()', async () => {
    const driver = lineDriver(new EventEmitter());
    const device = testDevice(driver, { id: 'gauge', connection: { channel: 'a' }, points: [{ id: 'level' }] });
    const problems = await checkDriver(driver, { device, instance: driver.create(createTestContext()) });
    assert.match(problems.join('\n'), /no read\(\): pass `push: \{ context, speak \}`/);
  });
});
