import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pollOnce, waitFor } from '@sensegate/sdk/testing';
import { allArrived, plant, startRig, type Rig } from './support/plant.js';

let rig: Rig;
before(async () => {
  rig = await startRig({ operationLimits: { maxNodesPerRead: 4, maxMonitoredItemsPerCall: 3 } });
});
after(() => rig.close());

test('subscribed values arrive with source timestamps and status-derived quality', async () => {
  const device = rig.device({
    id: 'plant',
    points: [
      { id: 'speed', nodeId: plant('Pump1.Speed') },
      { id: 'level', nodeId: plant('Tank1.Level') },
      { id: 'running', nodeId: plant('Pump1.Running') },
      { id: 'turbidity', nodeId: plant('Turbidity') },
    ],
  });
  await rig.run(device);
  await allArrived(rig, device);
  const speed = rig.values('plant', 'speed')[0]!;
  assert.equal(typeof speed.value, 'number');
  assert.equal(speed.options.quality, 'good');
  assert.equal(speed.options.status, undefined);
  assert.ok(speed.options.ts !== undefined && Math.abs(speed.options.ts - Date.now()) < 60_000, 'the source timestamp is carried');
  assert.equal(typeof rig.values('plant', 'running')[0]!.value, 'boolean');
  assert.ok(rig.context.healthChanges.some((h) => h.device === 'plant' && h.state === 'online'));

  // A sensor failure on the server becomes a bad reading naming the status.
  const from = rig.context.published.length;
  rig.sim.badStatus('Tank1.Level', 'BadSensorFailure');
  const bad = await waitFor('a bad level', () => rig.values('plant', 'level', from).find((p) => p.options.quality === 'bad'));
  assert.equal(bad.options.status, 'opcua:BadSensorFailure');
  assert.equal(bad.value, null);
  rig.sim.badStatus('Tank1.Level', 'UncertainSensorNotAccurate');
  const uncertain = await waitFor('an uncertain level', () => rig.values('plant', 'level', from).find((p) => p.options.quality === 'uncertain'));
  assert.equal(uncertain.options.status, 'opcua:UncertainSensorNotAccurate');
  assert.equal(typeof uncertain.value, 'number');
  rig.sim.badStatus('Tank1.Level', undefined);
  await waitFor('a good level again', () => rig.values('plant', 'level', from).at(-1)?.options.quality === 'good');
  await rig.instance.removeDevice('plant');
});

test('items and reads are split to fit the server operation limits', async () => {
  // The server takes 3 monitored items per call and 4 nodes per read; a bigger call would fail with BadTooManyOperations.
  const ids = ['Pump1.Speed', 'Pump2.Speed', 'Pump3.Speed', 'Pump1.Current', 'Pump2.Current', 'Pump3.Current', 'Tank1.Level', 'Tank2.Level'];
  const device = rig.device({
    id: 'limits',
    points: [
      ...ids.map((id, i) => ({ id: `sub${i}`, nodeId: plant(id) })),
      ...ids.map((id, i) => ({ id: `poll${i}`, nodeId: plant(id), mode: 'poll' })),
      { id: 'pollArray', nodeId: plant('Types.DoubleArray'), mode: 'poll' },
    ],
  });
  await rig.run(device);
  const subscribed = device.points.filter((p) => p.spec.mode === 'subscribe');
  await waitFor('every subscribed point', () => subscribed.every((p) => rig.values('limits', p.id).some((v) => v.options.quality === 'good')));
  assert.deepEqual(rig.instance.stats('limits').limits.read, 4);
  assert.deepEqual(rig.instance.stats('limits').limits.monitoredItemsPerCall, 3);

  const polled = device.points.filter((p) => rig.instance.polls(device, p));
  assert.equal(polled.length, ids.length + 1);
  const result = await pollOnce(rig.instance, device, polled);
  assert.deepEqual(result.unset, []);
  for (const p of result.points) assert.equal(p.quality, 'good', `${p.id}: ${p.error?.message}`);
  const array = result.points.find((p) => p.id === 'pollArray')!;
  assert.ok(Array.isArray(array.value) && array.value.length === 5, 'an array variable arrives as an array');
  assert.ok(result.points[0]!.sourceTs !== undefined, 'polled reads carry the source timestamp');
  await rig.instance.removeDevice('limits');
});

test('a write to a setpoint is coerced to its type and read back; a bad one is refused by name', async () => {
  const device = rig.device({
    id: 'writer',
    points: [
      { id: 'setpoint', nodeId: plant('Pump2.SpeedSetpoint'), writable: true, mode: 'poll' },
      { id: 'int64', nodeId: plant('Types.Int64'), writable: true, mode: 'poll' },
      { id: 'byte', nodeId: plant('Types.Byte'), writable: true, mode: 'poll' },
      { id: 'level', nodeId: plant('Tank1.Level'), writable: true, mode: 'poll' },
    ],
  });
  await rig.run(device);
  const [setpoint, int64, byte, level] = device.points as [typeof device.points[0], typeof device.points[0], typeof device.points[0], typeof device.points[0]];
  await rig.instance.write(device, setpoint, '63.5');
  const read = await pollOnce(rig.instance, device, [setpoint]);
  assert.equal(read.points[0]!.value, 63.5);
  assert.equal(rig.sim.value('Pump2.SpeedSetpoint'), 63.5);

  await rig.instance.write(device, int64, '9007199254740993');
  assert.equal((await pollOnce(rig.instance, device, [int64])).points[0]!.value, '9007199254740993');

  await assert.rejects(rig.instance.write(device, byte, 256), /point byte .*256 does not fit Byte/);
  await assert.rejects(rig.instance.write(device, setpoint, 150), (err: Error & { code?: string; status?: string }) => {
    assert.equal(err.code, 'SG_WRITE_REJECTED');
    assert.equal(err.status, 'opcua:BadOutOfRange');
    return true;
  });
  await assert.rejects(rig.instance.write(device, level, 1), /refused the write: Bad(NotWritable|UserAccessDenied)/);
  await rig.instance.removeDevice('writer');
});

test('an unknown node is a bad reading naming the status; the other points still arrive', async () => {
  const device = rig.device({
    id: 'unknown',
    points: [
      { id: 'missing', nodeId: plant('NoSuch.Node') },
      { id: 'gone', nodeId: 'nsu=urn:nowhere;s=X' },
      { id: 'flow', nodeId: plant('Intake.Flow') },
    ],
  });
  await rig.run(device);
  const missing = await waitFor('the missing point', () => rig.values('unknown', 'missing')[0]);
  assert.equal(missing.options.quality, 'bad');
  assert.equal(missing.options.status, 'opcua:BadNodeIdUnknown');
  const gone = await waitFor('the unresolvable point', () => rig.values('unknown', 'gone')[0]);
  assert.equal(gone.options.status, 'opcua:BadNodeIdUnknown');
  assert.ok(rig.context.logs.some((l) => /has no namespace urn:nowhere/.test(l.message)));
  await waitFor('flow', () => rig.values('unknown', 'flow').find((v) => v.options.quality === 'good'));
  await rig.instance.removeDevice('unknown');
});
