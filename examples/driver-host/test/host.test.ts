// A vendor's test of its driver, using only the SDK's conformance kit: no gateway needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDefinition, checkDriver, createTestContext, pollOnce, testDevice } from '@sensegate/sdk/testing';
import driver from '../src/index.js';

const points = [
  { id: 'load', metric: 'load1' },
  { id: 'mem', metric: 'memoryUsedPercent', unit: '%' },
  { id: 'disk', metric: 'diskUsedPercent', unit: '%' },
  { id: 'up', metric: 'uptime', unit: 's' },
];

describe('host driver (example third-party driver)', () => {
  it('has a conforming definition', () => {
    assert.deepEqual(checkDefinition(driver), []);
  });

  it('reads every metric of the box it runs on', async () => {
    const instance = driver.create(createTestContext());
    const device = testDevice(driver, { id: 'box', connection: { disk: '/' }, points });
    await instance.addDevice(device);
    const result = await pollOnce(instance, device);
    assert.deepEqual(result.unset, []);
    for (const p of result.points) {
      assert.equal(p.quality, 'good', p.id);
      assert.equal(typeof p.value, 'number', p.id);
    }
    const mem = result.points.find((p) => p.id === 'mem')!.value as number;
    assert.ok(mem > 0 && mem < 100);
    await instance.stop();
  });

  it('fails only the disk points, with a retryable error, when the disk path is gone', async () => {
    const instance = driver.create(createTestContext());
    const device = testDevice(driver, { id: 'box', connection: { disk: '/nonexistent/disk' }, points });
    await instance.addDevice(device);
    const result = await pollOnce(instance, device);
    const disk = result.points.find((p) => p.id === 'disk')!;
    assert.equal(disk.quality, 'bad');
    assert.equal(disk.error?.retryable, true);
    assert.match(disk.error!.message, /nonexistent/);
    assert.equal(result.points.find((p) => p.id === 'up')!.quality, 'good');
    await instance.stop();
  });

  it('refuses two points reading the same metric when the device is added', async () => {
    const instance = driver.create(createTestContext());
    const device = testDevice(driver, { id: 'box', connection: {}, points: [points[0]!, { id: 'load-again', metric: 'load1' }] });
    await assert.rejects(async () => instance.addDevice(device), /points "load" and "load-again" both read metric load1/);
  });

  it('meets the driver contract', async () => {
    const device = testDevice(driver, { id: 'box', connection: {}, points });
    const problems = await checkDriver(driver, { device, instance: driver.create(createTestContext()) });
    assert.deepEqual(problems, []);
  });
});
