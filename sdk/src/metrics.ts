/**
 * The metrics surface drivers see (`DriverContext.metrics`): named counters and gauges with a few
 * labels. The gateway keeps them in its own registry, adds a `driver` label to every series and
 * serves them with its other metrics; a test context records them for assertions.
 *
 * Obligations of a driver: names follow Prometheus conventions (`sensegate_<area>_<what>_total`
 * for counters), the same name always has the same kind and help, and label values come from the
 * configuration or from a fixed set in the code, never from the wire (a remote address or a
 * station id sent by a peer would let anyone grow the series without bound). Get a series once
 * and keep it: `inc` and `set` are then a property update.
 */

/** Label names and values of one series; `driver` is added by the gateway. */
export type MetricLabels = Readonly<Record<string, string>>;

export interface CounterSeries {
  /** Adds `by` (default 1); counters only go up. */
  inc(by?: number): void;
}

export interface GaugeSeries {
  set(value: number): void;
}

export interface DriverMetrics {
  /** The series of counter `name` with these labels, created at 0 the first time. */
  counter(name: string, help: string, labels?: MetricLabels): CounterSeries;
  /** The series of gauge `name` with these labels, created at 0 the first time. */
  gauge(name: string, help: string, labels?: MetricLabels): GaugeSeries;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws a TypeError naming the problem if `name` or a label name is not a valid metric identifier. */
export function checkMetricNames(name: string, labels: MetricLabels = {}): void {
  if (!METRIC_NAME.test(name)) throw new TypeError(`metric name "${name}" must match ${METRIC_NAME}`);
  for (const label of Object.keys(labels)) {
    if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new TypeError(`label "${label}" of metric ${name} must match ${LABEL_NAME} and not start with __`);
  }
}

const nothing = { inc() {}, set() {} };

/** Metrics that go nowhere: for dry runs (`sensegate validate`) and tools that run a driver briefly. */
export const discardMetrics: DriverMetrics = {
  counter: (name, _help, labels) => (checkMetricNames(name, labels), nothing),
  gauge: (name, _help, labels) => (checkMetricNames(name, labels), nothing),
};
