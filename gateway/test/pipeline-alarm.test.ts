import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonSchemaOf, type DeviceEvent, type Quality, type Reading, type StepContext, type StepPoint, type Value } from '@sensegate/sdk';
import { alarmStep, type AlarmState } from '../src/pipeline/steps/alarm.js';
import { exactSum } from '../src/pipeline/steps/alarm-condition.js';
import { formatDuration } from '../src/pipeline/steps/alarm-message.js';
import type { AlarmOptions } from '../src/pipeline/steps/alarm-options.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;

/** One alarm step on one point, driven the way the gateway's chain drives it. */
function alarm(raw: Record<string, unknown>, point: Partial<StepPoint> = {}) {
  const options = alarmStep.options.parse(raw);
  const events: DeviceEvent[] = [];
  const ctx: StepContext<AlarmOptions> = {
    options,
    point: { device: 'dev', point: 'p', ...point },
    event: (e) => void events.push(e),
    round: (v) => v,
  };
  let state: AlarmState = alarmStep.init(ctx);
  return {
    events,
    options,
    get state() {
      return state;
    },
    restart() {
      state = JSON.parse(JSON.stringify(state)) as AlarmState;
    },
    push(seconds: number, value: Value, quality: Quality = 'good', status?: string): Reading {
      const reading: Reading = { device: 'dev', point: 'p', ts: s(seconds), value, quality, ...(status ? { status } : {}) };
      const out = alarmStep.process(state, Object.freeze(reading), ctx);
      assert.equal(out, reading, 'the alarm passes the very reading it got');
      return reading;
    },
    tick(seconds: number) {
      assert.equal(alarmStep.tick!(state, s(seconds), ctx), undefined, 'ticks never produce readings');
    },
    describe: () => alarmStep.describe!(state, ctx),
    check: () => alarmStep.check!(options, ctx.point),
    types: () => events.map((e) => `${e.type}@${(e.ts - T0) / 1000}`),
  };
}

const problems = (raw: Record<string, unknown>) => alarmStep.check!(alarmStep.options.parse(raw), { device: 'dev', point: 'p' });

describe('alarm step: options', () => {
  it('applies defaults and parses durations', () => {
    const o = alarmStep.options.parse({ above: 75, onDelay: '2m' });
    assert.equal(o.onDelay, 120_000);
    assert.equal(o.offDelay, 0);
    assert.equal(o.severity, 'warning');
    assert.equal(o.onBad, 'hold');
    assert.equal(o.hysteresis, undefined, 'unset means 0, and stays unset so that `equals` can refuse it');
  });

  it('rejects unknown keys and out-of-range fields', () => {
    for (const bad of [
      { above: 1, abve: 2 },
      { above: 1, hysteresis: -1 },
      { above: 1, severity: 'fatal' },
      { above: 1, onBad: 'ignore' },
      { above: 1, onDelay: '2 minutes' },
      { above: 1, name: 'two words' },
      { above: '75' },
      { equals: null },
      { above: 1, message: '' },
    ]) {
      assert.equal(alarmStep.options.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  it('describes every field in the JSON Schema the docs are made from', () => {
    const schema = jsonSchemaOf(alarmStep.options) as { properties: Record<string, { description?: string }> };
    assert.ok(Object.keys(schema.properties).length === 11);
    for (const [key, field] of Object.entries(schema.properties)) assert.ok(field.description, key);
  });

  it('check() names each problem across fields', () => {
    assert.deepEqual(problems({}), ['give `above`, `below` (or both, for an out-of-band alarm) or `equals`']);
    assert.deepEqual(problems({ equals: true, above: 1 }), ['`equals` cannot be combined with `above` or `below`: use a second alarm step with its own `name`']);
    assert.deepEqual(problems({ equals: 3, hysteresis: 0 }), ['`hysteresis` does not apply to `equals`']);
    assert.deepEqual(problems({ above: 5, below: 5 }), ['below (5) must be less than above (5)']);
    assert.deepEqual(problems({ above: 10, below: 20 }), ['below (20) must be less than above (10)']);
    assert.deepEqual(problems({ above: 20, below: 10, hysteresis: 6 }), [
      'hysteresis (6) is too large for the band 10 to 20: no value would clear the alarm (at most 5)',
    ]);
    assert.deepEqual(problems({ above: 1, message: '{point} at {valu}', clearMessage: '{point} ok' }), [
      'message: unknown placeholder {valu} (use {device} {point} {value} {threshold} {unit} {name})',
    ]);
    for (const good of [{ above: 1 }, { below: 1, hysteresis: 2 }, { above: 20, below: 10, hysteresis: 5 }, { equals: 'FAULT' }, { equals: false, onDelay: '10s' }]) {
      assert.deepEqual(problems(good), [], JSON.stringify(good));
    }
  });
});

describe('alarm step: names and messages', () => {
  it('names the alarm after its condition unless told', () => {
    const name = (raw: Record<string, unknown>) => {
      const a = alarm(raw);
      return a.describe()!.alarm;
    };
    assert.equal(name({ above: 1 }), 'high');
    assert.equal(name({ below: 1 }), 'low');
    assert.equal(name({ above: 2, below: 1 }), 'range');
    assert.equal(name({ equals: true }), 'state');
    assert.equal(name({ above: 1, name: 'pm25-alert' }), 'pm25-alert');
  });

  it('says what crossed which threshold, for how long, and what it came back to', () => {
    const a = alarm({ above: 75, hysteresis: 5, onDelay: '2m' }, { point: 'pm25', unit: 'ug/m3' });
    a.push(0, 80);
    a.push(120, 82.3);
    a.push(180, 65.1);
    assert.deepEqual(
      a.events.map((e) => e.message),
      ['pm25 above 75 ug/m3 for 2m: 82.3 ug/m3', 'pm25 back to 70 ug/m3 or below: 65.1 ug/m3'],
    );
  });

  it('has words for below, out of band, equals and bad readings', () => {
    const low = alarm({ below: 6.5, hysteresis: 0.5, offDelay: '30s' }, { point: 'do', unit: 'mg/L' });
    low.push(0, 5.9);
    low.push(10, 7);
    low.push(40, 7.1);
    assert.deepEqual(low.events.map((e) => e.message), ['do below 6.5 mg/L: 5.9 mg/L', 'do back to 7 mg/L or above for 30s: 7.1 mg/L']);

    const band = alarm({ above: 8.5, below: 6.5, hysteresis: 0.2 }, { point: 'ph' });
    band.push(0, 6.1);
    band.push(10, 7);
    band.push(20, 9);
    band.push(30, 8.3);
    assert.deepEqual(band.events.map((e) => e.message), [
      'ph below 6.5: 6.1',
      'ph back between 6.7 and 8.3: 7',
      'ph above 8.5: 9',
      'ph back between 6.7 and 8.3: 8.3',
    ]);
    assert.deepEqual(band.events.map((e) => e.data!.threshold), [6.5, 6.7, 8.5, 8.3], 'the clear threshold of the side it came back from');

    const fault = alarm({ equals: true, severity: 'critical' }, { device: 'pump1', point: 'fault' });
    fault.push(0, 1);
    fault.push(5, false);
    assert.deepEqual(fault.events.map((e) => e.message), ['fault is true', 'fault no longer true: false']);

    const lost = alarm({ above: 10, onBad: 'raise', offDelay: '1m' }, { point: 'level', unit: 'm' });
    lost.push(0, null, 'bad', 'SG_REQUEST_TIMEOUT');
    lost.push(10, 'n/a');
    assert.deepEqual(lost.events.map((e) => e.message), ['level reading bad: no value (SG_REQUEST_TIMEOUT)']);
    assert.deepEqual(lost.events[0]!.data, {
      alarm: 'high',
      state: 'active',
      value: null,
      threshold: null,
      condition: 'bad',
      since: s(0),
      unit: 'm',
      status: 'SG_REQUEST_TIMEOUT',
    });

    const dropout = alarm({ above: 10, onBad: 'clear' }, { point: 'level' });
    dropout.push(0, 12);
    dropout.push(5, null, 'bad');
    assert.deepEqual(dropout.events.map((e) => e.message), ['level above 10: 12', 'level high alarm cleared by a bad reading: no value']);
  });

  it('fills templates, closing the gap an absent unit leaves', () => {
    const a = alarm({ below: 2, message: '{device}: {name} on {point}, {value} {unit} under {threshold} {unit}', clearMessage: '{point} ok ({value} {unit} >= {threshold})' }, { device: 'pump1', point: 'pressure' });
    a.push(0, 1.5);
    a.push(1, 2.5);
    assert.deepEqual(a.events.map((e) => e.message), ['pump1: low on pressure, 1.5 under 2', 'pressure ok (2.5 >= 2)']);
  });

  it('writes durations as the configuration does', () => {
    assert.deepEqual([0, 500, 1000, 90_000, 120_000, 3_600_000, 5_400_000, 86_400_000, 1500].map(formatDuration), [
      '0ms', '500ms', '1s', '90s', '2m', '1h', '90m', '1d', '1500ms',
    ]);
  });

  it('computes clear thresholds without binary noise', () => {
    assert.equal(exactSum(0.3, -0.1), 0.2);
    assert.equal(exactSum(10.3, -0.1), 10.2);
    assert.equal(exactSum(1e-7, 2e-8), 1.2e-7);
    const a = alarm({ above: 0.3, hysteresis: 0.1 });
    a.push(0, 0.31);
    a.push(1, 0.2);
    assert.deepEqual(a.types(), ['alarm.raise@0', 'alarm.clear@1'], '0.2 is at the clear threshold 0.3 - 0.1, not above it');
    assert.equal(a.events[1]!.data!.threshold, 0.2);
  });
});

describe('alarm step: behaviour', () => {
  it('raises once for a value chattering around the threshold, and pairs the clear with it', () => {
    const a = alarm({ above: 10, hysteresis: 1, severity: 'critical' }, { unit: 'bar' });
    for (const [t, v] of [[0, 9], [1, 10.2], [2, 9.8], [3, 10.1], [4, 9.5], [5, 10.4], [6, 9], [7, 10]] as const) a.push(t, v);
    assert.deepEqual(a.types(), ['alarm.raise@1', 'alarm.clear@6']);
    assert.deepEqual(a.events[1], {
      type: 'alarm.clear',
      ts: s(6),
      device: 'dev',
      point: 'p',
      severity: 'critical',
      message: 'p back to 9 bar or below: 9 bar',
      data: { alarm: 'high', state: 'cleared', value: 9, threshold: 9, raisedAt: s(1), duration: 5000, unit: 'bar' },
    });
  });

  it('ignores readings older than the newest it judged', () => {
    const a = alarm({ above: 10, onDelay: '10s' });
    a.push(0, 11);
    a.push(5, 12);
    a.push(3, 5); // late: must not break the delay that began at 0
    a.push(10, 11);
    assert.deepEqual(a.types(), ['alarm.raise@10']);
    assert.equal(a.events[0]!.data!.since, s(0));
    a.push(8, 0); // older than the raise: not a clear dated before it
    assert.equal(a.events.length, 1);
  });

  it('does not judge readings dated before an event a tick confirmed', () => {
    const a = alarm({ above: 10, onDelay: '30s' });
    a.push(0, 11);
    a.tick(31);
    a.push(20, 0);
    a.push(40, 0);
    assert.deepEqual(a.types(), ['alarm.raise@30', 'alarm.clear@40']);
    assert.equal(a.events[1]!.data!.duration, 10_000);
  });

  it('tells its state for the status page', () => {
    const a = alarm({ above: 10, onDelay: '10s', offDelay: '5s', severity: 'info' });
    assert.deepEqual(a.describe(), { alarm: 'high', active: false, severity: 'info' });
    a.push(0, 11);
    assert.deepEqual(a.describe(), { alarm: 'high', active: false, severity: 'info', value: 11, pending: 'raise', pendingSince: s(0) });
    a.push(10, 12);
    a.push(11, 3);
    assert.deepEqual(a.describe(), {
      alarm: 'high',
      active: true,
      severity: 'info',
      since: s(0),
      raisedAt: s(10),
      value: 3,
      pending: 'clear',
      pendingSince: s(11),
    });
  });

  it('changes nothing in its state for a reading that changes nothing', () => {
    const a = alarm({ above: 10, onBad: 'hold' });
    a.push(0, 5);
    const before = JSON.stringify(a.state);
    a.push(0, 5);
    a.push(1, null, 'bad');
    assert.equal(JSON.stringify(a.state), before);
  });
});

describe('alarm step: restarts', () => {
  /** mulberry32: a small seeded generator, so a failure can be replayed from its seed. */
  function random(seed: number) {
    let t = seed >>> 0;
    return () => {
      t = (t + 0x6d2b79f5) >>> 0;
      let r = Math.imul(t ^ (t >>> 15), 1 | t);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    };
  }

  type Op = { tick: number } | { ts: number; value: Value; quality: Quality; status?: string };

  function randomCase(rnd: () => number): { raw: Record<string, unknown>; ops: Op[] } {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const delay = () => pick([0, 0, 1000, 5000, 30_000]);
    const kind = pick(['above', 'below', 'range', 'equals'] as const);
    const raw: Record<string, unknown> = { onDelay: delay(), offDelay: delay(), onBad: pick(['hold', 'clear', 'raise']), severity: pick(['info', 'warning', 'critical']) };
    if (kind === 'above' || kind === 'range') raw.above = 10;
    if (kind === 'below' || kind === 'range') raw.below = kind === 'range' ? 0 : 10;
    if (kind !== 'equals') raw.hysteresis = pick([0, 0.5, 2]);
    else raw.equals = pick([true, 3, 'FAULT']);
    const ops: Op[] = [];
    let ts = T0;
    for (let i = 0, n = 50 + Math.floor(rnd() * 150); i < n; i++) {
      ts += pick([0, 500, 1000, 2000, 5000, 20_000]);
      if (rnd() < 0.15) {
        ops.push({ tick: ts + Math.floor(rnd() * 40_000) });
        continue;
      }
      const late = rnd() < 0.05 ? Math.floor(rnd() * 10_000) : 0;
      const r = rnd();
      let value: Value;
      if (kind === 'equals') value = pick([true, false, 1, 0, 3, 4, 'FAULT', 'OK']);
      else value = r < 0.05 ? 'n/a' : Math.round((kind === 'range' ? -4 + rnd() * 18 : 6 + rnd() * 8) * 10) / 10;
      const bad = rnd() < 0.1;
      ops.push({ ts: ts - late, value: bad && rnd() < 0.5 ? null : value, quality: bad ? 'bad' : pick(['good', 'good', 'uncertain']), ...(bad ? { status: 'SG_REQUEST_TIMEOUT' } : {}) });
    }
    return { raw, ops };
  }

  function run(raw: Record<string, unknown>, ops: Op[], restartAt: (i: number) => boolean): DeviceEvent[] {
    const a = alarm(raw, { unit: 'bar' });
    ops.forEach((op, i) => {
      if (restartAt(i)) a.restart();
      if ('tick' in op) a.tick((op.tick - T0) / 1000);
      else a.push((op.ts - T0) / 1000, op.value, op.quality, op.status);
    });
    return a.events;
  }

  it('keeps an active alarm active across a restart, without a second raise, and clears it later', () => {
    const a = alarm({ above: 10 });
    a.push(0, 12);
    a.restart();
    a.push(1, 13);
    a.push(2, 8);
    assert.deepEqual(a.types(), ['alarm.raise@0', 'alarm.clear@2']);
    assert.equal(a.events[1]!.data!.raisedAt, s(0));
  });

  it('carries a pending on-delay across a restart', () => {
    const a = alarm({ below: 1, onDelay: '1m' });
    a.push(0, 0.5);
    a.restart();
    a.tick(59);
    a.restart();
    a.tick(61);
    assert.deepEqual(a.types(), ['alarm.raise@60']);
    assert.equal(a.events[0]!.data!.since, s(0));
  });

  it('gives the same events with or without JSON round trips of its state, on random series', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = random(seed);
      const { raw, ops } = randomCase(rnd);
      const straight = run(raw, ops, () => false);
      const restarted = run(raw, ops, () => rnd() < 0.3);
      assert.equal(JSON.stringify(restarted), JSON.stringify(straight), `seed ${seed}: ${JSON.stringify(raw)}`);

      // Raises and clears alternate, never go back in time, and pair up.
      let raised: DeviceEvent | undefined;
      let last = -Infinity;
      for (const e of straight) {
        assert.ok(e.ts >= last, `seed ${seed}: events in time order`);
        last = e.ts;
        assert.equal(e.type, raised ? 'alarm.clear' : 'alarm.raise', `seed ${seed}: raise and clear alternate`);
        if (raised) {
          assert.equal(e.severity, raised.severity);
          assert.equal(e.data!.raisedAt, raised.ts);
          assert.equal(e.data!.duration, e.ts - raised.ts);
          raised = undefined;
        } else {
          assert.ok((e.data!.since as number) <= e.ts, `seed ${seed}: since is not after the raise`);
          assert.ok(e.ts - (e.data!.since as number) >= (alarmStep.options.parse(raw).onDelay), `seed ${seed}: on-delay respected`);
          raised = e;
        }
      }
    }
  });
});
