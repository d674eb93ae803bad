// Steps of the gateway's wall clock, as the pipeline's steps see them. A 1-minute average of a point
// the gateway stamps, four samples a second, while the clock steps an hour. Forward: the window open
// at the step reports what it had as uncertain, no window is made up for the hour skipped, the
// window the new clock starts in is uncertain too, and the next ones are whole and good. Back: the
// open window closes at once (uncertain) and windows carry on at the new clock instead of dropping
// every sample as late for an hour. A restart with the clock behind the saved states does the same.
// Readings with the device's own timestamps are not moved by the gateway's clock, and neither are
// their windows. An alarm's delay counts the time that really passed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceEvent, Logger, Reading } from '@sensegate/sdk';
import { PointChain } from '../src/pipeline/chain.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { alarmStep } from '../src/pipeline/steps/alarm.js';
import { windowStep } from '../src/pipeline/steps/window.js';
import { PointNormalizer } from '../src/runtime/normalize.js';
import type { DeviceConfig, PointConfig } from '../src/config/load.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.parse('2026-12-07T10:00:00Z');

function windowChain(out: Reading[], states?: unknown[]): PointChain {
  return new PointChain(
    { device: 'meter-1', point: 'flow' },
    [{ step: windowStep, options: windowStep.options.parse({ size: '1m' }) }],
    { reading: (r) => out.push(r), event: () => {} },
    states ? { states } : {},
  );
}

/** Four samples a second in [from, to), stamped by the gateway (no `received`); ticks once a second. */
function feed(chain: PointChain, from: number, to: number, received?: (ts: number) => number): void {
  for (let ts = from; ts < to; ts += 250) {
    const r: Reading = { device: 'meter-1', point: 'flow', ts, value: 1, quality: 'good' };
    if (received) r.received = received(ts);
    chain.push(r);
    if (ts % S === 0) chain.tick(received ? received(ts) : ts);
  }
}

const summary = (r: Reading) => ({ start: new Date(r.start!).toISOString().slice(11, 19), count: r.count, quality: r.quality });

describe('windows across a step of the gateway clock', () => {
  it('forward one hour: the two windows the step cuts are uncertain, then windows are whole and good', () => {
    const out: Reading[] = [];
    const chain = windowChain(out);
    feed(chain, T0, T0 + 15 * S);
    chain.clockStepped({ from: T0 + 15 * S, to: T0 + H + 15 * S });
    feed(chain, T0 + H + 15 * S, T0 + H + 3 * M);
    chain.tick(T0 + H + 3 * M + 5 * S);
    assert.deepEqual(out.map(summary), [
      { start: '10:00:00', count: 60, quality: 'uncertain' },
      { start: '11:00:00', count: 180, quality: 'uncertain' },
      { start: '11:01:00', count: 240, quality: 'good' },
      { start: '11:02:00', count: 240, quality: 'good' },
    ]);
    assert.match(out[0]!.status!, /clock stepped forward 3600 s at 2026-12-07T11:00:15.000Z; the window misses the time skipped/);
    assert.match(out[1]!.status!, /clock stepped forward 3600 s/);
    assert.equal(out[2]!.status, undefined);
  });

  it('back one hour: the open window closes at once, uncertain, and windows go on at the new clock without dropping samples', () => {
    const out: Reading[] = [];
    const chain = windowChain(out);
    feed(chain, T0, T0 + 15 * S);
    chain.clockStepped({ from: T0 + 15 * S, to: T0 - H + 15 * S });
    assert.equal(out.length, 1, 'the open window is out at the step');
    feed(chain, T0 - H + 15 * S, T0 - H + 3 * M);
    chain.tick(T0 - H + 3 * M + 5 * S);
    assert.deepEqual(out.map(summary), [
      { start: '10:00:00', count: 60, quality: 'uncertain' },
      { start: '09:00:00', count: 180, quality: 'uncertain' },
      { start: '09:01:00', count: 240, quality: 'good' },
      { start: '09:02:00', count: 240, quality: 'good' },
    ]);
    assert.match(out[0]!.status!, /clock stepped back 3600 s at 2026-12-07T09:00:15.000Z; the window closed at the step with part of its samples/);
    assert.match(out[1]!.status!, /the window began at the step/);
  });

  it('back a few seconds within the open window: nothing is dropped, and that window says it may hold some time twice', () => {
    const out: Reading[] = [];
    const chain = windowChain(out);
    feed(chain, T0, T0 + 30 * S);
    chain.clockStepped({ from: T0 + 30 * S, to: T0 + 25 * S });
    feed(chain, T0 + 25 * S, T0 + 2 * M);
    chain.tick(T0 + 2 * M + 5 * S);
    assert.deepEqual(out.map(summary), [
      { start: '10:00:00', count: 260, quality: 'uncertain' },
      { start: '10:01:00', count: 240, quality: 'good' },
    ]);
    assert.match(out[0]!.status!, /may hold samples of the same time twice/);
  });

  it("readings with the device's own timestamps are not moved: their windows stay whole and good", () => {
    const out: Reading[] = [];
    const chain = windowChain(out);
    let offset = 0;
    feed(chain, T0, T0 + 30 * S, (ts) => ts + offset);
    offset = H;
    chain.clockStepped({ from: T0 + 30 * S, to: T0 + H + 30 * S });
    feed(chain, T0 + 30 * S, T0 + 2 * M, (ts) => ts + offset);
    chain.tick(T0 + H + 2 * M + 5 * S);
    assert.deepEqual(out.map(summary), [
      { start: '10:00:00', count: 240, quality: 'good' },
      { start: '10:01:00', count: 240, quality: 'good' },
    ]);
  });

  it('a restart with the clock an hour behind the saved states does not block windows', () => {
    const saved = new Map<string, string>();
    const first = pipelineAt(T0 + 15 * S, undefined, saved);
    const normalizer = first.normalizer;
    for (let ts = T0; ts < T0 + 15 * S; ts += 250) first.pipeline.reading(normalizer.reading(1, 'good', ts), normalizer);
    first.pipeline.stop();
    assert.ok(saved.size > 0, 'the open window was saved');

    const warnings: string[] = [];
    const second = pipelineAt(T0 - H + 20 * S, saved, undefined, warnings);
    second.pipeline.start(60_000);
    second.pipeline.stop();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /is 3595 s behind the time the pipeline states were saved/);
    for (let ts = T0 - H + 20 * S; ts < T0 - H + 2 * M; ts += 250) {
      second.pipeline.reading(second.normalizer.reading(1, 'good', ts), second.normalizer);
    }
    second.pipeline.tick(T0 - H + 2 * M + 5 * S);
    assert.deepEqual(second.out.map(summary), [
      { start: '10:00:00', count: 60, quality: 'uncertain' },
      { start: '09:00:00', count: 160, quality: 'uncertain' },
      { start: '09:01:00', count: 240, quality: 'good' },
    ]);
  });
});

describe('alarm delays across a step of the gateway clock', () => {
  function alarmChain(events: DeviceEvent[]): PointChain {
    return new PointChain(
      { device: 'meter-1', point: 'flow' },
      [{ step: alarmStep, options: alarmStep.options.parse({ above: 10, onDelay: '30s' }) }],
      { reading: () => {}, event: (e) => events.push(e) },
    );
  }
  const high = (ts: number): Reading => ({ device: 'meter-1', point: 'flow', ts, value: 20, quality: 'good' });

  it('a step forward does not cut an on-delay short', () => {
    const events: DeviceEvent[] = [];
    const chain = alarmChain(events);
    chain.push(high(T0));
    chain.clockStepped({ from: T0 + 5 * S, to: T0 + H + 5 * S });
    chain.tick(T0 + H + 6 * S);
    assert.equal(events.length, 0, 'one second after the step, the delay has run 6 s of its 30');
    chain.tick(T0 + H + 31 * S);
    assert.deepEqual(events.map((e) => e.type), ['alarm.raise']);
  });

  it('after a step back, readings are judged and the delay keeps running', () => {
    const events: DeviceEvent[] = [];
    const chain = alarmChain(events);
    chain.push(high(T0));
    chain.clockStepped({ from: T0 + 5 * S, to: T0 - H + 5 * S });
    for (let t = 6; t <= 31; t++) chain.push(high(T0 - H + t * S));
    assert.deepEqual(events.map((e) => e.type), ['alarm.raise'], 'raised 30 s after the condition began, by the time that passed');
  });
});

function pipelineAt(now: number, saved: ReadonlyMap<string, string> | undefined, store: Map<string, string> | undefined, warnings: string[] = []) {
  const out: Reading[] = [];
  const point = { id: 'flow', scale: 1, offset: 0, writable: false, enabled: true, pipeline: [{ step: windowStep, options: windowStep.options.parse({ size: '1m' }) }] } as unknown as PointConfig;
  const device = { id: 'meter-1', enabled: true, points: [point], derived: [] } as unknown as DeviceConfig;
  const normalizer = new PointNormalizer('meter-1', point);
  const log = quietLogger(warnings);
  const pipeline = new Pipeline({
    out: { reading: (r) => out.push(r), event: (_e: DeviceEvent) => {} },
    log,
    clock: () => now,
    ...(saved ? { saved } : {}),
    ...(store ? { store: { save: (states) => states.forEach((v, k) => store.set(k, v)) } } : {}),
  });
  pipeline.build([device], () => new Map([['flow', normalizer]]));
  return { pipeline, normalizer, out };
}

function quietLogger(warnings: string[]): Logger {
  const log: Logger = { trace() {}, debug() {}, info() {}, warn: (a: unknown, b?: string) => void warnings.push(typeof a === 'string' ? a : (b ?? '')), error() {}, child: () => log };
  return log;
}
