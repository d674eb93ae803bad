// Pipelines and derived points in the configuration file: a good file resolves every step with its
// defaults, and each kind of mistake is reported with its file, line and field path, all at once.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger, type Reading } from '@sensegate/sdk';
import Ajv2020 from 'ajv/dist/2020.js';
import { ConfigError, formatIssue, loadConfigFile } from '../src/index.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { PointNormalizer } from '../src/runtime/normalize.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sensegate-pipeline-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The 1-based line of the first line of `text` containing `marker`. */
const lineOf = (text: string, marker: string) => text.split('\n').findIndex((l) => l.includes(marker)) + 1;

const SONDE = `
  - id: sonde-1
    driver: modbus
    connection: { host: 127.0.0.1, port: 5020, unitId: 1 }
`;

describe('pipeline configuration', () => {
  it('resolves steps with their defaults, the device pipeline for points without their own, and derived points', async () => {
    const text = `gateway: { id: site }
devices:${SONDE}    pipeline:
      - deadband: { absolute: 0.05 }
    points:
      - { id: ph, table: holding, address: 0, type: float32, unit: pH }
      - id: turbidity
        table: holding
        address: 2
        type: float32
        pipeline:
          - range: { min: 0, max: 4000 }
          - window: { size: 1m }
      - { id: raw, table: holding, address: 4, type: uint16, pipeline: [] }
    derived:
      - id: ph.hour.max
        from: ph
        pipeline: [ { window: { size: 1h, function: max } } ]
      - { id: doubled, expression: 'turbidity * 2', unit: NTU }
`;
    const { config } = await loadConfigFile(await write('good.yaml', text));
    const [device] = config.devices;
    const steps = (id: string) => {
      const point = device!.points.find((p) => p.id === id)!;
      return (point.pipeline ?? device!.pipeline ?? []).map((s) => [s.step.name, s.options]);
    };
    assert.deepEqual(steps('ph'), [['deadband', { absolute: 0.05 }]], 'the device pipeline applies to a point without its own');
    assert.deepEqual(steps('raw'), [], '`pipeline: []` opts a point out');
    const [range, window] = steps('turbidity');
    assert.deepEqual(range, ['range', { min: 0, max: 4000, drop: false }]);
    assert.equal(window![0], 'window');
    assert.equal((window![1] as { size: number }).size, 60_000, 'durations are parsed');
    assert.equal((window![1] as { function: string }).function, 'avg', 'the window averages by default');
    assert.deepEqual(device!.derived.map((d) => [d.id, d.source.kind, d.inputs.map((i) => i.point)]), [
      ['ph.hour.max', 'from', ['ph']],
      ['doubled', 'expression', ['turbidity']],
    ]);
  });

  it('reports every mistake with its file, line and path', async () => {
    const text = `gateway: { id: site }
devices:${SONDE}    points:
      - id: ph
        table: holding
        address: 0
        type: float32
        pipeline:
          - deadbnd: { absolute: 1 }
          - window: { size: ten minutes }
          - range: { min: 10, max: 0 }
          - { deadband: {}, range: { max: 1 } }
      - { id: pumpCommand, table: coil, address: 0, direction: write }
    derived:
      - { id: bad-syntax, expression: 'ph * * 2' }
      - { id: unknown-input, expression: 'ph + nope' }
      - { id: a, expression: 'b + 1' }
      - { id: b, expression: 'a + 1' }
      - { id: none }
      - { id: reads-write-only, expression: 'pumpCommand * 2' }
`;
    const file = await write('bad.yaml', text);
    let issues: string[] = [];
    try {
      await loadConfigFile(file);
      assert.fail('the file was accepted');
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      issues = err.issues.map(formatIssue);
    }
    const expect = (marker: string, path: string, message: RegExp) => {
      const line = lineOf(text, marker);
      const found = issues.find((i) => i.startsWith(`${file}:${line}:`) && i.includes(path) && message.test(i));
      assert.ok(found, `expected a problem at line ${line}, ${path}, matching ${message}; got:\n${issues.join('\n')}`);
    };
    expect('deadbnd', 'devices[0].points[0].pipeline[0]', /"deadbnd" is not a built-in step \(deadband, throttle, range, spike, window, alarm\)/);
    expect('ten minutes', 'devices[0].points[0].pipeline[1].window.size', /duration/);
    expect('min: 10, max: 0', 'devices[0].points[0].pipeline[2].range', /min \(10\) is greater than max \(0\)/);
    expect('{ deadband: {}, range', 'devices[0].points[0].pipeline[3]', /one key/);
    expect('bad-syntax', 'devices[0].derived[0].expression', /column/);
    expect('unknown-input', 'devices[0].derived[1].expression', /reads nope, which is not an enabled point of device "sonde-1"/);
    expect('{ id: a,', 'devices[0].derived[2].id', /in a circle: sonde-1\/a -> sonde-1\/b -> sonde-1\/a/);
    expect('{ id: none }', 'devices[0].derived[4]', /needs one of `expression`, `from` or `aqi`/);
    expect('reads-write-only', 'devices[0].derived[5].expression', /reads pumpCommand, a write-only point of device "sonde-1" \(`direction: write`\) that has no readings: read it with `direction: readwrite`/);
  });

  it('refuses a step package that is not installed, naming it', async () => {
    const text = `gateway: { id: site }
devices:${SONDE}    points:
      - { id: ph, table: holding, address: 0, type: float32, pipeline: [ { '@acme/sensegate-kalman': { q: 1 } } ] }
`;
    await assert.rejects(loadConfigFile(await write('package.yaml', text)), (err: ConfigError) => {
      const all = err.issues.map(formatIssue).join('\n');
      assert.match(all, /"@acme\/sensegate-kalman" is not a built-in step .* no npm package of that name is installed/);
      return true;
    });
  });

  it('loads a step package by name, as it loads a driver package, and runs it', async () => {
    const text = `gateway: { id: site }
devices:
  - id: box
    driver: sensegate-driver-host
    connection: { disk: / }
    points:
      - { id: load, metric: load1, decimals: 2, pipeline: [ { sensegate-step-ema: { alpha: 0.5 } } ] }
`;
    const { config } = await loadConfigFile(await write('step-package.yaml', text));
    const [device] = config.devices;
    const point = device!.points[0]!;
    assert.deepEqual(point.pipeline!.map((s) => [s.step.name, s.options]), [['sensegate-step-ema', { alpha: 0.5, maxGap: 600_000 }]]);
    const out: Reading[] = [];
    const normalizer = new PointNormalizer('box', point);
    const pipeline = new Pipeline({ out: { reading: (r) => out.push(r), event: () => {} }, log: silentLogger });
    pipeline.build(config.devices, () => new Map([['load', normalizer]]));
    for (const [s, value] of [[0, 1], [10, 2], [20, 2]] as const) pipeline.reading({ device: 'box', point: 'load', ts: s * 1000, value, quality: 'good' }, normalizer);
    assert.deepEqual(out.map((r) => r.value), [1, 1.5, 1.75]);
  });

  it('gives editors the built-in steps\' options in the JSON Schema, and lets package steps through', async () => {
    const schema = JSON.parse(await readFile(new URL('../../docs/config.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv2020.default({ strict: false }).compile(schema);
    const site = (pipeline: unknown[]) => ({
      gateway: { id: 'site' },
      devices: [{ id: 'sonde-1', driver: 'modbus', connection: { host: '127.0.0.1', port: 502, unitId: 1 }, points: [{ id: 'ph', table: 'holding', address: 0, type: 'float32', pipeline }] }],
    });
    assert.ok(validate(site([{ deadband: { absolute: 0.1 } }, { window: { size: '1m', function: 'max' } }, { 'sensegate-step-ema': { alpha: 0.2 } }])), JSON.stringify(validate.errors));
    assert.equal(validate(site([{ deadband: { absolut: 0.1 } }])), false, 'a misspelt option of a built-in step');
    assert.equal(validate(site([{ window: { size: '1m', function: 'median' } }])), false, 'a function the window does not have');
  });
});
