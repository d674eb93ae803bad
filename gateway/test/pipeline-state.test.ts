// Pipeline state lives in the journal's SQLite file: an alarm raised before a restart is still
// raised after it (no second raise, a normal clear), and a window open at a stop carries on with
// the samples it had. The state of an alarm commits in the same transaction as its event.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseYamlSource, silentLogger, type DeviceEvent, type Reading } from '@sensegate/sdk';
import type { DeviceConfig, PointConfig } from '../src/config/load.js';
import { resolvePipeline } from '../src/config/pipeline.js';
import { Journal } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { StepRegistry } from '../src/pipeline/registry.js';
import { FeedWriter } from '../src/runtime/feed-writer.js';
import { PointNormalizer } from '../src/runtime/normalize.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

/** A gateway's pipeline stage over a real journal: what `Gateway` wires, without devices. */
async function stage(path: string, pipelineYaml: string) {
  const journal = await Journal.open({ ...journalConfigSchema.parse({}), commitInterval: 5, path, log: silentLogger, metrics: new Metrics() });
  const source = parseYamlSource('test.yaml', pipelineYaml);
  const issues: never[] = [];
  const steps = await resolvePipeline((source.data as { pipeline: Array<Record<string, unknown>> }).pipeline, ['pipeline'], { device: 'pump-1', point: 'pressure' }, { source, steps: new StepRegistry(), issues });
  assert.ok(steps, JSON.stringify(issues));
  const point = { id: 'pressure', unit: 'bar', scale: 1, offset: 0, writable: false, enabled: true, pipeline: steps } as PointConfig;
  const device = { id: 'pump-1', driver: 'test', enabled: true, points: [point], derived: [] } as unknown as DeviceConfig;
  const normalizer = new PointNormalizer('pump-1', point);
  const pipeline = new Pipeline({
    out: new FeedWriter(journal, new Metrics(), { maxEntryBytes: 64 * 1024, log: silentLogger }),
    log: silentLogger,
    saved: await journal.loadStates(),
    store: { save: (s) => journal.saveStates(s) },
  });
  pipeline.build([device], () => new Map([['pressure', normalizer]]));
  const push = (second: number, value: number) =>
    pipeline.reading({ device: 'pump-1', point: 'pressure', ts: T0 + second * 1000, value, quality: 'good', unit: 'bar' } satisfies Reading, normalizer);
  const stop = async () => {
    pipeline.stop();
    await journal.close();
  };
  return { journal, pipeline, push, stop };
}

async function entries(path: string): Promise<Array<{ kind: string; item: Reading & DeviceEvent }>> {
  const journal = await Journal.open({ ...journalConfigSchema.parse({}), path, log: silentLogger, metrics: new Metrics() });
  const blocks = await journal.read(1, 1_000_000);
  await journal.close();
  return blocks.flatMap((b) => (JSON.parse(`[${b.payload}]`) as Array<Reading & DeviceEvent>).map((item) => ({ kind: b.kind, item })));
}

async function tempJournal(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-pipeline-state-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}

describe('pipeline state across restarts', () => {
  it('keeps a raised alarm raised through a restart, and clears it once', async () => {
    const path = await tempJournal();
    const yaml = 'pipeline:\n  - alarm: { above: 10, hysteresis: 1, severity: critical }\n';
    const first = await stage(path, yaml);
    first.push(0, 5);
    first.push(1, 12); // raised
    first.push(2, 12.5);
    await first.journal.flush();
    assert.equal(first.pipeline.describe().find((d) => d.step === 'alarm')?.state.active, true);
    await first.stop();

    const second = await stage(path, yaml);
    assert.equal(second.pipeline.describe().find((d) => d.step === 'alarm')?.state.active, true, 'still raised after the restart');
    second.push(3, 11); // still above: no second raise
    second.push(4, 9.5); // within the hysteresis band: still raised
    second.push(5, 9); // at above - hysteresis: cleared
    await second.stop();

    const events = (await entries(path)).filter((e) => e.kind === 'event').map((e) => [e.item.type, e.item.ts - T0]);
    assert.deepEqual(events, [
      ['alarm.raise', 1000],
      ['alarm.clear', 5000],
    ]);
  });

  it('carries an open window across a restart: the minute average holds the samples of both runs', async () => {
    const path = await tempJournal();
    const yaml = 'pipeline:\n  - window: { size: 1m, function: avg }\n';
    const first = await stage(path, yaml);
    for (let s = 0; s < 30; s++) first.push(s, 1); // thirty samples of 1 before the stop
    await first.stop();
    const second = await stage(path, yaml);
    for (let s = 30; s < 60; s++) second.push(s, 3); // thirty samples of 3 after it
    second.push(60, 5); // the next minute begins: the first one closes
    await second.stop();

    const readings = (await entries(path)).filter((e) => e.kind === 'reading').map((e) => e.item);
    assert.equal(readings.length, 1);
    assert.deepEqual(
      { ts: readings[0]!.ts - T0, start: readings[0]!.start! - T0, value: readings[0]!.value, count: readings[0]!.count },
      { ts: 60_000, start: 0, value: 2, count: 60 },
    );
  });

  it('starts a step afresh when its options changed since the state was saved', async () => {
    const path = await tempJournal();
    const first = await stage(path, 'pipeline:\n  - window: { size: 1m, function: avg }\n');
    for (let s = 0; s < 30; s++) first.push(s, 1);
    await first.stop();
    const second = await stage(path, 'pipeline:\n  - window: { size: 1m, function: max }\n');
    for (let s = 30; s < 60; s++) second.push(s, 3);
    second.push(60, 5);
    await second.stop();
    const [reading] = (await entries(path)).filter((e) => e.kind === 'reading').map((e) => e.item);
    assert.deepEqual([reading!.value, reading!.count], [3, 30], 'only the samples seen under the new options');
  });

  it('clears an alarm that was raised when its options change across a restart, saying why', async () => {
    const path = await tempJournal();
    const first = await stage(path, 'pipeline:\n  - alarm: { above: 10, severity: critical }\n');
    first.push(0, 12); // raised
    await first.stop();
    const second = await stage(path, 'pipeline:\n  - alarm: { above: 20, severity: critical }\n');
    second.push(1, 12); // under the new threshold: nothing more
    await second.stop();
    const events = (await entries(path)).filter((e) => e.kind === 'event').map((e) => e.item);
    assert.deepEqual(events.map((e) => [e.type, e.severity, e.data?.reason]), [
      ['alarm.raise', 'critical', undefined],
      ['alarm.clear', 'critical', 'reconfigured'],
    ]);
    assert.match(events[1]!.message, /pressure alarm high cleared: its configuration changed/);
    // Its new state was saved with the clear: a third start does not clear it again.
    const third = await stage(path, 'pipeline:\n  - alarm: { above: 20, severity: critical }\n');
    await third.stop();
    assert.equal((await entries(path)).filter((e) => e.kind === 'event').length, 2);
  });
});
