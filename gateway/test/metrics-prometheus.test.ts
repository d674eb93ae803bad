// A real Prometheus scrapes a running gateway's /metrics, and the series come back from its query
// API: what a platform team's monitoring sees. Needs Debian's `prometheus` package (.ci/run installs it).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@sensegate/sdk';
import { freePort, waitFor } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { ApiServer } from '../src/api/server.js';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';

const PROFILE = fileURLToPath(new URL('./fixtures/test-meter.yaml', import.meta.url));
const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';

interface QueryAnswer {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe('Prometheus scraping a gateway', () => {
  let dir: string;
  let sim: ModbusSimulator;
  let gateway: Gateway;
  let api: ApiServer;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl: string;
  let prometheusLog = '';

  async function query(expr: string): Promise<QueryAnswer['data']['result']> {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as QueryAnswer;
    assert.equal(body.status, 'success', JSON.stringify(body));
    return body.data.result;
  }

  before(async () => {
    const version = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
    assert.equal(version.error, undefined, `${PROMETHEUS} is not installed: install Debian's prometheus package (apt-get install prometheus; .ci/run does), or set PROMETHEUS to its path`);
    dir = await mkdtemp(join(tmpdir(), 'sensegate-prometheus-'));
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    const file = join(dir, 'site.yaml');
    await writeFile(
      file,
      `gateway: { id: scraped-gw }
devices:
  - id: meter
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 200ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
api: { port: 0 }
`,
    );
    const loaded = await loadConfigFile(file);
    gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, dataDir: join(dir, 'data'), log: silentLogger });
    api = await ApiServer.start(gateway, { config: loaded.config.api, log: silentLogger });
    const target = new URL(api.url!);

    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: sensegate
    static_configs:
      - targets: ['${target.host}']
`,
    );
    prometheus = spawn(PROMETHEUS, ['--config.file', join(dir, 'prometheus.yml'), '--storage.tsdb.path', join(dir, 'tsdb'), '--web.listen-address', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prometheus.stdout!.on('data', (d: Buffer) => (prometheusLog += d.toString()));
    prometheus.stderr!.on('data', (d: Buffer) => (prometheusLog += d.toString()));
    await waitFor(`Prometheus ready on ${prometheusUrl}\n${prometheusLog}`, async () => (await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok === true, { timeout: 30_000 });
  });

  after(async () => {
    prometheus?.kill('SIGTERM');
    if (prometheus && prometheus.exitCode === null) await new Promise((r) => prometheus!.once('exit', r));
    await api?.stop();
    await gateway?.stop();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('scrapes /metrics and answers queries on the gateway\'s series', async () => {
    await waitFor(`the target up in Prometheus\n${prometheusLog}`, async () => (await query('up{job="sensegate"}'))[0]?.value[1] === '1', { timeout: 30_000 });
    const readings = await query('sensegate_device_readings_total{device="meter"}');
    assert.equal(readings.length, 1);
    assert.ok(Number(readings[0]!.value[1]) > 0, 'readings counted');
    const info = await query('sensegate_info');
    assert.equal(info[0]!.metric.gateway, 'scraped-gw');
    // A rate needs two scrapes with readings between them: what a dashboard panel plots.
    await waitFor('a reading rate', async () => Number((await query('rate(sensegate_device_readings_total{device="meter"}[5s])'))[0]?.value[1] ?? 0) > 0, { timeout: 30_000 });
    const p95 = await query('histogram_quantile(0.95, sum by (le) (rate(sensegate_poll_duration_seconds_bucket{device="meter"}[5s])))');
    assert.ok(Number(p95[0]?.value[1]) > 0, `a poll-duration quantile: ${JSON.stringify(p95)}`);
  });
});
