// The gateway's metrics as a monitoring system sees them: a real gateway polls a Modbus simulator,
// delivers to a broker through one sink while a second sink's broker is unreachable, and a scrape
// of `gateway.metrics.render()` is what Prometheus would get. promtool accepts it, the series an
// operator watches carry sensible values, and docs/metrics.md and the Grafana dashboard name
// exactly the series that exist, so neither can drift from the code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@sensegate/sdk';
import { freePort, waitFor } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { loadConfigFile } from '../src/config/load.js';
import { BacklogAge } from '../src/forward/backlog-age.js';
import { Metrics } from '../src/metrics.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PROFILE = fileURLToPath(new URL('./fixtures/test-meter.yaml', import.meta.url));
const GATEWAY = `metrics-${process.pid}`;
const PROMTOOL = ['/usr/bin/promtool', ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'promtool'))].find((p) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Scrape {
  /** Family name -> its TYPE. */
  types: Map<string, string>;
  samples: Sample[];
}

/** Reads the text format back (enough of it for these tests: no escaped quotes in label values). */
function parse(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line the text format allows: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return { types, samples };
}

function value(scrape: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = scrape.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value;
}

/** The family a sample belongs to: a histogram's `_bucket`, `_sum` and `_count` are its own name's. */
function familyOf(scrape: Scrape, sample: string): string | undefined {
  if (scrape.types.has(sample)) return sample;
  const base = sample.replace(/_(bucket|sum|count)$/, '');
  return scrape.types.get(base) === 'histogram' ? base : undefined;
}

/** The metric names in a PromQL expression: the identifiers that are not functions, keywords or labels. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  const names = new Set<string>();
  for (const m of withoutStrings.matchAll(/\b(sensegate_[a-z0-9_]+|process_[a-z0-9_]+)\b/g)) names.add(m[1]!);
  return [...names];
}

/** Every `sensegate_*` name the source registers, in the core, the SDK, the drivers and the sinks. */
function sourceMetricNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/['"`]((?:sensegate|process)_[a-z0-9_]+)['"`]/g)) names.add(m[1]!);
      }
    }
  };
  const sources = ['gateway/src', 'sdk/src'];
  for (const group of ['drivers', 'sinks']) for (const pkg of readdirSync(join(REPO, group))) sources.push(`${group}/${pkg}/src`);
  for (const dir of sources) {
    try {
      walk(join(REPO, dir));
    } catch {
      // a package without a src folder
    }
  }
  return names;
}

describe('metrics registry', () => {
  it('counts a histogram observation in the first bucket whose bound is at or above it, cumulatively', () => {
    const metrics = new Metrics();
    const h = metrics.histogram('sensegate_test_seconds', 'A test duration, in seconds.', [0.1, 1]);
    const series = h.bind({ device: 'd' });
    for (const v of [0.05, 0.1, 0.5, 1, 7]) series.observe(v);
    const scrape = parse(metrics.render());
    assert.equal(value(scrape, 'sensegate_test_seconds_bucket', { device: 'd', le: '0.1' }), 2);
    assert.equal(value(scrape, 'sensegate_test_seconds_bucket', { device: 'd', le: '1' }), 4);
    assert.equal(value(scrape, 'sensegate_test_seconds_bucket', { device: 'd', le: '+Inf' }), 5);
    assert.equal(value(scrape, 'sensegate_test_seconds_count', { device: 'd' }), 5);
    assert.equal(value(scrape, 'sensegate_test_seconds_sum', { device: 'd' }), 8.65);
    assert.throws(() => metrics.histogram('sensegate_test_seconds', 'x', [1, 2]), /already registered with buckets \[0.1, 1\]/);
    assert.throws(() => metrics.histogram('sensegate_other_seconds', 'x', [1, 0.5]), /ascending/);
  });

  it('runs collectors at each scrape, and a failing one costs only its own series', () => {
    const metrics = new Metrics();
    let reads = 0;
    const gauge = metrics.gauge('sensegate_test_files', 'Files.');
    const stop = metrics.collect(() => gauge.set(++reads));
    metrics.collect(() => {
      throw new Error('unreadable');
    });
    assert.equal(value(parse(metrics.render()), 'sensegate_test_files'), 1);
    assert.equal(value(parse(metrics.render()), 'sensegate_test_files'), 2);
    stop();
    const scrape = parse(metrics.render());
    assert.equal(value(scrape, 'sensegate_test_files'), 2);
    assert.equal(value(scrape, 'sensegate_metrics_collect_errors_total'), 3);
  });

  it('ages a sink backlog from the first commit it has not had acknowledged, never lower than the truth', () => {
    const age = new BacklogAge(1000, 4);
    age.committed(10, 0);
    age.committed(20, 500); // within a second of the last mark: stamped with its time
    age.committed(30, 2000);
    assert.equal(age.age(0, 3000), 3000);
    assert.equal(age.age(15, 3000), 3000, 'entries 16-20 were committed at 500, counted from 0');
    assert.equal(age.age(20, 3000), 1000);
    assert.equal(age.age(30, 3000), 0, 'caught up');
    for (let i = 1; i <= 10; i++) age.committed(30 + i, 2000 + i * 2000);
    assert.equal(age.age(36, 30_000), 30_000 - 10_000, 'past the bound, the last mark takes the newer commits');
  });
});

describe('a scrape of a running gateway', () => {
  let dir: string;
  let broker: TestBroker;
  let sim: ModbusSimulator;
  let gateway: Gateway;
  let first: string;
  let later: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-metrics-'));
    broker = await testBroker();
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    const nobody = await freePort(); // nothing listens here: a device and a broker that cannot be reached
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: meter
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 200ms
    timeout: 300ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
  - id: unplugged
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 1s
    timeout: 300ms
    reconnect: { initialDelay: 100ms, maxDelay: 200ms }
    connection: { host: 127.0.0.1, port: ${nobody}, unitId: 1 }
sinks:
  - type: mqtt
    name: uplink
    url: ${broker.url}
  - type: mqtt
    name: cellular
    url: mqtt://127.0.0.1:${nobody}
`,
    );
    const loaded = await loadConfigFile(config);
    gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, sinks: loaded.sinks, dataDir: join(dir, 'data'), log: silentLogger });
    const delivered = () => gateway.metrics.get('sensegate_sink_delivered_entries_total')?.value({ sink: 'uplink', mode: 'live' }) ?? 0;
    await waitFor('readings delivered through the uplink', () => delivered() > 0, { timeout: 15_000 });
    await waitFor('a failed poll of the unplugged device', () => (gateway.metrics.get('sensegate_point_failures_total')?.value({ device: 'unplugged' }) ?? 0) > 0, {
      timeout: 15_000,
    });
    first = gateway.metrics.render();
    const committed = Number(/^sensegate_journal_last_seq (\d+)$/m.exec(first)![1]);
    await waitFor('more commits', () => (gateway.metrics.get('sensegate_journal_last_seq')?.value() ?? 0) > committed + 10, { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1100)); // the backlog's age moves in whole seconds
    later = gateway.metrics.render();
  });

  after(async () => {
    await gateway?.stop();
    await sim?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is text Prometheus accepts', { skip: PROMTOOL ? false : 'promtool is not installed (Debian package prometheus); the format check is skipped' }, () => {
    const check = spawnSync(PROMTOOL!, ['check', 'metrics'], { input: later, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool check metrics found problems:\n${check.stdout}${check.stderr}`);
  });

  it('counts what each device read and why the reads that failed did', () => {
    const scrape = parse(later);
    assert.ok(value(scrape, 'sensegate_device_readings_total', { device: 'meter' })! > 0);
    assert.ok(value(scrape, 'sensegate_poll_duration_seconds_count', { device: 'meter', interval: '200ms' })! > 0);
    assert.equal(value(scrape, 'sensegate_point_failures_total', { device: 'meter' }), 0);
    assert.equal(value(scrape, 'sensegate_point_errors_total', { device: 'meter' }), undefined, 'no error series for a device that never failed');
    const errors = scrape.samples.filter((s) => s.name === 'sensegate_point_errors_total' && s.labels.device === 'unplugged');
    assert.ok(errors.length > 0 && errors.every((e) => /^SG_[A-Z_]+$/.test(e.labels.code!)), `errors by SG_* code: ${JSON.stringify(errors)}`);
    assert.equal(
      errors.reduce((sum, e) => sum + e.value, 0),
      value(scrape, 'sensegate_point_failures_total', { device: 'unplugged' }),
      'the errors by code add up to the failures',
    );
  });

  it('shows the journal and each sink: delivered through one, a growing backlog behind the unreachable one', () => {
    const before = parse(first);
    const scrape = parse(later);
    assert.ok(value(scrape, 'sensegate_journal_file_bytes')! > 0);
    assert.ok(value(scrape, 'sensegate_journal_entries')! > 0, 'the unreachable sink holds the entries in the journal');
    assert.equal(value(scrape, 'sensegate_journal_first_seq'), 1);
    assert.ok(value(scrape, 'sensegate_journal_oldest_entry_age_seconds')! >= 1);
    assert.equal(value(scrape, 'sensegate_sink_connected', { sink: 'uplink' }), 1);
    assert.equal(value(scrape, 'sensegate_sink_connected', { sink: 'cellular' }), 0);
    assert.ok(value(scrape, 'sensegate_sink_delivered_entries_total', { sink: 'uplink', mode: 'live' })! > 0);
    assert.ok(value(scrape, 'sensegate_sink_delivery_seconds_count', { sink: 'uplink', mode: 'live' })! > 0);
    assert.equal(value(scrape, 'sensegate_sink_delivered_entries_total', { sink: 'cellular', mode: 'live' }), 0);
    const backlog = value(scrape, 'sensegate_sink_backlog_entries', { sink: 'cellular' })!;
    assert.ok(backlog > value(before, 'sensegate_sink_backlog_entries', { sink: 'cellular' })!, 'the backlog grows');
    assert.equal(backlog, value(scrape, 'sensegate_journal_last_seq'), 'nothing was acknowledged by the unreachable sink');
    assert.ok(value(scrape, 'sensegate_sink_backlog_age_seconds', { sink: 'cellular' })! >= 1);
    assert.ok(value(scrape, 'sensegate_sink_backlog_age_seconds', { sink: 'uplink' })! < 3, 'a sink that keeps up has no old backlog');
    assert.equal(value(scrape, 'sensegate_sink_dead_letters_total', { sink: 'cellular' }), 0, 'present at 0 before any dead letter');
  });

  it('shows the process: who it is, CPU, memory and event-loop lag', () => {
    const scrape = parse(later);
    const info = scrape.samples.find((s) => s.name === 'sensegate_info');
    assert.equal(info?.labels.gateway, GATEWAY);
    assert.match(info?.labels.version ?? '', /^\d+\.\d+\.\d+/);
    assert.ok(value(scrape, 'process_cpu_seconds_total')! > 0);
    assert.ok(value(scrape, 'process_resident_memory_bytes')! > 10 * 1024 * 1024);
    assert.ok(Math.abs(value(scrape, 'process_start_time_seconds')! - (Date.now() / 1000 - process.uptime())) < 5);
    const lag = value(scrape, 'sensegate_event_loop_lag_seconds', { stat: 'p99' })!;
    assert.ok(lag >= 0 && lag < 10, `event-loop lag in seconds: ${lag}`);
  });

  it('docs/metrics.md lists every series with its type and labels, and nothing that does not exist', () => {
    const doc = readFileSync(join(REPO, 'docs/metrics.md'), 'utf8');
    const documented = new Map<string, { type: string; labels: string[] }>();
    for (const [, name, type, labels] of doc.matchAll(/^\| `([a-z_:][a-z0-9_:]*)` \| (counter|gauge|histogram) \|([^|]*)\|/gm)) {
      documented.set(name!, { type: type!, labels: labels!.split(',').map((l) => l.trim().replace(/`/g, '')).filter(Boolean).sort() });
    }
    const scrape = parse(later);
    const problems: string[] = [];
    for (const [name, type] of scrape.types) {
      const entry = documented.get(name);
      if (!entry) {
        problems.push(`${name} (${type}) is served but not in docs/metrics.md`);
        continue;
      }
      if (entry.type !== type) problems.push(`${name} is a ${type}, docs/metrics.md says ${entry.type}`);
      const labels = new Set<string>();
      for (const s of scrape.samples) if (familyOf(scrape, s.name) === name) for (const l of Object.keys(s.labels)) if (l !== 'le') labels.add(l);
      if (labels.size > 0 && [...labels].sort().join(',') !== entry.labels.join(',')) {
        problems.push(`${name} has labels ${[...labels].sort().join(', ')}, docs/metrics.md says ${entry.labels.join(', ') || 'none'}`);
      }
    }
    const inSource = sourceMetricNames();
    for (const name of documented.keys()) {
      if (!scrape.types.has(name) && !inSource.has(name)) problems.push(`${name} is in docs/metrics.md but nothing registers it`);
    }
    for (const name of inSource) if (!documented.has(name)) problems.push(`${name} is registered in the source but not in docs/metrics.md`);
    assert.deepEqual(problems, []);
  });

  it('the Grafana dashboard queries only series the gateway serves', () => {
    const dashboard = JSON.parse(readFileSync(join(REPO, 'docs/grafana/sensegate.json'), 'utf8')) as {
      __inputs?: Array<{ name: string; pluginId: string }>;
      panels: Array<{ title: string; targets?: Array<{ expr: string }>; datasource?: { uid?: string } }>;
    };
    assert.ok(dashboard.__inputs?.some((i) => i.name === 'DS_PROMETHEUS' && i.pluginId === 'prometheus'), 'the datasource is an input');
    const scrape = parse(later);
    const served = new Set(scrape.samples.map((s) => s.name));
    const problems: string[] = [];
    let queries = 0;
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        queries++;
        for (const name of metricNames(target.expr)) if (!served.has(name)) problems.push(`panel "${panel.title}" queries ${name}, which the gateway does not serve`);
      }
    }
    assert.ok(queries >= 12, `the dashboard has its panels' queries (${queries})`);
    assert.deepEqual(problems, []);
  });
});
