/**
 * Runs one device: groups its points by poll interval, polls each group at fixed rate through the
 * driver, normalizes what comes back and hands it to the feed. A device's failures stay here: they
 * become bad-quality readings and health changes, never exceptions that reach another device.
 */
import {
  SensegateError,
  isReadPoint,
  toSensegateError,
  type DeviceRef,
  type DriverInstance,
  type Logger,
  type PointRef,
  type ReadPlan,
} from '@sensegate/sdk';
import type { DeviceConfig, PointConfig } from '../config/load.js';
import type { HistogramSeries, Metrics, Series } from '../metrics.js';
import { clockWatch, type ClockWatch } from './clock-watch.js';
import { DeviceHealth } from './device-health.js';
import type { Feed } from './feed-writer.js';
import { PointNormalizer } from './normalize.js';
import { PollBatch } from './poll-batch.js';
import { PollStats } from './poll-stats.js';
import { FixedRateTimer, phaseFor } from './scheduler.js';

interface PollGroup {
  interval: number;
  points: PointRef[];
  normalizers: PointNormalizer[];
  plan: ReadPlan | undefined;
  /** How long this group's polls take, from the request to the last value. */
  duration: HistogramSeries;
  timer?: FixedRateTimer;
}

export class DeviceRunner {
  readonly id: string;
  readonly ref: DeviceRef;
  readonly health: DeviceHealth;
  readonly normalizers = new Map<string, PointNormalizer>();
  /** What the polls did: counts, errors by code, the last poll and the last error (for the API). */
  readonly stats = new PollStats();
  private readonly groups: PollGroup[] = [];
  private readonly stopping = new AbortController();
  /** Readings the device produced, polled or pushed (the gateway counts pushed ones here too). */
  readonly readings: Series;
  private readonly polls: Series;
  private readonly overruns: Series;
  private readonly failures: Series;
  /** Failed point reads by error code, bound as codes first appear. */
  private readonly errorsByCode = new Map<string, Series>();

  constructor(
    readonly config: DeviceConfig,
    /** The driver instance serving this device (commands go straight to it). */
    readonly instance: DriverInstance,
    private readonly feed: Feed,
    log: Logger,
    private readonly metrics: Metrics,
    /** The wall clock readings are stamped with (the process's, shared with the rest of the gateway). */
    private readonly clock: ClockWatch = clockWatch,
  ) {
    this.id = config.id;
    const points = config.points.filter((p) => p.enabled);
    this.ref = Object.freeze({
      id: config.id,
      connection: config.connection,
      points: points.map(pointRef),
      timeout: config.timeout,
      pollInterval: config.pollInterval,
      reconnect: config.reconnect,
      tags: config.tags,
      log,
    });
    this.health = new DeviceHealth(config.id, log, feed);
    // Write-only points get no readings: nothing to normalize, and a value pushed for one is ignored.
    for (const p of points) if (isReadPoint(p)) this.normalizers.set(p.id, new PointNormalizer(config.id, p));
    const labels = { device: config.id };
    this.readings = metrics
      .counter('sensegate_device_readings_total', 'Readings a device produced, polled or pushed, good or bad, before the edge pipeline.')
      .bind(labels);
    this.polls = metrics.counter('sensegate_polls_total', 'Polls of a device group.').bind(labels);
    this.overruns = metrics
      .counter('sensegate_poll_overruns_total', 'Poll ticks skipped because the previous poll of the group was still running.')
      .bind(labels);
    this.failures = metrics.counter('sensegate_point_failures_total', 'Point reads of a poll that produced no value (bad quality).').bind(labels);
  }

  /** Registers the device with its driver and plans its poll groups; does not connect. */
  async prepare(): Promise<void> {
    await this.instance.addDevice(this.ref);
    if (!this.instance.read) return; // a push driver: nothing to poll
    const byInterval = new Map<number, PointRef[]>();
    for (const point of this.ref.points) {
      if (!isReadPoint(point.spec)) continue; // write-only: never read
      if (this.instance.polls && !this.instance.polls(this.ref, point)) continue; // the driver pushes it
      const interval = point.spec.pollInterval ?? this.config.pollInterval;
      let list = byInterval.get(interval);
      if (!list) byInterval.set(interval, (list = []));
      list.push(point);
    }
    for (const [interval, points] of [...byInterval].sort((a, b) => a[0] - b[0])) {
      this.groups.push({
        interval,
        points,
        normalizers: points.map((p) => this.normalizers.get(p.id)!),
        plan: this.instance.planRead?.(this.ref, points),
        duration: this.metrics
          .histogram(
            'sensegate_poll_duration_seconds',
            'Time one poll of a device group took, from the request to the last value or error, in seconds; `interval` is the group\'s poll interval.',
          )
          .bind({ device: this.id, interval: intervalLabel(interval) }),
      });
    }
  }

  /** The plan of every poll group, for `sensegate plan`. */
  describePlan(): Array<{ interval: number; points: string[]; requests: string[] }> {
    return this.groups.map((g) => ({
      interval: g.interval,
      points: g.points.map((p) => p.id),
      requests: g.plan?.describe() ?? [],
    }));
  }

  start(): void {
    if (this.instance.startDevice) {
      Promise.resolve()
        .then(() => this.instance.startDevice!(this.ref))
        .catch((err: unknown) => this.health.report('offline', toSensegateError(err)));
    }
    for (const group of this.groups) {
      group.timer = new FixedRateTimer(
        group.interval,
        phaseFor(`${this.id}/${group.interval}`, group.interval),
        () => this.poll(group),
        (n) => (this.overruns.value += n),
      );
      group.timer.start();
    }
    if (this.groups.length > 0) return;
    if (this.followsWrites) this.health.report('starting', 'every point is write-only: the state follows the first write');
    else this.health.report('starting', 'waiting for the device to report');
  }

  /**
   * A polled device whose points are all write-only is never read: its writes are the only contact
   * with it, so they set its state.
   */
  get followsWrites(): boolean {
    return this.instance.read !== undefined && !this.ref.points.some((p) => isReadPoint(p.spec));
  }

  /** The outcome of a write to one of the device's points (through the command router). */
  wrote(error: SensegateError | undefined): void {
    if (this.followsWrites && !this.stopping.signal.aborted) this.health.fromWrite(error, Date.now());
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.groups.map((g) => g.timer?.stop()));
    this.health.report('stopped', undefined);
  }

  /** One poll of one group. Never throws. */
  async poll(group: PollGroup): Promise<void> {
    // The poll's readings are stamped with its start; a clock step seen while it runs moves that too.
    // (now() first: a step it sees is already in the time it returns, so it counts before the epoch.)
    const started = this.clock.now();
    const epoch = this.clock.epoch;
    const startedAt = performance.now();
    const abort = new AbortController();
    const onStop = () => abort.abort(new SensegateError('SG_NOT_CONNECTED', 'the gateway is stopping', { device: this.id }));
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    // A safety net for drivers that never settle, far beyond the device's timeout: the driver ends
    // each request at that timeout itself (the SDK's contract). Documented in writing-a-driver.md.
    const limit = Math.max(this.config.timeout * 10, group.interval * 5, 10_000);
    const guard = setTimeout(
      () => abort.abort(new SensegateError('SG_REQUEST_TIMEOUT', `read did not finish within ${limit} ms`, { device: this.id })),
      limit,
    );
    const batch = new PollBatch(group.points, group.plan, started, abort.signal);
    try {
      await new Promise<void>((resolve, reject) => {
        abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
        this.instance.read!(this.ref, batch).then(resolve, reject);
      });
      batch.close(() => new SensegateError('SG_NO_VALUE', 'the driver returned no value for this point', { device: this.id }));
    } catch (err) {
      const error = toSensegateError(err, { device: this.id, driver: this.config.driver });
      batch.close(() => error);
    } finally {
      clearTimeout(guard);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
    this.polls.value++;
    // A poll cut short by shutdown says nothing about the device: no bad readings, no state change.
    if (this.stopping.signal.aborted) return;
    group.duration.observe((performance.now() - startedAt) / 1000);
    // Look at the clock before working out the poll's time: a step first seen by this look is
    // reported (windows start over on the new clock) and must be in the time the readings carry too,
    // or they would reach the windows stamped on the old clock after they had moved to the new one.
    const received = this.clock.now();
    this.stats.poll(received, performance.now() - startedAt, group.points.length);
    this.emit(group, batch, started + this.clock.shiftSince(epoch), received);
  }

  private emit(group: PollGroup, batch: PollBatch, time: number, received: number): void {
    let failures = 0;
    let firstError: SensegateError | undefined;
    for (let i = 0; i < group.points.length; i++) {
      const n = group.normalizers[i]!;
      const sourceTs = batch.sourceTs[i];
      const quality = batch.qualities[i]!;
      if (quality === 'bad') {
        failures++;
        const error = batch.errors[i];
        firstError ??= error;
        this.errorSeries(error?.code ?? NO_CODE).value++;
        this.stats.failed(error, received);
      }
      const reading = n.reading(batch.values[i]!, quality, sourceTs ?? time, batch.statuses[i], sourceTs === undefined ? undefined : received);
      this.feed.reading(reading, n);
    }
    this.readings.value += group.points.length;
    this.failures.value += failures;
    this.health.fromPoll(group.points.length, failures, firstError, time);
  }

  private errorSeries(code: string): Series {
    let series = this.errorsByCode.get(code);
    if (!series) {
      series = this.metrics
        .counter(
          'sensegate_point_errors_total',
          'Point reads of a poll that produced no value, by error code (`none`: the driver marked the value bad without an error); they sum to sensegate_point_failures_total.',
        )
        .bind({ device: this.id, code });
      this.errorsByCode.set(code, series);
    }
    return series;
  }
}

/** The code a failed read is counted under when the driver marked it bad without an error. */
const NO_CODE = 'none';

/** A poll interval as the configuration writes it: `500ms`, `10s`, `1m`. */
export function intervalLabel(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function pointRef(spec: PointConfig): PointRef {
  return Object.freeze({ id: spec.id, spec: Object.freeze(spec) });
}
