// A field engineer writes a profile by hand: a good one loads, a bad one says where and what.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadProfile, startModbusSimulator } from '../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** The message of the error `fn` throws, after checking its code. */
function failure(fn: () => unknown, code: string): string {
  try {
    fn();
  } catch (err) {
    assert.equal((err as { code?: string }).code, code, (err as Error).message);
    return (err as Error).message;
  }
  assert.fail('expected an error');
}

async function tempProfile(t: { after(fn: () => Promise<void>): void }, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-modbus-profile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return join(dir, 'profile.yaml');
}

describe('profiles', () => {
  it('loads a profile with defaults filled in and CSV paths made absolute', () => {
    const profile = loadProfile(fixture('moving.yaml'));
    assert.equal(profile.name, 'moving');
    assert.equal(profile.points.length, 6);
    const level = profile.points.find((p) => p.id === 'level')!;
    assert.deepEqual([level.table, level.type, level.byteOrder, level.scale, level.offset, level.writable], ['holding', 'uint16', 'ABCD', 1, 0, false]);
    assert.equal(profile.points.find((p) => p.id === 'pump')!.type, 'bool', 'a coil is a bool without saying so');
    const csv = profile.simulate.level!;
    assert.equal(csv.kind, 'csv');
    assert.equal(csv.kind === 'csv' && csv.file, fixture('level.csv'));
    assert.equal(csv.kind === 'csv' && csv.interval, 100);
    const sine = profile.simulate.ph!;
    assert.equal(sine.kind === 'sine' && sine.period, 2000, 'durations in ms');
  });

  it('names the file, line and field of every problem', () => {
    const path = fixture('broken.yaml');
    const message = failure(() => loadProfile(path), 'SG_CONFIG_INVALID');
    assert.match(message, new RegExp(`${path}:6:5: points\\[1\\]\\.address: .*0`));
    assert.match(message, new RegExp(`${path}:7:5: points\\[1\\]\\.typo: unknown field "typo"`));
    assert.match(message, new RegExp(`${path}:8:5?\\d*: points\\[2\\]\\.type: coil points are single bits: type must be bool, got float32`));
    assert.match(message, new RegExp(`${path}:10:\\d+: simulate\\.ok\\.kind: must be one of "constant", "sine"`));
  });

  it('names both points that overlap', () => {
    const path = fixture('overlap.yaml');
    const message = failure(() => loadProfile(path), 'SG_CONFIG_INVALID');
    assert.match(message, new RegExp(`${path}:4:\\d+: points\\[1\\]\\.address: point "total" overlaps point "flow" in the holding table`));
    assert.doesNotMatch(message, /inputFlow/, 'the same address in another table is fine');
  });

  it('checks generators against their points and CSV files against their columns', async (t) => {
    const path = await tempProfile(t, {
      'profile.yaml': [
        'points:',
        '  - { id: label, address: 0, type: string, length: 2 }',
        '  - { id: flow, address: 2, type: float32 }',
        'simulate:',
        '  label: { kind: sine, min: 0, max: 1, period: 1s }',
        '  ghost: { kind: constant, value: 1 }',
        '  flow: { kind: csv, file: data.csv, column: flow }',
      ].join('\n'),
      'data.csv': 'time,level\n0,1\n',
    });
    const message = failure(() => loadProfile(path), 'SG_CONFIG_INVALID');
    assert.match(message, /profile\.yaml:5:\d+: simulate\.label\.kind: point "label" is a string; sine produces numbers/);
    assert.match(message, /profile\.yaml:6:\d+: simulate\.ghost: no point "ghost" to simulate/);
    assert.match(message, /profile\.yaml:7:\d+: simulate\.flow\.file: .*data\.csv:1: no column "flow"/);
  });

  it('reports YAML syntax errors with their line, and a missing file by name', async (t) => {
    const path = await tempProfile(t, { 'profile.yaml': 'points:\n  - { id: a, address: 0\n' });
    assert.match(failure(() => loadProfile(path), 'SG_CONFIG_YAML'), /profile\.yaml:\d+:\d+: /);
    assert.match(failure(() => loadProfile('/nowhere/x.yaml'), 'SG_CONFIG_NOT_FOUND'), /\/nowhere\/x\.yaml/);
  });

  it('validates points given in code as strictly as a profile file', async () => {
    await assert.rejects(
      startModbusSimulator({ port: 0, units: [{ unitId: 1, points: [{ id: 'a', address: 0, type: 'float32' }, { id: 'b', address: 1 }] }] }),
      (err: Error & { code?: string }) => err.code === 'SG_CONFIG_INVALID' && /point "b" overlaps point "a"/.test(err.message),
    );
    await assert.rejects(
      startModbusSimulator({ port: 0, units: [{ unitId: 1, points: [{ id: 'a', address: 0 }], simulate: { a: { kind: 'ramp', from: 0, to: 1 } as never } }] }),
      /units\[0\] \(unit 1\).*\n  simulate\.a\.period: is required/,
    );
  });

  it('serves inline points beside a profile, replacing profile points of the same id', async (t) => {
    const sim = await startModbusSimulator({
      port: 0,
      units: [
        {
          unitId: 5,
          profile: loadProfile(fixture('every-type.yaml')),
          points: [{ id: 'setpoint', address: 50, type: 'uint16' }, { id: 'extra', table: 'input', address: 9 }],
          simulate: { extra: { kind: 'constant', value: 9 } },
        },
      ],
    });
    t.after(() => sim.close());
    assert.equal(sim.value(5, 'extra'), 9);
    assert.equal(sim.value(5, 'setpoint'), 20, 'the profile\'s generator drives the point that replaced its own');
    assert.deepEqual(sim.readRegisters(5, 'holding', 50, 1), Buffer.from([0, 20]), 'at the new address, without scale');
    assert.deepEqual(sim.readRegisters(5, 'holding', 40, 1), Buffer.from([0, 0]), 'the old address holds nothing now');
    assert.equal(sim.points(5).length, 21);
  });
});

describe('the sample profile', () => {
  it('loads and serves what the README shows', async (t) => {
    const sample = fileURLToPath(new URL('../sample.yaml', import.meta.url));
    const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(sample) }] });
    t.after(() => sim.close());
    assert.equal(sim.value(1, 'serial'), 'SONDE-0001');
    assert.equal(sim.value(1, 'setpoint'), 2.5);
    assert.equal(sim.value(1, 'level'), 2.41);
    assert.equal(sim.value(1, 'running'), true);
  });
});
