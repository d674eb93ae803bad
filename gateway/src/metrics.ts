/**
 * In-process metrics: counters, gauges and histograms with labels, read by the REST API, the status
 * and the logs, and rendered in the Prometheus text format (docs/metrics.md lists every series).
 *
 * Invariants:
 * - Updating a metric on a hot path is a property increment (`series.value++`) or `observe(x)` on a
 *   series bound once with `bind(labels)`: nothing here allocates once a labelled series exists.
 * - Values that are cheaper to read when asked than to keep current (file sizes, the process's CPU
 *   time, a sink's backlog age) are set by collectors (`collect(fn)`), which run before every
 *   `render()` and `snapshot()` and nowhere else. A collector that throws is counted, never rethrown:
 *   a scrape always gets an answer.
 * - A name has one type and one set of buckets; registering it again returns the same metric.
 */

export type Labels = Record<string, string>;

/** The Content-Type of `render()`'s text, for whoever serves it (`GET /metrics`). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A counter or gauge series. Keep it (`bind`) and change `value` on hot paths. */
export interface Series {
  readonly labels: Labels;
  value: number;
}

/** A histogram series: per-bucket counts, the sum and the count of what it observed. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative; the last slot is the `+Inf` bucket. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    /** Upper bounds, ascending; a value equal to a bound falls in that bucket (Prometheus `le`). */
    readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export type MetricType = 'counter' | 'gauge' | 'histogram';

abstract class Family<S extends { readonly labels: Labels }> {
  private readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
  ) {}

  protected abstract create(labels: Labels): S;

  protected get(labels: Labels | undefined): S {
    const key = labels ? labelKey(labels) : '';
    let s = this.series.get(key);
    if (!s) {
      s = this.create(labels ? { ...labels } : {});
      this.series.set(key, s);
    }
    return s;
  }

  /** A bound series, for hot paths: keep it and change it directly. Creates it (at zero) if new. */
  bind(labels?: Labels): S {
    return this.get(labels);
  }

  /** Forgets a series (a sink or device that is gone), so it is no longer rendered. */
  remove(labels?: Labels): void {
    this.series.delete(labels ? labelKey(labels) : '');
  }

  protected find(labels: Labels | undefined): S | undefined {
    return this.series.get(labels ? labelKey(labels) : '');
  }

  all(): S[] {
    return [...this.series.values()];
  }
}

export class Counter extends Family<Series> {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  protected create(labels: Labels): Series {
    return { labels, value: 0 };
  }

  inc(labels?: Labels, by = 1): void {
    this.get(labels).value += by;
  }

  value(labels?: Labels): number {
    return this.find(labels)?.value ?? 0;
  }
}

export class Gauge extends Family<Series> {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }

  protected create(labels: Labels): Series {
    return { labels, value: 0 };
  }

  set(value: number, labels?: Labels): void {
    this.get(labels).value = value;
  }

  inc(labels?: Labels, by = 1): void {
    this.get(labels).value += by;
  }

  value(labels?: Labels): number {
    return this.find(labels)?.value ?? 0;
  }
}

export class Histogram extends Family<HistogramSeries> {
  constructor(
    name: string,
    help: string,
    readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
    for (let i = 0; i < buckets.length; i++) {
      if (!Number.isFinite(buckets[i]) || (i > 0 && buckets[i]! <= buckets[i - 1]!)) {
        throw new Error(`histogram ${name}: buckets must be finite and ascending, got [${buckets.join(', ')}]`);
      }
    }
  }

  protected create(labels: Labels): HistogramSeries {
    return new HistogramSeries(labels, this.buckets);
  }

  observe(value: number, labels?: Labels): void {
    this.get(labels).observe(value);
  }

  /** How many values the series observed. */
  value(labels?: Labels): number {
    return this.find(labels)?.count ?? 0;
  }
}

export type Metric = Counter | Gauge | Histogram;

/** Bucket bounds in seconds for durations from a few milliseconds (a local Modbus read) to a minute. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}=${labels[k]}`).join(',');
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as the text format spells it (`+Inf`, `-Inf`, `NaN`). */
function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

function formatLabels(labels: Labels, extra?: string): string {
  const parts = Object.keys(labels).map((k) => `${k}="${escapeLabel(labels[k]!)}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export interface SnapshotSeries {
  labels: Labels;
  /** A counter's or gauge's value; a histogram's count. */
  value: number;
  /** Histograms only: the sum of what was observed and the cumulative count per upper bound. */
  sum?: number;
  buckets?: Record<string, number>;
}

export class Metrics {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors = new Set<() => void>();
  private readonly collectErrors: Series;

  constructor() {
    this.collectErrors = this.counter(
      'sensegate_metrics_collect_errors_total',
      'Collectors that failed while metrics were being read; their series keep the value they had before.',
    ).bind();
  }

  counter(name: string, help: string): Counter {
    return this.register(name, 'counter', () => new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.register(name, 'gauge', () => new Gauge(name, help));
  }

  /** A histogram with fixed upper bounds (`buckets`, ascending; `+Inf` is added). */
  histogram(name: string, help: string, buckets: readonly number[] = DURATION_BUCKETS): Histogram {
    const h = this.register(name, 'histogram', () => new Histogram(name, help, buckets));
    if (h.buckets.length !== buckets.length || h.buckets.some((b, i) => b !== buckets[i])) {
      throw new Error(`histogram ${name} is already registered with buckets [${h.buckets.join(', ')}], not [${buckets.join(', ')}]`);
    }
    return h;
  }

  private register<M extends Metric>(name: string, type: MetricType, make: () => M): M {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} is already registered as a ${existing.type}`);
      return existing as M;
    }
    const metric = make();
    this.metrics.set(name, metric);
    return metric;
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  /**
   * Runs `fn` before every render and snapshot, to set series that are cheaper to read when asked
   * for than to keep current. Returns the function that stops it.
   */
  collect(fn: () => void): () => void {
    this.collectors.add(fn);
    return () => void this.collectors.delete(fn);
  }

  private runCollectors(): void {
    for (const fn of this.collectors) {
      try {
        fn();
      } catch {
        this.collectErrors.value++;
      }
    }
  }

  /** Prometheus text exposition format (version 0.0.4). */
  render(): string {
    this.runCollectors();
    const lines: string[] = [];
    for (const m of this.metrics.values()) {
      lines.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`);
      if (m instanceof Histogram) {
        for (const s of m.all()) {
          let cumulative = 0;
          for (let i = 0; i < s.counts.length; i++) {
            cumulative += s.counts[i]!;
            const le = i < s.bounds.length ? formatValue(s.bounds[i]!) : '+Inf';
            lines.push(`${m.name}_bucket${formatLabels(s.labels, `le="${le}"`)} ${cumulative}`);
          }
          const labels = formatLabels(s.labels);
          lines.push(`${m.name}_sum${labels} ${formatValue(s.sum)}`, `${m.name}_count${labels} ${s.count}`);
        }
      } else {
        for (const s of m.all()) lines.push(`${m.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
      }
    }
    return lines.join('\n') + '\n';
  }

  /** A plain object of every series, for the status API and tests. */
  snapshot(): Record<string, SnapshotSeries[]> {
    this.runCollectors();
    const out: Record<string, SnapshotSeries[]> = {};
    for (const m of this.metrics.values()) {
      if (m instanceof Histogram) {
        out[m.name] = m.all().map((s) => {
          const buckets: Record<string, number> = {};
          let cumulative = 0;
          for (let i = 0; i < s.counts.length; i++) {
            cumulative += s.counts[i]!;
            buckets[i < s.bounds.length ? formatValue(s.bounds[i]!) : '+Inf'] = cumulative;
          }
          return { labels: { ...s.labels }, value: s.count, sum: s.sum, buckets };
        });
      } else {
        out[m.name] = m.all().map((s) => ({ labels: { ...s.labels }, value: s.value }));
      }
    }
    return out;
  }
}
