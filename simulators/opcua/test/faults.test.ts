// The plant misbehaves on demand, the way a gateway must survive: a failed sensor, a stuck value,
// a slow server, a server restart, namespaces that move, and the subscriptions a client keeps.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { AttributeIds, TimestampsToReturn, VariableIds, type DataValue } from 'node-opcua';
import { PLANT_NAMESPACE } from '../src/index.js';
import { connect, newClient, nodeId, read, startSimulator } from './support/client.js';

describe('faults', () => {
  it('badStatus shows on reads and in subscription notifications until cleared', async (t) => {
    const sim = await startSimulator(t);
    const { session } = await connect(t, sim);
    const subscription = await session.createSubscription2({ requestedPublishingInterval: 50, requestedMaxKeepAliveCount: 20, requestedLifetimeCount: 200, publishingEnabled: true });
    const seen: DataValue[] = [];
    const item = await subscription.monitor({ nodeId: nodeId(sim, 'Tank1.Level'), attributeId: AttributeIds.Value }, { samplingInterval: 0, queueSize: 10 }, TimestampsToReturn.Both);
    item.on('changed', (dv: DataValue) => seen.push(dv));

    sim.badStatus('Tank1.Level', 'BadSensorFailure');
    assert.equal((await read(session, sim, 'Tank1.Level')).statusCode.name, 'BadSensorFailure');
    await waitFor('a BadSensorFailure notification', () => seen.some((dv) => dv.statusCode.name === 'BadSensorFailure'));
    await delay(100);
    assert.equal((await read(session, sim, 'Tank1.Level')).statusCode.name, 'BadSensorFailure', 'the status stays while the value moves');

    sim.badStatus('Tank1.Level', undefined);
    assert.equal((await read(session, sim, 'Tank1.Level')).statusCode.name, 'Good');
    await waitFor('a Good notification again', () => seen.at(-1)?.statusCode.name === 'Good');
    assert.throws(() => sim.badStatus('Tank1.Level', 'BadNoSuchThing'), /unknown status code "BadNoSuchThing"/);
    await subscription.terminate();
  });

  it('freeze holds a value and its source timestamp; unfreeze lets it move again', async (t) => {
    const sim = await startSimulator(t, { tick: 20 });
    const { session } = await connect(t, sim);
    sim.freeze('Tank1.Level', true);
    const held = await read(session, sim, 'Tank1.Level');
    await delay(200);
    const later = await read(session, sim, 'Tank1.Level');
    assert.equal(later.value.value, held.value.value);
    assert.equal(later.sourceTimestamp!.getTime(), held.sourceTimestamp!.getTime());
    assert.notEqual((await read(session, sim, 'Tank2.Level')).sourceTimestamp!.getTime(), held.sourceTimestamp!.getTime(), 'other values move on');

    sim.freeze('Tank1.Level', false);
    await waitFor('Tank1.Level to move again', async () => (await read(session, sim, 'Tank1.Level')).value.value !== held.value.value);
  });

  it('slow delays every response by at least the delay', async (t) => {
    const sim = await startSimulator(t);
    const { session } = await connect(t, sim);
    sim.slow(400);
    let started = Date.now();
    assert.equal((await read(session, sim, 'Pump1.Speed')).statusCode.name, 'Good');
    assert.ok(Date.now() - started >= 400, `the read took ${Date.now() - started} ms`);
    started = Date.now();
    await session.browse(nodeId(sim, 'WaterPlant'));
    assert.ok(Date.now() - started >= 400, `the browse took ${Date.now() - started} ms`);
    sim.slow(0);
    assert.equal((await read(session, sim, 'Pump1.Speed')).statusCode.name, 'Good');
  });

  it('restart drops every client, stays down, and accepts clients again on the same port with the same certificate', async (t) => {
    const sim = await startSimulator(t);
    const certificate = await readFile(sim.certificateFile, 'utf8');
    const { client, session } = await connect(t, sim);
    await session.write({ nodeId: nodeId(sim, 'Types.String'), attributeId: AttributeIds.Value, value: { value: { dataType: 'String', value: 'kept' } } });
    let lost = false;
    client.on('connection_lost', () => (lost = true));

    const restarted = sim.restart({ downMs: 300 });
    await waitFor('the client to see the connection drop', () => lost);
    await waitFor('the server to be down', () => !sim.running);
    assert.equal(sim.stats().sessions, 0);
    await restarted;

    assert.ok(sim.running);
    const again = await connect(t, sim);
    assert.equal(new URL(sim.endpoint.replace('opc.tcp', 'http')).port, String(sim.port));
    assert.equal((await read(again.session, sim, 'Types.String')).value.value, 'kept', 'values survive a restart');
    assert.equal(await readFile(sim.certificateFile, 'utf8'), certificate);
    assert.equal(sim.stats().sessions, 1);
  });

  it('reorderNamespaces moves the plant to another index, at start or on restart', async (t) => {
    const sim = await startSimulator(t);
    assert.equal(sim.namespaceIndex, 1);
    await sim.restart({ reorderNamespaces: true });
    assert.equal(sim.namespaceIndex, 2);
    const { session } = await connect(t, sim);
    const namespaces = (await session.read({ nodeId: VariableIds.Server_NamespaceArray, attributeId: AttributeIds.Value })).value.value as string[];
    assert.equal(namespaces.indexOf(PLANT_NAMESPACE), 2);
    assert.equal((await session.read({ nodeId: 'ns=2;s=Pump1.Speed', attributeId: AttributeIds.Value })).statusCode.name, 'Good');
    assert.equal((await session.read({ nodeId: 'ns=1;s=Pump1.Speed', attributeId: AttributeIds.Value })).statusCode.name, 'BadNodeIdUnknown');

    const reordered = await startSimulator(t, { reorderNamespaces: true });
    assert.equal(reordered.namespaceIndex, 2);
  });

  it('stats count the sessions, subscriptions and monitored items alive, and the reads and writes served', async (t) => {
    const sim = await startSimulator(t);
    const { session } = await connect(t, sim);
    const before = sim.stats();
    assert.equal(before.sessions, 1);
    assert.deepEqual([before.subscriptions, before.monitoredItems], [0, 0]);

    const subscription = await session.createSubscription2({ requestedPublishingInterval: 50, requestedMaxKeepAliveCount: 20, requestedLifetimeCount: 200, publishingEnabled: true });
    const values = new Map<string, unknown>();
    const ids = ['Pump1.Speed', 'Tank1.Level', 'Intake.Flow'];
    const group = await subscription.monitorItems(
      ids.map((id) => ({ nodeId: nodeId(sim, id), attributeId: AttributeIds.Value })),
      { samplingInterval: 50, queueSize: 1 },
      TimestampsToReturn.Both,
    );
    group.on('changed', (item, dv: DataValue, index: number) => values.set(ids[index]!, dv.value.value));
    await waitFor('a notification for every item', () => values.size === 3);
    assert.deepEqual({ ...sim.stats(), reads: 0, writes: 0 }, { sessions: 1, subscriptions: 1, monitoredItems: 3, reads: 0, writes: 0 });

    await read(session, sim, 'Pump1.Speed');
    await session.write({ nodeId: nodeId(sim, 'Pump1.SpeedSetpoint'), attributeId: AttributeIds.Value, value: { value: { dataType: 'Double', value: 50 } } });
    const after = sim.stats();
    assert.equal(after.reads, before.reads + 1);
    assert.equal(after.writes, before.writes + 1);

    await subscription.terminate();
    await waitFor('the subscription to be gone', () => sim.stats().subscriptions === 0 && sim.stats().monitoredItems === 0);
    const client = await newClient(t);
    await client.connect(sim.endpoint);
    await client.createSession();
    await waitFor('two sessions', () => sim.stats().sessions === 2);
  });
});
