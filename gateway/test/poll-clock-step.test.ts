// A step of the wall clock that nothing notices until a poll ends: the device runner looks at the
// clock when the driver's read returns, the look reports the step (windows start over on the new
// clock), and the readings of that poll must carry the new clock too. Stamped on the old one, they
// reached the window after it had moved back an hour, pushed its open pane an hour ahead and made
// every later reading "late": no window came out for an hour. A Modbus device configuration with a
// driver instance of the test's own, a real pipeline with a window, and a clock watch whose wall
// clock the driver steps in the middle of a read. The same for a window on a point derived from a
// gateway-stamped point: its readings are gateway-stamped too, so its windows follow the step.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger, type DriverInstance, type ReadBatch, type Reading } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { loadConfigFile } from '../src/index.js';
import { Metrics } from '../src/metrics.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { ClockWatch } from '../src/runtime/clock-watch.js';
import { DeviceRunner } from '../src/runtime/device-runner.js';

const HOUR = 3_600_000;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sensegate-poll-clock-step-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/**
 * Polls a Modbus point every 20 ms through a driver instance that steps the wall clock back an hour
 * during its sixth read, until two windows of `point` have come out on the new clock.
 */
async function stepDuringPoll(name: string, pipelineYaml: string, point: string) {
  const file = join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `gateway: { id: site }
devices:
  - id: meter-1
    driver: modbus
    connection: { host: 127.0.0.1, port: 5020, unitId: 1 }
    pollInterval: 20ms
${pipelineYaml}`,
  );
  const { config } = await loadConfigFile(file);
  const device = config.devices[0]!;

  let offset = 0;
  const watch = new ClockWatch(() => Date.now() + offset, () => performance.now());
  /** What happened, in order: a step reported, or a reading reaching the pipeline. */
  const seen: Array<{ step: number } | { ts: number }> = [];
  const windows: Reading[] = [];
  const pipeline = new Pipeline({
    out: { reading: (r) => void (r.point === point && windows.push(r)), event: () => {} },
    log: silentLogger,
    clock: () => watch.now(),
  });
  watch.on('step', (step) => {
    seen.push({ step: step.to });
    pipeline.clockStepped(step);
  });

  let polls = 0;
  let stepAt: number | undefined;
  const instance: DriverInstance = {
    async addDevice() {},
    async removeDevice() {},
    async stop() {},
    async read(_device, batch: ReadBatch) {
      polls++;
      // The sixth read steps the wall clock back an hour while it runs; nothing looks at the clock until it returns.
      if (polls === 6) {
        offset -= HOUR;
        stepAt = Date.now() + offset;
      }
      batch.good(0, polls);
    },
  };
  const runner = new DeviceRunner(
    device,
    instance,
    {
      reading: (r, n) => {
        seen.push({ ts: r.ts });
        pipeline.reading(r, n);
      },
      event: () => {},
    },
    silentLogger,
    new Metrics(),
    watch,
  );
  await runner.prepare();
  pipeline.build([device], () => runner.normalizers);
  runner.start();
  /** Windows on the new clock (the ones before the step began an hour later). */
  const onNewClock = () => (stepAt === undefined ? [] : windows.filter((w) => w.start! >= stepAt! - 1000 && w.start! < stepAt! + HOUR / 2));
  try {
    await waitFor('two windows on the new clock', () => onNewClock().length >= 2, { timeout: 10_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; windows: ${windows.map((w) => `${new Date(w.start!).toISOString()} ${w.count} ${w.status ?? ''}`).join('; ')}`);
    });
  } finally {
    await runner.stop();
  }
  const step = seen.findIndex((s) => 'step' in s);
  assert.ok(step > 0, 'the step was reported after some readings');
  const to = (seen[step] as { step: number }).step;
  return { to, windows, onNewClock: onNewClock(), after: seen.slice(step + 1).map((s) => ('ts' in s ? s.ts : NaN)) };
}

const cutBy = (windows: Reading[]) => windows.filter((w) => /clock stepped back 3600 s/.test(w.status ?? ''));
const whole = (windows: Reading[], to: number) => windows.filter((w) => w.start! >= to && !/clock stepped/.test(w.status ?? ''));

describe('a clock step first seen when a poll ends', () => {
  it('stamps that poll on the new clock, and windows keep coming', async () => {
    const { to, windows, onNewClock, after } = await stepDuringPoll(
      'window',
      `    points:
      - { id: flow, table: holding, address: 0, type: uint16, pipeline: [ { window: { size: 200ms, function: count } } ] }
`,
      'flow',
    );
    const stale = after.filter((ts) => !(ts < to + 10_000));
    assert.deepEqual(stale.map((ts) => new Date(ts).toISOString()), [], 'no reading after the step is stamped on the old clock');
    assert.ok(cutBy(windows).length >= 1, 'the window open at the step says the clock stepped');
    assert.ok(whole(onNewClock, to).length >= 1, 'a whole window on the new clock');
  });

  it('a window on a point derived from a gateway-stamped point keeps coming too', async () => {
    const { to, windows, onNewClock } = await stepDuringPoll(
      'derived',
      `    points:
      - { id: flow, table: holding, address: 0, type: uint16 }
    derived:
      - { id: doubled, expression: 'flow * 2', pipeline: [ { window: { size: 200ms, function: count } } ] }
`,
      'doubled',
    );
    assert.ok(windows.every((w) => w.received === undefined), 'readings derived from gateway-stamped ones are gateway-stamped: no received');
    assert.ok(cutBy(windows).length >= 1, 'the window open at the step says the clock stepped');
    assert.ok(whole(onNewClock, to).length >= 1, 'a whole window on the new clock');
  });
});
