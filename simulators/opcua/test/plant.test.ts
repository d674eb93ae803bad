// A driver author points a real OPC UA client at the water plant: finds it by browsing, watches
// values move, writes setpoints and reads every built-in type back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import {
  AttributeIds,
  BrowseDirection,
  DataType,
  Int64ToBigInt,
  ReferenceTypeIds,
  VariableIds,
  VariantArrayType,
  coerceInt64,
  type ClientSession,
} from 'node-opcua';
import { PLANT_NAMESPACE, TYPE_VARIABLES, benchId } from '../src/index.js';
import { connect, nodeId, read, startSimulator } from './support/client.js';

async function browse(session: ClientSession, node: string) {
  const result = await session.browse({
    nodeId: node,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: ReferenceTypeIds.HierarchicalReferences,
    includeSubtypes: true,
    resultMask: 63,
  });
  assert.equal(result.statusCode.name, 'Good');
  return result.references ?? [];
}

async function browseNames(session: ClientSession, node: string): Promise<string[]> {
  return (await browse(session, node)).map((r) => r.browseName.name!);
}

describe('the water plant address space', () => {
  it('is found by browsing from Objects, in the plant namespace, with units, ranges and descriptions', async (t) => {
    const sim = await startSimulator(t, { pumps: 2 });
    const { session } = await connect(t, sim);

    const namespaces = await session.read({ nodeId: VariableIds.Server_NamespaceArray, attributeId: AttributeIds.Value });
    assert.equal(sim.namespaceIndex, 1);
    assert.equal((namespaces.value.value as string[])[sim.namespaceIndex], PLANT_NAMESPACE);

    assert.ok((await browseNames(session, 'ns=0;i=85')).includes('WaterPlant'));
    assert.deepEqual(await browseNames(session, nodeId(sim, 'WaterPlant')), ['IntakePumps', 'Tanks', 'Flows', 'Valves', 'Quality', 'Types']);
    assert.deepEqual(await browseNames(session, nodeId(sim, 'IntakePumps')), ['Pump1', 'Pump2']);
    const pump = await browseNames(session, nodeId(sim, 'Pump2'));
    for (const name of ['Running', 'Speed', 'Current', 'Fault', 'SpeedSetpoint']) assert.ok(pump.includes(name), name);
    assert.deepEqual((await browseNames(session, nodeId(sim, 'Quality'))).sort(), ['Chlorine', 'Turbidity']);

    const speed = nodeId(sim, 'Pump1.Speed');
    const [browseName, description, accessLevel] = await session.read([
      { nodeId: speed, attributeId: AttributeIds.BrowseName },
      { nodeId: speed, attributeId: AttributeIds.Description },
      { nodeId: speed, attributeId: AttributeIds.AccessLevel },
    ]);
    assert.equal(browseName!.value.value.name, 'Speed');
    assert.match(description!.value.value.text, /Pump 1 speed, %/);
    assert.equal(accessLevel!.value.value, 1, 'a measurement is read-only');
    const properties = await browse(session, speed);
    const property = (name: string) => properties.find((r) => r.browseName.name === name)!.nodeId;
    const [range, units] = await session.read([
      { nodeId: property('EURange'), attributeId: AttributeIds.Value },
      { nodeId: property('EngineeringUnits'), attributeId: AttributeIds.Value },
    ]);
    assert.deepEqual({ low: range!.value.value.low, high: range!.value.value.high }, { low: 0, high: 100 });
    assert.equal(units!.value.value.displayName.text, '%');
  });

  it('moves its values on every tick, plausibly', async (t) => {
    const sim = await startSimulator(t, { tick: 20 });
    const { session } = await connect(t, sim);
    const first = await read(session, sim, 'Tank1.Level');
    const changed = await waitFor('Tank1.Level to change', async () => {
      const now = await read(session, sim, 'Tank1.Level');
      return now.value.value !== first.value.value ? now : undefined;
    });
    assert.ok(changed.sourceTimestamp! > first.sourceTimestamp!);
    const level = changed.value.value as number;
    assert.ok(level > 2 && level < 4, `Tank1.Level ${level} m stays near its steady state`);
    assert.equal((await read(session, sim, 'Pump1.Running')).value.value, true);
    assert.equal((await read(session, sim, 'Pump3.Running')).value.value, false, 'pump 3 is on standby');
    const flow = (await read(session, sim, 'Intake.Flow')).value.value as number;
    assert.ok(flow > 150 && flow < 175, `intake ${flow} m3/h: pumps at 75 % and 60 % of 120 m3/h`);
    const chlorine = (await read(session, sim, 'Chlorine.Residual')).value.value as number;
    assert.ok(Math.abs(chlorine - 0.5) < 0.05, `chlorine residual ${chlorine}`);
  });

  it('accepts setpoint writes, the plant follows, and refuses out-of-range values and measurements', async (t) => {
    const sim = await startSimulator(t);
    const { session } = await connect(t, sim);
    const write = (id: string, value: number) =>
      session.write({ nodeId: nodeId(sim, id), attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value } } });

    assert.equal((await write('Pump1.SpeedSetpoint', 40)).name, 'Good');
    assert.equal((await read(session, sim, 'Pump1.SpeedSetpoint')).value.value, 40);
    assert.equal(sim.value('Pump1.SpeedSetpoint'), 40);
    await waitFor('Pump1.Speed to follow its setpoint', async () => Math.abs(((await read(session, sim, 'Pump1.Speed')).value.value as number) - 40) < 0.5);

    assert.equal((await write('Pump1.SpeedSetpoint', 140)).name, 'BadOutOfRange');
    assert.equal((await write('Chlorine.DoseSetpoint', -1)).name, 'BadOutOfRange');
    assert.equal((await read(session, sim, 'Pump1.SpeedSetpoint')).value.value, 40, 'a refused write changes nothing');
    assert.equal((await write('Pump1.Speed', 10)).name, 'BadNotWritable');

    assert.equal((await write('Pump3.SpeedSetpoint', 50)).name, 'Good');
    await waitFor('the standby pump to start', async () => (await read(session, sim, 'Pump3.Running')).value.value === true);
    sim.set('Pump3.SpeedSetpoint', 0);
    await waitFor('pump 3 to stop on setpoint 0', async () => (await read(session, sim, 'Pump3.Running')).value.value === false);
    assert.throws(() => sim.set('Pump3.SpeedSetpoint', 101), /Pump3\.SpeedSetpoint takes 0 to 100/);
  });

  it('serves one writable variable per built-in type, Int64 beyond 2^53 included', async (t) => {
    const sim = await startSimulator(t);
    const { session } = await connect(t, sim);
    const values = await session.read(TYPE_VARIABLES.map((v) => ({ nodeId: nodeId(sim, `Types.${v.name}`), attributeId: AttributeIds.Value })));
    values.forEach((dv, i) => {
      const v = TYPE_VARIABLES[i]!;
      assert.equal(dv.statusCode.name, 'Good', v.name);
      assert.equal(DataType[dv.value.dataType], v.dataType, v.name);
    });
    const int64 = values[TYPE_VARIABLES.findIndex((v) => v.name === 'Int64')]!;
    assert.equal(Int64ToBigInt(int64.value.value), 9007199254740993n);
    assert.equal(sim.value('Types.Int64'), 9007199254740993n);

    const status = await session.write({
      nodeId: nodeId(sim, 'Types.Int64'),
      attributeId: AttributeIds.Value,
      // node-opcua cannot guess Int64 from [high, low]: the array type must be said.
      value: { value: { dataType: DataType.Int64, arrayType: VariantArrayType.Scalar, value: coerceInt64('-9007199254740995') } },
    });
    assert.equal(status.name, 'Good');
    assert.equal(sim.value('Types.Int64'), -9007199254740995n);
    assert.equal(
      (await session.write({ nodeId: nodeId(sim, 'Types.Byte'), attributeId: AttributeIds.Value, value: { value: { dataType: DataType.String, value: 'x' } } })).name,
      'BadTypeMismatch',
    );

    sim.set('Types.LocalizedText', { locale: 'de', text: 'Wasserwerk' });
    const text = await read(session, sim, 'Types.LocalizedText');
    assert.deepEqual({ locale: text.value.value.locale, text: text.value.value.text }, { locale: 'de', text: 'Wasserwerk' });
    sim.set('Types.DoubleArray', [1, 2]);
    assert.deepEqual(Array.from((await read(session, sim, 'Types.DoubleArray')).value.value as Float64Array), [1, 2]);
    assert.throws(() => sim.set('Types.UInt16', 70000), /Types\.UInt16 is UInt16: expected a whole number from 0 to 65535, got 70000/);
    assert.throws(() => sim.value('Pump9.Speed'), /no variable "Pump9\.Speed"/);
  });

  it('adds bench variables that all change on every tick, and enforces the operation limits it advertises', async (t) => {
    const sim = await startSimulator(t, { benchVariables: 2000, tick: 20, operationLimits: { maxNodesPerRead: 1500 } });
    const { session } = await connect(t, sim);
    const limit = await session.read({ nodeId: VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead, attributeId: AttributeIds.Value });
    assert.equal(limit.value.value, 1500);

    const ids = [0, 999, 1999].map((i) => ({ nodeId: nodeId(sim, benchId(i)), attributeId: AttributeIds.Value }));
    const before = (await session.read(ids)).map((dv) => dv.value.value as number);
    await waitFor('every bench variable to change', async () => (await session.read(ids)).every((dv, i) => dv.value.value !== before[i]));

    const tooMany = Array.from({ length: 1501 }, (_, i) => ({ nodeId: nodeId(sim, benchId(i)), attributeId: AttributeIds.Value }));
    await assert.rejects(session.read(tooMany), (err: Error) => err.message.includes('BadTooManyOperations'));
    assert.equal((await session.read(tooMany.slice(0, 1500))).length, 1500);
  });
});
