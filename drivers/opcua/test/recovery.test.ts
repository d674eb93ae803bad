import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { allArrived, plant, startRig } from './support/plant.js';

const POINTS = ['Pump1.Speed', 'Pump2.Speed', 'Tank1.Level', 'Intake.Flow', 'Chlorine.Residual'];

test('after the server restarts, the session and every item come back on their own, once', async () => {
  const rig = await startRig();
  try {
    const device = rig.device({ id: 'plant', points: POINTS.map((id, i) => ({ id: `p${i}`, nodeId: plant(id) })) });
    await rig.run(device);
    await allArrived(rig, device);
    assert.deepEqual({ ...rig.sim.stats(), reads: 0, writes: 0 }, { sessions: 1, subscriptions: 1, monitoredItems: POINTS.length, reads: 0, writes: 0 });

    const from = rig.context.published.length;
    const restarted = Date.now();
    await rig.sim.restart({ downMs: 1500 });
    await waitFor('the device offline', () => rig.context.healthChanges.some((h) => h.device === 'plant' && h.state === 'offline'));
    await allArrived(rig, device, from, 10_000);
    const resumed = Date.now() - restarted;
    assert.ok(resumed < 10_000, `data resumed ${resumed} ms after the restart began`);
    // No duplicates: one session, one subscription, one item per point on the server.
    await waitFor('the server to count exactly one subscription', () => {
      const s = rig.sim.stats();
      return s.sessions === 1 && s.subscriptions === 1 && s.monitoredItems === POINTS.length;
    }, { timeout: 5000 });
    assert.equal(rig.instance.stats('plant').sessions, 2);
    // And the changes keep coming at the subscription's pace, not twice as fast.
    const window = rig.context.published.length;
    await new Promise((r) => setTimeout(r, 2000));
    const perPoint = rig.values('plant', 'p0', window).length;
    assert.ok(perPoint >= 3 && perPoint <= 14, `pump 1 speed changed ${perPoint} times in 2 s at a 200 ms publishing interval`);
  } finally {
    await rig.close();
  }
});

test('node ids by namespace URI follow a server that reorders its namespaces', async () => {
  const rig = await startRig();
  try {
    const device = rig.device({
      id: 'plant',
      points: [
        { id: 'byUri', nodeId: plant('Types.String') },
        { id: 'byIndex', nodeId: `ns=${rig.sim.namespaceIndex};s=Types.Int32` },
      ],
    });
    await rig.run(device);
    await allArrived(rig, device);
    const before = rig.sim.namespaceIndex;
    const from = rig.context.published.length;
    await rig.sim.restart({ reorderNamespaces: true });
    assert.notEqual(rig.sim.namespaceIndex, before, 'the plant namespace moved');
    await allArrived(rig, device, from, 10_000);
    assert.equal(rig.values('plant', 'byUri', from)[0]!.value, rig.sim.value('Types.String'));
    assert.equal(rig.values('plant', 'byIndex', from)[0]!.value, Number(rig.sim.value('Types.Int32')));
    assert.ok(rig.context.logs.some((l) => /moved from ns=\d to ns=\d/.test(l.message)), 'a warning recommends nsu=');
  } finally {
    await rig.close();
  }
});

test('the watchdog re-creates an item that went silent while its value moved', async () => {
  const rig = await startRig();
  try {
    const device = rig.device({
      id: 'plant',
      connection: { staleAfter: 1000 },
      points: [
        { id: 'speed', nodeId: plant('Pump1.Speed') },
        { id: 'flow', nodeId: plant('Intake.Flow') },
      ],
    });
    await rig.run(device);
    await allArrived(rig, device);
    assert.equal(rig.sim.dropMonitoredItems('Pump1.Speed'), 1);
    const from = rig.context.published.length;
    await waitFor('the item re-created', () => rig.instance.stats('plant').itemsRecreated >= 1, { timeout: 10_000 });
    const silentAt = rig.context.published.length;
    await waitFor('speed flowing again', () => rig.values('plant', 'speed', silentAt).length >= 3, { timeout: 10_000 });
    assert.ok(rig.values('plant', 'speed', from).every((v) => v.options.quality === 'good'));
    assert.equal(rig.sim.stats().monitoredItems, 2);
    assert.ok(rig.context.logs.some((l) => /silent for \d+ ms while its value moved; re-creating/.test(l.message)));
  } finally {
    await rig.close();
  }
});

test('an unchanging value is not stale; an unreachable one is marked stale, then good again', async () => {
  const rig = await startRig();
  try {
    rig.sim.freeze('Types.Double', true);
    const device = rig.device({
      id: 'plant',
      timeout: 500,
      connection: { staleAfter: 800, keepAliveCount: 100, lifetimeCount: 300 },
      points: [{ id: 'constant', nodeId: plant('Types.Double') }],
    });
    await rig.run(device);
    await allArrived(rig, device);
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(
      rig.values('plant', 'constant').map((v) => v.options.quality),
      ['good'],
      'a frozen value is checked by a read and left alone',
    );
    assert.equal(rig.instance.stats('plant').staleMarks, 0);

    // Now the server answers too slowly for the check: the point is marked stale.
    rig.sim.slow(1500);
    const stale = await waitFor('a stale mark', () => rig.values('plant', 'constant').find((v) => v.options.status === 'opcua:stale'), { timeout: 10_000 });
    assert.equal(stale.options.quality, 'uncertain');
    assert.equal(stale.value, rig.values('plant', 'constant')[0]!.value, 'the last value, marked uncertain');
    rig.sim.slow(0);
    rig.sim.freeze('Types.Double', false);
    rig.sim.set('Types.Double', 1.25);
    await waitFor('good again', () => rig.values('plant', 'constant').at(-1)?.options.quality === 'good' && rig.values('plant', 'constant').at(-1)?.value === 1.25, { timeout: 15_000 });
  } finally {
    await rig.close();
  }
});
