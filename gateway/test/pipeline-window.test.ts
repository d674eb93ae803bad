/**
 * The `window` step beyond its golden cases: the option schema and check(), the clock in zones
 * with daylight saving time, a property test against a brute-force reference (with and without
 * the state going through JSON), and the cost of a reading and of a jump of years.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@sensegate/sdk/simulate';
import { jsonSchemaOf, type Quality, type Reading, type StepContext, type StepPoint, type Value } from '@sensegate/sdk';
import { boundaryBefore, nextBoundary, windowStart, zoneOf } from '../src/pipeline/steps/window-clock.js';
import { windowStep, type WindowOptions, type WindowState } from '../src/pipeline/steps/window.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function parse(input: unknown) {
  return windowStep.options.safeParse(input);
}

function messages(input: unknown): string[] {
  const r = parse(input);
  assert.equal(r.success, false, `expected ${JSON.stringify(input)} to be rejected`);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

function contextFor(input: Record<string, unknown>, point: StepPoint = { device: 'dev', point: 'p' }): StepContext<WindowOptions> {
  const factor = point.decimals === undefined ? undefined : 10 ** point.decimals;
  return {
    options: windowStep.options.parse(input),
    point,
    event: () => assert.fail('the window step raises no events'),
    round: factor === undefined ? (v) => v : (v) => Math.round(v * factor) / factor,
  };
}

function reading(ts: number, value: Value, quality: Quality = 'good', status?: string): Reading {
  const r: Reading = { device: 'dev', point: 'p', ts, value, quality };
  if (status !== undefined) r.status = status;
  return r;
}

/** The step's result as a list. */
function list(result: Reading | readonly Reading[] | undefined): Reading[] {
  return result === undefined ? [] : Array.isArray(result) ? [...(result as Reading[])] : [result as Reading];
}

describe('window options', () => {
  it('applies the defaults', () => {
    const o = windowStep.options.parse({ size: '1m' });
    assert.deepEqual(o, { size: 60_000, function: 'avg', minCount: 1, lateness: 2000, timeZone: 'UTC' });
  });

  it('takes durations as text or ms', () => {
    const o = windowStep.options.parse({ size: 3_600_000, every: '10m', lateness: '500ms', function: 'twa', minCount: 45, timeZone: 'Asia/Shanghai' });
    assert.deepEqual(o, { size: 3_600_000, every: 600_000, lateness: 500, function: 'twa', minCount: 45, timeZone: 'Asia/Shanghai' });
  });

  it('rejects a missing, zero, fractional or overlong size', () => {
    assert.match(messages({})[0]!, /^size: /);
    assert.deepEqual(messages({ size: 0 }), ['size: size must be a whole number of milliseconds greater than 0']);
    assert.deepEqual(messages({ size: 0.5 }), ['size: size must be a whole number of milliseconds greater than 0']);
    assert.deepEqual(messages({ size: '400d' }), ['size: size must be at most 366d']);
    assert.match(messages({ size: 'an hour' })[0]!, /^size: /);
  });

  it('rejects a zero every', () => {
    assert.deepEqual(messages({ size: '1m', every: '0s' }), ['every: every must be a whole number of milliseconds greater than 0']);
  });

  it('rejects an unknown function, a bad minCount and unknown keys', () => {
    assert.match(messages({ size: '1m', function: 'median' })[0]!, /^function: /);
    assert.match(messages({ size: '1m', minCount: -1 })[0]!, /^minCount: /);
    assert.match(messages({ size: '1m', minCount: 1.5 })[0]!, /^minCount: /);
    assert.match(messages({ size: '1m', fn: 'avg' }).join('\n'), /fn/);
  });

  it('names an unknown time zone', () => {
    assert.deepEqual(messages({ size: '1h', timeZone: 'Asia/Beijing' }), ['timeZone: unknown time zone "Asia/Beijing": use an IANA name such as Asia/Shanghai, or UTC']);
    assert.equal(parse({ size: '1h', timeZone: 'Europe/Berlin' }).success, true);
  });

  it('describes every field', () => {
    const schema = jsonSchemaOf(windowStep.options) as { properties: Record<string, { description?: string }> };
    for (const [key, field] of Object.entries(schema.properties)) assert.ok(field.description, `${key} has no description`);
    assert.deepEqual(Object.keys(schema.properties).sort(), ['every', 'function', 'lateness', 'minCount', 'size', 'timeZone']);
  });
});

describe('window check()', () => {
  const point = { device: 'dev', point: 'p' };
  const check = (input: Record<string, unknown>) => windowStep.check!(windowStep.options.parse(input), point);

  it('accepts tumbling windows and sliding windows whose size is a multiple of every', () => {
    assert.deepEqual(check({ size: '1h' }), []);
    assert.deepEqual(check({ size: '1h', every: '10m' }), []);
    assert.deepEqual(check({ size: '1m', every: '1m' }), []);
  });

  it('reports a size that is not a multiple of every', () => {
    assert.deepEqual(check({ size: '1h', every: '7m' }), ['size (1h) must be a multiple of every (7m)']);
    assert.deepEqual(check({ size: '1m', every: '90s' }), ['size (1m) must be a multiple of every (90s)']);
  });

  it('reports a sliding window of too many panes', () => {
    assert.deepEqual(check({ size: '1d', every: '1s' }), ['size / every is 86400 panes, more than 10000: the state would be too large; use a longer every']);
  });
});

describe('window clock', () => {
  const hour = (zone: string, iso: string) => windowStart(zoneOf(zone), H, Date.parse(iso));
  const iso = (t: number) => new Date(t).toISOString();

  it('aligns to the zone\'s clock, including half- and quarter-hour offsets', () => {
    assert.equal(iso(hour('UTC', '2026-05-01T10:42:00Z')), '2026-05-01T10:00:00.000Z');
    assert.equal(iso(hour('Asia/Shanghai', '2026-05-01T10:42:00Z')), '2026-05-01T10:00:00.000Z');
    assert.equal(iso(hour('Asia/Kolkata', '2026-05-01T10:42:00Z')), '2026-05-01T10:30:00.000Z');
    assert.equal(iso(hour('Asia/Kathmandu', '2026-05-01T10:42:00Z')), '2026-05-01T10:15:00.000Z');
    assert.equal(iso(windowStart(zoneOf('Asia/Shanghai'), D, Date.parse('2026-05-01T10:42:00Z'))), '2026-04-30T16:00:00.000Z');
    assert.equal(iso(windowStart(zoneOf('UTC'), D, Date.parse('1969-12-31T10:00:00Z'))), '1969-12-31T00:00:00.000Z');
  });

  it('gives the repeated hour of a DST fall-back two windows and the day 25 hours', () => {
    const ny = zoneOf('America/New_York'); // 2026-11-01 02:00 EDT (06:00Z) becomes 01:00 EST
    assert.equal(iso(hour('America/New_York', '2026-11-01T05:30:00Z')), '2026-11-01T05:00:00.000Z'); // 01:30 EDT
    assert.equal(iso(nextBoundary(ny, H, Date.parse('2026-11-01T05:00:00Z'))), '2026-11-01T06:00:00.000Z');
    assert.equal(iso(hour('America/New_York', '2026-11-01T06:30:00Z')), '2026-11-01T06:00:00.000Z'); // 01:30 EST
    assert.equal(iso(nextBoundary(ny, 15 * M, Date.parse('2026-11-01T05:50:00Z'))), '2026-11-01T06:00:00.000Z');
    const day = windowStart(ny, D, Date.parse('2026-11-01T12:00:00Z'));
    assert.equal(iso(day), '2026-11-01T04:00:00.000Z');
    assert.equal(nextBoundary(ny, D, day) - day, 25 * H);
  });

  it('makes the day of a DST spring-forward 23 hours', () => {
    const berlin = zoneOf('Europe/Berlin'); // 2026-03-29 02:00 CET (01:00Z) becomes 03:00 CEST
    const day = windowStart(berlin, D, Date.parse('2026-03-29T12:00:00Z'));
    assert.equal(iso(day), '2026-03-28T23:00:00.000Z');
    assert.equal(nextBoundary(berlin, D, day) - day, 23 * H);
    assert.equal(iso(hour('Europe/Berlin', '2026-03-29T01:30:00Z')), '2026-03-29T01:00:00.000Z'); // 03:30 CEST
    assert.equal(iso(hour('Europe/Berlin', '2026-03-29T00:59:59Z')), '2026-03-29T00:00:00.000Z'); // 01:59:59 CET
  });

  it('makes the jump the boundary when a zone skips midnight', () => {
    // Chile moves from -04 to -03 at 24:00 on the first Saturday of September: 2026-09-06 00:00 never shows.
    const santiago = zoneOf('America/Santiago');
    const start = windowStart(santiago, D, Date.parse('2026-09-06T12:00:00Z'));
    assert.equal(iso(start), '2026-09-06T04:00:00.000Z');
    assert.equal(iso(nextBoundary(santiago, D, start)), '2026-09-07T03:00:00.000Z');
    assert.equal(iso(windowStart(santiago, D, start - 1)), '2026-09-05T04:00:00.000Z');
  });

  it('gives contiguous, strictly increasing windows through a year of every kind of zone', () => {
    const zones = ['UTC', 'Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
    for (const name of zones) {
      const zone = zoneOf(name);
      for (const size of [15 * M, H, D]) {
        let b = windowStart(zone, size, Date.parse('2026-01-01T00:00:00Z'));
        const end = Date.parse('2027-01-01T00:00:00Z');
        while (b < end) {
          const next = nextBoundary(zone, size, b);
          const where = `${name} ${size / M}m at ${iso(b)}`;
          assert.ok(next > b, where);
          // A window is as long as its size, give or take one DST shift (at most 1 h; 30 min on Lord Howe).
          assert.ok(next - b >= size - H && next - b <= size + H, `${where}: ${(next - b) / M} min`);
          assert.equal(windowStart(zone, size, b), b, where);
          assert.equal(windowStart(zone, size, next - 1), b, where);
          b = next;
        }
      }
    }
  });

  it('starts day windows at local midnight in the first centuries and before year 1', () => {
    // Shanghai kept local mean time (+8:05:43) then: midnight there is 15:54:17 UTC the day before.
    const zone = zoneOf('Asia/Shanghai');
    const lmt = (8 * 3600 + 5 * 60 + 43) * S;
    for (const year of [50, 1, 0, -500]) {
      const noon = new Date(0);
      noon.setUTCFullYear(year, 5, 1);
      noon.setUTCHours(12);
      const midnight = noon.getTime() - 12 * H - lmt;
      assert.equal(windowStart(zone, D, noon.getTime() - lmt), midnight, `year ${year}`);
      assert.equal(nextBoundary(zone, D, noon.getTime() - lmt), midnight + D, `year ${year}`);
    }
  });

  it('counts panes back over a DST change', () => {
    const berlin = zoneOf('Europe/Berlin');
    const end = Date.parse('2026-03-29T04:00:00Z'); // 06:00 CEST
    // Six panes back are six real hours: the local hour 02:00-03:00 that never shows is no pane,
    // so the window starts at 23:00 CET the day before, not at 00:00.
    assert.equal(iso(boundaryBefore(berlin, H, end, 6)), '2026-03-28T22:00:00.000Z');
    assert.equal(iso(boundaryBefore(berlin, H, end, 2)), '2026-03-29T02:00:00.000Z');
    assert.equal(boundaryBefore(zoneOf('UTC'), M, T0, 3), T0 - 3 * M);
  });
});

describe('window step', () => {
  it('returns several windows as an array, in time order', () => {
    const ctx = contextFor({ size: '3m', every: '1m' });
    const state = windowStep.init(ctx);
    assert.equal(windowStep.process(state, reading(T0 + 30 * S, 3), ctx), undefined);
    const out = list(windowStep.process(state, reading(T0 + 10 * M, 9), ctx));
    assert.deepEqual(
      out.map((r) => [r.ts - T0, r.start! - T0, r.value]),
      [
        [M, -2 * M, 3],
        [2 * M, -M, 3],
        [3 * M, 0, 3],
      ],
    );
  });

  it('describes the open window', () => {
    const ctx = contextFor({ size: '1m' });
    const state = windowStep.init(ctx);
    assert.equal(windowStep.describe!(state, ctx), undefined);
    windowStep.process(state, reading(T0 + 5 * S, 1), ctx);
    windowStep.process(state, reading(T0 + 6 * S, null, 'bad'), ctx);
    windowStep.process(state, reading(T0 + 7 * S, 2), ctx);
    assert.deepEqual(windowStep.describe!(state, ctx), { start: T0, end: T0 + M, count: 2 });

    const sliding = contextFor({ size: '3m', every: '1m' });
    const s2 = windowStep.init(sliding);
    windowStep.process(s2, reading(T0 + 5 * S, 1), sliding);
    windowStep.process(s2, reading(T0 + M + 5 * S, 2), sliding);
    assert.deepEqual(windowStep.describe!(s2, sliding), { start: T0 - M, end: T0 + 2 * M, count: 2 });
  });

  it('takes the unit from the readings', () => {
    const ctx = contextFor({ size: '1m' }, { device: 'dev', point: 'p', unit: 'mg/L' });
    const state = windowStep.init(ctx);
    windowStep.process(state, { ...reading(T0, 2), unit: 'mg/L' }, ctx);
    assert.equal(list(windowStep.tick!(state, T0 + M + 2 * S, ctx))[0]!.unit, 'mg/L');
  });

  it('never throws and keeps a JSON state whatever comes in', () => {
    const ctx = contextFor({ size: '1m', function: 'twa' });
    const state = windowStep.init(ctx);
    assert.equal(windowStep.tick!(state, T0, ctx), undefined);
    const odd: Array<[number, Value]> = [
      [NaN, 1],
      [Infinity, 1],
      [1e300, 1],
      [-1e300, 1],
      [T0, NaN],
      [T0 + S, Infinity],
      [T0 + 2 * S, 1e308],
      [T0 + 3 * S, 1e308],
      [T0 + 4 * S, 'text'],
      [T0 + 5 * S, 4],
    ];
    for (const [ts, value] of odd) windowStep.process(state, reading(ts, value), ctx);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
    assert.equal(windowStep.tick!(state, NaN, ctx), undefined);
    const [r] = list(windowStep.tick!(state, 1e300, ctx));
    assert.deepEqual({ value: r!.value, quality: r!.quality, status: r!.status, count: r!.count }, {
      value: 4,
      quality: 'uncertain',
      status: 'window: 5 of 6 samples bad, left out',
      count: 1,
    });
  });

  it('handles a jump of years with bounded work', () => {
    const ctx = contextFor({ size: '1h', every: '1m', timeZone: 'Europe/Berlin' });
    const state = windowStep.init(ctx);
    windowStep.process(state, reading(Date.parse('2026-03-29T00:59:30Z'), 1), ctx); // a minute before the DST change
    const out = list(windowStep.process(state, reading(Date.parse('2046-06-01T12:00:00Z'), 2), ctx));
    const later = list(windowStep.tick!(state, Date.parse('2146-01-01T00:00:00Z'), ctx));
    assert.equal(out.length, 60); // every window that holds the 2026 sample, none after
    assert.equal(new Date(out[0]!.ts).toISOString(), '2026-03-29T01:00:00.000Z');
    assert.equal(new Date(out[59]!.ts).toISOString(), '2026-03-29T01:59:00.000Z');
    assert.equal(later.length, 60);
    assert.ok(JSON.stringify(state).length < 2000, 'the state after a jump is one pane');
  });
});

// ---------------------------------------------------------------------------------------------
// Property test: the step against a reference that keeps every sample and recomputes each window
// from scratch, with the step's state going through JSON at random points.

interface Scenario {
  options: Record<string, unknown>;
  offset: number; // the zone's constant offset, for the reference
  decimals?: number;
  events: Array<{ tick: number } | { reading: Reading } | { restart: true }>;
}

interface Sample {
  ts: number;
  value: Value;
  quality: Quality;
  status?: string;
  arrival: number;
  skipped: boolean;
}

/** The window semantics written the slow, obvious way (fixed-offset zones only). */
class Reference {
  private open: number | null = null;
  private readonly samples: Sample[] = [];
  private arrivals = 0;
  private readonly size: number;
  private readonly step: number;

  constructor(
    private readonly o: WindowOptions,
    private readonly offset: number,
    private readonly round: (v: number) => number,
  ) {
    this.size = o.size;
    this.step = o.every ?? o.size;
  }

  private paneOf(ts: number): number {
    return Math.floor((ts + this.offset) / this.step) * this.step - this.offset;
  }

  reading(r: Reading): Reading[] {
    if (!Number.isFinite(r.ts)) return [];
    if (this.open === null) this.open = this.paneOf(r.ts);
    else if (r.ts < this.open) return [];
    const out = this.advance(r.ts, true);
    // twa cannot place a sample between two earlier samples of its pane.
    const pane = this.samples.filter((s) => !s.skipped && this.paneOf(s.ts) === this.open);
    const skipped =
      this.o.function === 'twa' && pane.length > 0 && r.ts >= Math.min(...pane.map((s) => s.ts)) && r.ts < Math.max(...pane.map((s) => s.ts));
    this.samples.push({ ts: r.ts, value: r.value, quality: r.quality, ...(r.status !== undefined ? { status: r.status } : {}), arrival: this.arrivals++, skipped });
    return out;
  }

  tick(now: number): Reading[] {
    return this.open === null ? [] : this.advance(now - this.o.lateness, false);
  }

  private advance(until: number, jump: boolean): Reading[] {
    const out: Reading[] = [];
    while (this.open! + this.step <= until) {
      const end = this.open! + this.step;
      // Anything left for this window or a later one?
      if (!this.samples.some((s) => s.ts >= end - this.size)) {
        if (jump) this.open = this.paneOf(until);
        break;
      }
      const w = this.window(end - this.size, end);
      if (w) out.push(w);
      this.open = end;
    }
    return out;
  }

  private usable(s: Sample): number | string | boolean | null {
    if (s.quality === 'bad' || s.value === null) return null;
    if (typeof s.value === 'string') return ['first', 'last', 'count'].includes(this.o.function) ? s.value : null;
    if (typeof s.value === 'number' && !(Math.abs(s.value) <= 1e100)) return null;
    return typeof s.value === 'object' ? null : s.value;
  }

  private window(start: number, end: number): Reading | undefined {
    const inside = this.samples.filter((s) => s.ts >= start && s.ts < end).sort((a, b) => a.ts - b.ts || a.arrival - b.arrival);
    if (inside.length === 0) return undefined;
    const counted = inside.filter((s) => !s.skipped);
    const valid = counted.filter((s) => this.usable(s) !== null);
    const bad = counted.length - valid.length;
    const skipped = inside.length - counted.length;
    const nums = valid.map((s) => { const v = this.usable(s); return typeof v === 'boolean' ? (v ? 1 : 0) : (v as number); });
    const uncertain = valid.filter((s) => s.quality === 'uncertain');
    const reasons: string[] = [];
    let quality: Quality = 'good';
    let value: Value = null;
    let leadUncertain: Sample | undefined;
    if (valid.length === 0) {
      quality = 'bad';
      reasons.push(`window: no valid sample (${bad} bad${skipped > 0 ? `, ${skipped} out of order` : ''})`);
    } else {
      const n = nums.length;
      switch (this.o.function) {
        case 'avg':
          value = this.round(nums.reduce((a, b) => a + b, 0) / n);
          break;
        case 'sum':
          value = this.round(nums.reduce((a, b) => a + b, 0));
          break;
        case 'min':
          value = Math.min(...nums);
          break;
        case 'max':
          value = Math.max(...nums);
          break;
        case 'count':
          value = n;
          break;
        case 'first':
          value = valid[0]!.value;
          break;
        case 'last':
          value = valid[n - 1]!.value;
          break;
        case 'stddev': {
          const mean = nums.reduce((a, b) => a + b, 0) / n;
          value = n < 2 ? 0 : this.round(Math.sqrt(nums.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)));
          break;
        }
        case 'twa': {
          // Every sample ever taken, in time order: each holds until the next (a bad one holds nothing).
          const all = this.samples.filter((s) => !s.skipped).sort((a, b) => a.ts - b.ts || a.arrival - b.arrival);
          let integral = 0;
          let covered = 0;
          for (let i = 0; i < all.length; i++) {
            const s = all[i]!;
            const v = this.usable(s);
            if (v === null) continue;
            const from = Math.max(s.ts, start);
            const to = Math.min(i + 1 < all.length ? all[i + 1]!.ts : Infinity, end);
            if (to <= from) continue;
            integral += (typeof v === 'boolean' ? (v ? 1 : 0) : (v as number)) * (to - from);
            covered += to - from;
            if (s.ts < start && s.quality === 'uncertain') leadUncertain = s;
          }
          value = covered > 0 ? this.round(integral / covered) : null;
          break;
        }
      }
      if (typeof value === 'number') value += 0;
      if (value === null) {
        quality = 'bad';
        reasons.push('window: no time covered by a valid value');
      }
      if (n < this.o.minCount) {
        quality = 'bad';
        reasons.push(`window: ${n} valid ${n === 1 ? 'sample' : 'samples'}, fewer than minCount ${this.o.minCount}`);
      }
      const worse = (q: Quality) => (quality === 'bad' ? 'bad' : q);
      if (bad > 0) {
        quality = worse('uncertain');
        reasons.push(`window: ${bad} of ${inside.length} samples bad, left out`);
      }
      if (skipped > 0) {
        quality = worse('uncertain');
        reasons.push(`window: ${skipped} of ${inside.length} samples out of order, left out`);
      }
      if (uncertain.length > 0) {
        quality = worse('uncertain');
        const status = uncertain[0]!.status;
        reasons.push(`window: ${uncertain.length} of ${inside.length} samples uncertain${status !== undefined ? ` (${status})` : ''}`);
      }
      if (leadUncertain) {
        quality = worse('uncertain');
        reasons.push(`window: value held from before the window uncertain${leadUncertain.status !== undefined ? ` (${leadUncertain.status})` : ''}`);
      }
    }
    const out: Reading = { device: 'dev', point: 'p', ts: end, value, quality };
    if (reasons.length > 0) out.status = reasons.join('; ');
    out.count = valid.length;
    out.start = start;
    return out;
  }
}


const SHAPES: Array<{ size: string; every?: string }> = [
  { size: '10s' },
  { size: '1m' },
  { size: '30s', every: '10s' },
  { size: '1m', every: '20s' },
  { size: '1m', every: '1m' },
  { size: '1h', every: '15m' },
];
const FUNCTIONS = ['avg', 'twa', 'min', 'max', 'sum', 'count', 'first', 'last', 'stddev'] as const;
const ZONES: Array<[string, number]> = [
  ['UTC', 0],
  ['Asia/Shanghai', 8 * H],
  ['Asia/Kolkata', 5.5 * H],
];
const STATUSES = ['hj212:flag:M', 'hj212:flag:D', 'modbus:exception:4', undefined];

function scenario(seed: number): Scenario {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const shape = pick(SHAPES);
  const [timeZone, offset] = pick(ZONES);
  const options: Record<string, unknown> = { ...shape, function: pick(FUNCTIONS), minCount: Math.floor(r() * 4), lateness: pick([0, 2000, 5000]), timeZone };
  const events: Scenario['events'] = [];
  const big = shape.size === '1h';
  let t = T0 + Math.floor(r() * 3 * H);
  for (let i = 0; i < 250; i++) {
    const x = r();
    if (x < 0.08) events.push({ restart: true });
    else if (x < 0.2) events.push({ tick: t + Math.floor(r() * (big ? 20 * M : 70 * S)) });
    else {
      const y = r();
      // Mostly forward; now and then back (out of order, or late), now and then far ahead.
      if (y < 0.7) t += Math.floor(r() * (big ? 10 * M : 8 * S));
      else if (y < 0.9) t -= Math.floor(r() * (big ? 40 * M : 40 * S));
      else if (y < 0.97) t += Math.floor(r() * (big ? 5 * H : 5 * M));
      else t += Math.floor(r() * 400 * D);
      const q = r();
      const quality: Quality = q < 0.1 ? 'bad' : q < 0.25 ? 'uncertain' : 'good';
      const v = r();
      const value: Value = v < 0.06 ? null : v < 0.1 ? 'text' : v < 0.16 ? r() < 0.5 : Math.round(r() * 80 - 40) / 4;
      const status = quality === 'good' ? undefined : pick(STATUSES);
      const rd = reading(t, value, quality, status);
      events.push({ reading: rd });
    }
  }
  // stddev runs unrounded: Welford's running mean is a few ulps off a two-pass result, and at an
  // exact half (sqrt(0.390625) = 0.625) that would round the other way.
  const decimals = r() < 0.3 && options.function !== 'stddev' ? { decimals: 2 } : {};
  return { options, offset, ...decimals, events };
}

/** Runs the step through a scenario; with `restarts`, its state goes through JSON (and the options are parsed anew) at each restart. */
function runStep(sc: Scenario, restarts: boolean): Reading[] {
  const point: StepPoint = { device: 'dev', point: 'p', ...(sc.decimals !== undefined ? { decimals: sc.decimals } : {}) };
  let ctx = contextFor(sc.options, point);
  let state: WindowState = windowStep.init(ctx);
  const out: Reading[] = [];
  for (const e of sc.events) {
    if ('restart' in e) {
      if (!restarts) continue;
      state = JSON.parse(JSON.stringify(state)) as WindowState;
      ctx = contextFor(sc.options, point);
    } else if ('tick' in e) out.push(...list(windowStep.tick!(state, e.tick, ctx)));
    else out.push(...list(windowStep.process(state, e.reading, ctx)));
  }
  return out;
}

function runReference(sc: Scenario): Reading[] {
  const o = windowStep.options.parse(sc.options);
  const factor = sc.decimals === undefined ? undefined : 10 ** sc.decimals;
  const ref = new Reference(o, sc.offset, factor === undefined ? (v) => v : (v) => Math.round(v * factor) / factor);
  const out: Reading[] = [];
  for (const e of sc.events) {
    if ('tick' in e) out.push(...ref.tick(e.tick));
    else if ('reading' in e) out.push(...ref.reading(e.reading));
  }
  return out;
}

/** Sums in another order may differ in the last bits; values are compared to 1e-9 relative. */
function close(a: Reading[], b: Reading[], where: string): void {
  assert.equal(a.length, b.length, `${where}: ${a.length} windows, reference ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x.value === 'number' && typeof y.value === 'number') {
      assert.ok(Math.abs(x.value - y.value) <= 1e-9 * Math.max(1, Math.abs(y.value)), `${where} #${i}: ${x.value} vs ${y.value}`);
      assert.deepEqual({ ...x, value: 0 }, { ...y, value: 0 }, `${where} #${i}`);
    } else {
      assert.deepEqual(x, y, `${where} #${i}`);
    }
  }
}

describe('window property test', () => {
  it('matches a brute-force reference, with and without the state going through JSON', () => {
    let windows = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const sc = scenario(seed);
      const where = `seed ${seed} ${JSON.stringify(sc.options)}${sc.decimals !== undefined ? ` decimals ${sc.decimals}` : ''}`;
      const straight = runStep(sc, false);
      const restarted = runStep(sc, true);
      assert.deepEqual(restarted, straight, `${where}: a JSON round trip of the state changed the output`);
      close(straight, runReference(sc), where);
      windows += straight.length;
    }
    assert.ok(windows > 2000, `only ${windows} windows were compared`);
  });
});
