/**
 * The edge pipeline: between normalization and the journal, each point's readings pass through
 * its steps, derived points are computed from what the feed carries, and step states are saved
 * with the journal so windows and alarms survive a restart. A reading a step drops never reaches
 * the journal.
 *
 * Points without steps, branches or dependents go straight through: a gateway without pipeline
 * configuration pays one map lookup per reading.
 */
import type { ClockStep, DeviceEvent, Logger, Quality, Reading, Step, Value } from '@sensegate/sdk';
import { pipelineOf, type DeviceConfig, type PointConfig } from '../config/load.js';
import { stepPointOf, type DerivedConfig, type DerivedOutput } from '../config/pipeline.js';
import type { Metrics } from '../metrics.js';
import { clockWatch } from '../runtime/clock-watch.js';
import type { Feed } from '../runtime/feed-writer.js';
import { PointNormalizer } from '../runtime/normalize.js';
import { PointChain, type ConfiguredStep, type StepCounters } from './chain.js';
import { evaluateDerived, newEvaluation, type Evaluation, type InputSlot } from './derived.js';
import { encodeState, fingerprint, lagKey, readState, SAVED_AT_KEY, stateKey } from './state-keys.js';

/** Where step states are kept between runs; the journal, so states commit with the entries they explain. */
export interface StateStore {
  /** Saves these states with the next journal commit. */
  save(states: Map<string, string>): void;
}

export interface PipelineOptions {
  /** Where processed readings and events go: the journal's feed writer. */
  out: Feed;
  log: Logger;
  metrics?: Metrics;
  /** States saved by the previous run, by key. */
  saved?: ReadonlyMap<string, string>;
  store?: StateStore;
  /** How often changed states are saved besides at events and at stop; default 10 s. */
  saveInterval?: number;
  /** The wall clock (default: the gateway's clock watch, which reports steps before it returns a stepped time). */
  clock?: () => number;
}

/** A point's place in the pipeline. */
class PointNode implements InputSlot {
  chain: PointChain | undefined;
  /** Copies of the raw readings for `from:` derived points. */
  readonly branches: Array<{ push(reading: Reading): void }> = [];
  readonly dependents: DerivedNode[] = [];
  seen = false;
  value: Value = null;
  quality: Quality = 'good';
  ts = 0;
  status: string | undefined = undefined;
  deviceStamped = false;
  constructor(
    readonly id: string,
    readonly normalizer: PointNormalizer,
  ) {}
}

class DerivedNode {
  dirty = false;
  constructor(
    readonly device: string,
    readonly config: DerivedConfig,
    readonly inputs: PointNode[],
    readonly outputs: PointNode[],
  ) {
  }
}

/** A saved-state key and the chain it belongs to, for saving. */
interface ChainEntry {
  key: (index: number, step: string) => string;
  lagKey: string;
  fingerprints: string[];
  chain: PointChain;
}

export class Pipeline implements Feed {
  private readonly byKey = new Map<string, PointNode>();
  private readonly chains: ChainEntry[] = [];
  private readonly derived: DerivedNode[] = [];
  private readonly pending: DerivedNode[] = [];
  private settleQueued = false;
  private timer: NodeJS.Timeout | undefined;
  /** Monotonic time of the last save: how often states are saved is a duration, not a wall time. */
  private lastSave = performance.now();
  private readonly clock: () => number;
  private readonly counters = new Map<string, StepCounters>();
  /** Filled by one evaluation and read at once: one pair for all derived points keeps them out of every point's memory. */
  private values: Value[] = [];
  private result: Evaluation = newEvaluation(0);

  constructor(private readonly options: PipelineOptions) {
    this.clock = options.clock ?? (() => clockWatch.now());
  }

  /**
   * Sets up the steps of every point and the derived points of every device. `normalizers` are
   * the devices' own (the runners'); derived points get theirs here.
   */
  build(devices: readonly DeviceConfig[], normalizers: (device: string) => ReadonlyMap<string, PointNormalizer>): void {
    for (const device of devices) {
      const own = normalizers(device.id);
      for (const point of device.points) {
        const normalizer = own.get(point.id);
        if (!normalizer) continue; // disabled
        normalizer.stage = undefined;
        this.byKey.set(`${device.id}/${point.id}`, new PointNode(point.id, normalizer));
      }
      for (const d of device.derived) {
        for (const output of d.outputs) {
          this.byKey.set(`${device.id}/${output.id}`, new PointNode(output.id, new PointNormalizer(device.id, outputPoint(output))));
        }
      }
    }
    for (const device of devices) {
      for (const point of device.points) {
        const node = this.byKey.get(`${device.id}/${point.id}`);
        if (!node) continue;
        const steps = pipelineOf(device, point);
        if (steps.length > 0) node.chain = this.chain(device.id, point, steps, (r) => this.emit(node, r));
      }
      for (const d of device.derived) this.addDerived(device.id, d);
    }
    for (const node of this.byKey.values()) {
      if (node.chain || node.branches.length > 0 || node.dependents.length > 0) node.normalizer.stage = node;
    }
  }

  private addDerived(device: string, config: DerivedConfig): void {
    const found = config.inputs.map((ref) => this.byKey.get(`${ref.device ?? device}/${ref.point}`));
    const absent = config.inputs.filter((_, i) => found[i] === undefined);
    if (absent.length > 0) {
      // Only a disabled device or point gets here: the configuration check rejects unknown inputs.
      this.options.log.warn({ device, point: config.id }, `derived point ${device}/${config.id} is not computed: ${absent.map((r) => r.text).join(', ')} is disabled`);
      return;
    }
    const inputs = found as PointNode[];
    const outputs = config.outputs.map((o) => this.byKey.get(`${device}/${o.id}`)!);
    const main = outputs[0]!;
    const point = { id: config.id, unit: config.unit, decimals: config.decimals } as PointConfig;
    if (config.source.kind === 'from') {
      // A copy of the source's raw readings, relabelled and condensed by the derived point's own steps.
      const relabel = (r: Reading): Reading => {
        const copy: Reading = { device, point: config.id, ts: r.ts, value: r.value, quality: r.quality };
        const unit = config.unit ?? r.unit;
        if (unit !== undefined) copy.unit = unit;
        if (r.status !== undefined) copy.status = r.status;
        if (r.received !== undefined) copy.received = r.received;
        return copy;
      };
      const chain = this.chain(device, point, config.pipeline, (r) => this.emit(main, r));
      inputs[0]!.branches.push({ push: (r) => chain.push(relabel(r)) });
      return;
    }
    if (config.pipeline.length > 0) main.chain = this.chain(device, point, config.pipeline, (r) => this.emit(main, r));
    const node = new DerivedNode(device, config, inputs, outputs);
    if (inputs.length > this.values.length) this.values = new Array(inputs.length).fill(null);
    if (outputs.length > this.result.outputs.length) this.result = newEvaluation(outputs.length);
    for (const input of new Set(inputs)) input.dependents.push(node);
    this.derived.push(node);
  }

  private chain(device: string, point: Pick<PointConfig, 'id' | 'unit' | 'decimals'>, steps: ConfiguredStep[], output: (r: Reading) => void): PointChain {
    const fingerprints = steps.map(fingerprint);
    const key = (index: number, step: string) => stateKey(device, point.id, index, step);
    const saved = steps.map((s, i) => readState(fingerprints[i]!, this.options.saved?.get(key(i, s.step.name))));
    const states = saved.map((r) => r.current);
    const retired = saved.map((r) => r.stale);
    const savedLag = Number(this.options.saved?.get(lagKey(device, point.id)));
    const entry: ChainEntry = { key, lagKey: lagKey(device, point.id), fingerprints, chain: undefined! };
    entry.chain = new PointChain(
      stepPointOf(device, point),
      steps,
      {
        reading: output,
        event: (e) => {
          this.options.out.event(e);
          // The state that raised the event commits with it: a restart neither repeats nor loses it.
          // (Events raised while the chain is built, retiring old states, are saved just below.)
          if (entry.chain) this.save([entry]);
        },
      },
      { states, retired, ...(Number.isFinite(savedLag) ? { lag: savedLag } : {}), counters: (step) => this.countersFor(device, step) },
    );
    if (entry.chain.dirty) this.save([entry]);
    this.chains.push(entry);
    return entry.chain;
  }

  private countersFor(device: string, step: Step): StepCounters {
    const k = `${device}\0${step.name}`;
    let c = this.counters.get(k);
    if (!c) {
      const m = this.options.metrics;
      const labels = { device, step: step.name };
      c = m
        ? {
            in: m.counter('sensegate_pipeline_in_total', 'Readings that entered a pipeline step.').bind(labels),
            out: m.counter('sensegate_pipeline_out_total', 'Readings a pipeline step passed on or produced.').bind(labels),
            dropped: m
              .counter('sensegate_pipeline_dropped_total', 'Readings a pipeline step did not pass on: filtered out, or taken into a window.')
              .bind(labels),
          }
        : { in: { value: 0 }, out: { value: 0 }, dropped: { value: 0 } };
      this.counters.set(k, c);
    }
    return c;
  }

  /** The points derived points add to the device, for the birth message. */
  derivedPoints(device: string): Array<DerivedOutput & { derived: string }> {
    return this.derived
      .filter((d) => d.device === device)
      .flatMap((d) => d.config.outputs.map((o) => ({ ...o, derived: d.config.source.kind })));
  }

  // Feed: what devices write to.

  reading(reading: Reading, normalizer: PointNormalizer): void {
    const node = normalizer.stage as PointNode | undefined;
    if (node === undefined) {
      this.options.out.reading(reading, normalizer);
      return;
    }
    for (let i = 0; i < node.branches.length; i++) node.branches[i]!.push(reading);
    if (node.chain) node.chain.push(reading);
    else this.emit(node, reading);
  }

  event(event: DeviceEvent): void {
    this.options.out.event(event);
  }

  private emit(node: PointNode, reading: Reading): void {
    this.options.out.reading(reading, node.normalizer);
    const deps = node.dependents;
    if (deps.length === 0) return;
    node.seen = true;
    node.value = reading.value;
    node.quality = reading.quality;
    node.ts = reading.ts;
    node.status = reading.status;
    node.deviceStamped = reading.received !== undefined;
    for (let i = 0; i < deps.length; i++) {
      const d = deps[i]!;
      if (d.dirty) continue;
      d.dirty = true;
      this.pending.push(d);
      if (!this.settleQueued) {
        this.settleQueued = true;
        queueMicrotask(this.settle);
      }
    }
  }

  /** Computes the derived points whose inputs changed. Runs after each burst of readings. */
  readonly settle = (): void => {
    this.settleQueued = false;
    if (this.pending.length === 0) return;
    // A derived point's time is its newest input's. When that is a device's own timestamp, the
    // derived reading says when it was computed (`received`), so its ticks follow the device's
    // clock; when the gateway stamped the input, the derived point is gateway-stamped as well, and
    // its windows hear of the gateway's clock steps. (The clock is read only for the former: a step
    // first seen here would reach the windows before the readings stamped just before it.)
    let now: number | undefined;
    // Derived points that read derived points are appended as they become due, so one pass settles all.
    for (let i = 0; i < this.pending.length; i++) {
      const d = this.pending[i]!;
      d.dirty = false;
      const result = this.result;
      if (!evaluateDerived(d.config, d.inputs, this.values, result)) continue;
      for (let k = 0; k < d.outputs.length; k++) {
        const out = d.outputs[k]!;
        const v = result.outputs[k]!;
        const reading = out.normalizer.reading(v.value, v.quality, result.ts, v.status, result.deviceStamped ? (now ??= this.clock()) : undefined);
        if (out.chain) out.chain.push(reading);
        else this.emit(out, reading);
      }
    }
    this.pending.length = 0;
  };

  /** Starts the clock that closes windows and confirms delayed alarms when no reading comes. */
  start(tickInterval = 1000): void {
    this.resumeClock();
    this.timer ??= setInterval(() => this.tick(this.clock()), tickInterval);
    this.timer.unref();
  }

  /**
   * The wall clock stepped (see runtime/clock-watch.ts): each point stamped by the gateway's clock
   * lets its steps decide about what is open; states are saved at once.
   */
  clockStepped(step: ClockStep): void {
    for (const c of this.chains) {
      try {
        c.chain.clockStepped(step);
      } catch (err) {
        this.options.log.error({ err, point: c.chain.point }, `pipeline step failed on a clock step for ${c.chain.point.device}/${c.chain.point.point}: ${(err as Error).message}`);
      }
    }
    this.settle();
    this.save(this.chains.filter((c) => c.chain.dirty));
  }

  /**
   * A clock now behind the time the states were saved went back while the gateway was stopped: the
   * steps hear of it as of a step, so a window left open by the last run does not take every new
   * reading for a late one until the clock catches up with it.
   */
  private resumeClock(): void {
    const savedAt = Number(this.options.saved?.get(SAVED_AT_KEY));
    if (!Number.isFinite(savedAt)) return;
    const now = this.clock();
    if (now >= savedAt - clockWatch.threshold) return;
    this.options.log.warn(
      { savedAt, now },
      `the wall clock (${new Date(now).toISOString()}) is ${Math.round((savedAt - now) / 1000)} s behind the time the pipeline states were saved (${new Date(savedAt).toISOString()}): ` +
        'it went back while the gateway was stopped; windows the last run left open close now as uncertain and start over on the current clock',
    );
    this.clockStepped({ from: savedAt, to: now });
  }

  tick(now: number): void {
    for (const c of this.chains) {
      try {
        c.chain.tick(now);
      } catch (err) {
        this.options.log.error({ err, point: c.chain.point }, `pipeline step failed on tick for ${c.chain.point.device}/${c.chain.point.point}: ${(err as Error).message}`);
      }
    }
    this.settle();
    if (performance.now() - this.lastSave >= (this.options.saveInterval ?? 10_000)) this.save(this.chains.filter((c) => c.chain.dirty));
  }

  /** Stops the clock and saves every state that changed, so the next run continues open windows. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.settle();
    this.save(this.chains.filter((c) => c.chain.dirty));
  }

  /** The keys under which this configuration saves step states. */
  stateKeys(): Set<string> {
    const keys = new Set<string>([SAVED_AT_KEY]);
    for (const e of this.chains) {
      keys.add(e.lagKey);
      for (let i = 0; i < e.chain.length; i++) keys.add(e.key(i, e.chain.stepName(i)));
    }
    return keys;
  }

  /** Every step state by key, encoded as saved (for tests and the golden runner). */
  states(): Map<string, string> {
    return this.encode(this.chains);
  }

  private save(entries: ChainEntry[]): void {
    this.lastSave = performance.now();
    if (entries.length === 0 || !this.options.store) return;
    this.options.store.save(this.encode(entries));
  }

  private encode(entries: ChainEntry[]): Map<string, string> {
    const out = new Map<string, string>();
    if (entries.length > 0) out.set(SAVED_AT_KEY, String(this.clock()));
    for (const e of entries) {
      e.chain.dirty = false;
      if (e.chain.lag !== undefined) out.set(e.lagKey, String(e.chain.lag));
      e.chain.states().forEach((state, i) => out.set(e.key(i, e.chain.stepName(i)), encodeState(e.fingerprints[i]!, state)));
    }
    return out;
  }

  /** Active alarms and open windows, for the gateway's status. */
  describe(): Array<{ device: string; point: string; step: string; state: Record<string, unknown> }> {
    return this.chains.flatMap((c) => c.chain.describe().map((d) => ({ device: c.chain.point.device, point: c.chain.point.point, ...d })));
  }
}

function outputPoint(output: DerivedOutput): PointConfig {
  return { id: output.id, unit: output.unit, decimals: output.decimals, scale: 1, offset: 0, writable: false, direction: 'read', enabled: true } as PointConfig;
}
