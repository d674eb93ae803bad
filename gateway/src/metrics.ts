/**
 * In-process metrics: counters and gauges with labels, read by the REST API and the logs, and
 * rendered in the Prometheus text format. Updating a metric is a property increment; nothing here
 * allocates on the hot path once a labelled series exists.
 */

export type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

abstract class Metric {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  protected get(labels: Labels | undefined): Series {
    const key = labels ? labelKey(labels) : '';
    let s = this.series.get(key);
    if (!s) {
      s = { labels: labels ? { ...labels } : {}, value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  /** A bound series, for hot paths: keep it and call `inc`/`set` on it. */
  bind(labels?: Labels): Series {
    return this.get(labels);
  }

  value(labels?: Labels): number {
    return this.series.get(labels ? labelKey(labels) : '')?.value ?? 0;
  }

  all(): Series[] {
    return [...this.series.values()];
  }
}

export class Counter extends Metric {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  inc(labels?: Labels, by = 1): void {
    this.get(labels).value += by;
  }
}

export class Gauge extends Metric {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }

  set(value: number, labels?: Labels): void {
    this.get(labels).value = value;
  }

  inc(labels?: Labels, by = 1): void {
    this.get(labels).value += by;
  }
}

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}=${labels[k]}`).join(',');
}

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export class Metrics {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.register(name, () => new Counter(name, help), 'counter') as Counter;
  }

  gauge(name: string, help: string): Gauge {
    return this.register(name, () => new Gauge(name, help), 'gauge') as Gauge;
  }

  private register(name: string, make: () => Metric, type: Metric['type']): Metric {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} is already registered as a ${existing.type}`);
      return existing;
    }
    const metric = make();
    this.metrics.set(name, metric);
    return metric;
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  /** Prometheus text exposition format. */
  render(): string {
    const lines: string[] = [];
    for (const m of this.metrics.values()) {
      lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      for (const s of m.all()) {
        const keys = Object.keys(s.labels);
        const labels = keys.length ? `{${keys.map((k) => `${k}="${escape(s.labels[k]!)}"`).join(',')}}` : '';
        lines.push(`${m.name}${labels} ${s.value}`);
      }
    }
    return lines.join('\n') + '\n';
  }

  /** A plain object of every series, for the status API and tests. */
  snapshot(): Record<string, Array<{ labels: Labels; value: number }>> {
    const out: Record<string, Array<{ labels: Labels; value: number }>> = {};
    for (const m of this.metrics.values()) out[m.name] = m.all().map((s) => ({ labels: { ...s.labels }, value: s.value }));
    return out;
  }
}
