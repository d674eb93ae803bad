import { resolveSecret, type DeviceEvent, type DeviceInfo, type DeviceState, type DriverContext, type MediaSource, type PublishOptions, type SensegateError, type Value } from '../index.js';
import type { LogFn, Logger } from '../logger.js';
import { checkMetricNames, type DriverMetrics, type MetricLabels } from '../metrics.js';

/** One series a driver updated through `context.metrics`. */
export interface RecordedMetric {
  name: string;
  kind: 'counter' | 'gauge';
  help: string;
  labels: MetricLabels;
  value: number;
}

export interface RecordedLog {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A DriverContext that records everything a driver reports, for assertions. */
export interface TestContext extends DriverContext {
  readonly published: Array<{ device: string; point: string; value: Value; options: PublishOptions }>;
  readonly events: DeviceEvent[];
  readonly healthChanges: Array<{ device: string; state: DeviceState; reason?: SensegateError | string }>;
  /** The latest `describe()` of each device. */
  readonly infos: Map<string, DeviceInfo>;
  /** The latest `media()` of each device. */
  readonly mediaSources: Map<string, readonly MediaSource[]>;
  readonly logs: RecordedLog[];
  /** Every series the driver created through `metrics`, by name and labels. */
  readonly metricSeries: RecordedMetric[];
  /**
   * The value of a metric: the sum of its series whose labels include `labels` (all of them when
   * left out); 0 when the driver never created it.
   */
  metric(name: string, labels?: MetricLabels): number;
}

function recordingLogger(logs: RecordedLog[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: RecordedLog['level']): LogFn =>
    (a: string | Record<string, unknown>, b?: string) => {
      if (typeof a === 'string') logs.push({ level, message: a, fields: { ...bindings } });
      else logs.push({ level, message: b ?? '', fields: { ...bindings, ...a } });
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(logs, { ...bindings, ...more }),
  };
}

export function createTestContext(options: { driver?: string; gatewayId?: string; dataDir?: string } = {}): TestContext {
  const published: TestContext['published'] = [];
  const events: DeviceEvent[] = [];
  const healthChanges: TestContext['healthChanges'] = [];
  const logs: RecordedLog[] = [];
  const infos = new Map<string, DeviceInfo>();
  const mediaSources = new Map<string, readonly MediaSource[]>();
  const metricSeries: RecordedMetric[] = [];
  const series = (kind: RecordedMetric['kind'], name: string, help: string, labels: MetricLabels = {}): RecordedMetric => {
    checkMetricNames(name, labels);
    const same = metricSeries.find((m) => m.name === name);
    if (same && same.kind !== kind) throw new Error(`metric ${name} is already a ${same.kind}`);
    const key = JSON.stringify(Object.entries(labels).sort());
    let found = metricSeries.find((m) => m.name === name && JSON.stringify(Object.entries(m.labels).sort()) === key);
    if (!found) metricSeries.push((found = { name, kind, help, labels: { ...labels }, value: 0 }));
    return found;
  };
  const metrics: DriverMetrics = {
    counter(name, help, labels) {
      const s = series('counter', name, help, labels);
      return { inc: (by = 1) => void (s.value += by) };
    },
    gauge(name, help, labels) {
      const s = series('gauge', name, help, labels);
      return { set: (value) => void (s.value = value) };
    },
  };
  return {
    driver: options.driver ?? 'test',
    gatewayId: options.gatewayId ?? 'test-gateway',
    dataDir: options.dataDir ?? process.cwd(),
    configDir: process.cwd(),
    log: recordingLogger(logs),
    published,
    events,
    healthChanges,
    infos,
    mediaSources,
    logs,
    metrics,
    metricSeries,
    metric(name, labels = {}) {
      let sum = 0;
      for (const m of metricSeries) {
        if (m.name === name && Object.entries(labels).every(([k, v]) => m.labels[k] === v)) sum += m.value;
      }
      return sum;
    },
    publish(device, point, value, opts = {}) {
      published.push({ device, point, value, options: opts });
    },
    event(event) {
      events.push(event);
    },
    health(device, state, reason) {
      healthChanges.push({ device, state, ...(reason !== undefined ? { reason } : {}) });
    },
    describe(device, info) {
      infos.set(device, info);
    },
    media(device, sources) {
      mediaSources.set(device, sources);
    },
    secret(device, field, ref) {
      return resolveSecret(ref, { baseDir: process.cwd(), env: process.env, path: field, source: `device ${device}` }).reveal();
    },
  };
}
