// A vendor's sink, installed beside a site's configuration as npm would install it (with its own copy
// of the SDK): the example HTTP collector sink, delivering a pump station's feed to a collector the
// test runs. The collector refuses one entry for good (422) and is briefly unavailable (503) for
// another: the refused entry goes to the dead letters and is counted once, the unavailable one is
// sent again, and the collector receives every other entry, in order, with no gap.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { existsSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import type { Logger } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { REPO, runCli } from './support/cli.js';

const GATEWAY = `vendor-sink-${process.pid}`;
const SINK_PACKAGE = 'sensegate-sink-http-collector';
const PROFILE = join(REPO, 'drivers', 'modbus', 'profiles', 'pump-station.yaml');
/** The collector answers 422 to any message carrying this entry. */
const REFUSED_SEQ = 10;
/** The collector answers 503 the first two times a message carries this entry. */
const UNAVAILABLE_SEQ = 20;

function recordingLogger(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (a: unknown, b?: string) => lines.push({ level, message: typeof a === 'string' ? a : (b ?? '') });
  const log = { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** An HTTP collector: takes the sink's JSON messages and records the entries it accepted, in order. */
class Collector {
  /** Sequence numbers of the entries answered 2xx, in the order they arrived. */
  readonly accepted: number[] = [];
  readonly answers: number[] = [];
  private unavailable = 2;
  private server: Server | undefined;

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const message = JSON.parse(body) as { seq: number; readings?: unknown[]; events?: unknown[] };
        const count = (message.readings ?? message.events ?? []).length;
        const seqs = Array.from({ length: count }, (_, i) => message.seq + i);
        let status = 200;
        if (seqs.includes(REFUSED_SEQ)) status = 422;
        else if (seqs.includes(UNAVAILABLE_SEQ) && this.unavailable > 0) {
          this.unavailable--;
          status = 503;
        }
        this.answers.push(status);
        if (status === 200) this.accepted.push(...seqs);
        res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"ok":true}' : '{"error":"not taken"}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ingest`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('a third-party sink package', () => {
  let dir: string;
  let sim: ModbusSimulator;
  let collector: Collector;
  let url: string;
  let gateway: Gateway | undefined;

  before(async () => {
    const built = join(REPO, 'examples', 'sink-http-collector', 'dist', 'index.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (npm test does)`);
    dir = await mkdtemp(join(tmpdir(), 'sensegate-vendor-sink-'));
    // Installed as npm installs it: the package and its own copy of the SDK, next to the site's config.
    const modules = join(dir, 'node_modules');
    await mkdir(join(modules, '@sensegate', 'sdk'), { recursive: true });
    await cp(join(REPO, 'sdk', 'package.json'), join(modules, '@sensegate', 'sdk', 'package.json'));
    await cp(join(REPO, 'sdk', 'dist'), join(modules, '@sensegate', 'sdk', 'dist'), { recursive: true });
    for (const dep of ['zod', 'yaml']) await symlink(join(REPO, 'node_modules', dep), join(modules, dep));
    await mkdir(join(modules, SINK_PACKAGE));
    await cp(join(REPO, 'examples', 'sink-http-collector', 'package.json'), join(modules, SINK_PACKAGE, 'package.json'));
    await cp(join(REPO, 'examples', 'sink-http-collector', 'dist'), join(modules, SINK_PACKAGE, 'dist'), { recursive: true });
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    collector = new Collector();
    url = await collector.listen();
  });

  after(async () => {
    await gateway?.stop();
    await sim?.close();
    await collector?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers in order to its endpoint, retries what is unavailable and dead-letters what is refused for good', async () => {
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: lift-1
    driver: modbus
    profile: pump-station
    pollInterval: 200ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
sinks:
  - type: ${SINK_PACKAGE}
    name: collector
    url: ${url}
    inFlight: 1
    batch: { maxEntries: 4 }
`,
    );
    const log = recordingLogger();
    const loaded = await loadConfigFile(config);
    const data = join(dir, 'data');
    gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, sinks: loaded.sinks, dataDir: data, log });

    const sink = { sink: 'collector' };
    const deadLetters = () => gateway!.metrics.counter('sensegate_sink_dead_letters_total', '').value(sink);
    await waitFor('a dead letter', () => deadLetters() > 0, { timeout: 30_000 });
    await waitFor('60 entries at the collector', () => collector.accepted.length >= 60, { timeout: 30_000 });
    // What the warning tells a field engineer to run shows the entry and why.
    const listed = await runCli(['dead-letters', '--data', data, '--sink', 'collector', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const letters = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; reason: string });
    assert.deepEqual(letters.map((l) => l.seq), [REFUSED_SEQ]);
    assert.match(letters[0]!.reason, /answered 422/);

    // Every entry but the refused one arrived once, in order, with no gap; the unavailable one among them.
    const upTo = collector.accepted.length;
    const expected = Array.from({ length: upTo + 1 }, (_, i) => i + 1).filter((s) => s !== REFUSED_SEQ);
    assert.deepEqual(collector.accepted.slice(0, upTo), expected.slice(0, upTo));
    assert.equal(collector.answers.filter((s) => s === 503).length, 2, 'the collector was unavailable twice');

    assert.equal(deadLetters(), 1, 'counted once');
    assert.ok(gateway.metrics.counter('sensegate_sink_send_failures_total', '').value(sink) >= 2, 'the 503s count as failed sends, retried');
    // The collector counts an entry when it answers; the gateway's cursor moves when that answer is back.
    await waitFor('the cursor past the dead letter', () => gateway!.status().sinks.find((s) => s.name === 'collector')!.cursor >= upTo, { timeout: 10_000 });
    assert.equal(gateway.status().sinks.find((s) => s.name === 'collector')!.deadLetters, 1, 'the status shows the dead letter kept for the sink');
    const warnings = log.lines.filter((l) => l.level === 'warn' && /dead letters/.test(l.message));
    assert.equal(warnings.length, 1, 'logged once');
    assert.match(warnings[0]!.message, /sensegate dead-letters --sink collector/);
    assert.match(warnings[0]!.message, /answered 422/);
  });

  it('reports a missing, invalid or incompatible sink package and a bad field of the sink\'s own schema at their line', async () => {
    const modules = join(dir, 'node_modules');
    // A package that is not a sink, and a sink built with an SDK of a future sink contract.
    const install = async (name: string, code: string) => {
      await mkdir(join(modules, name));
      await writeFile(join(modules, name, 'package.json'), JSON.stringify({ name, version: '3.0.0', type: 'module', main: 'index.js' }));
      await writeFile(join(modules, name, 'index.js'), code);
    };
    await install('not-a-sink', 'export default { type: "not-a-sink", send() {} };\n');
    await install('future-sink', `import sink from '${SINK_PACKAGE}';\nexport default Object.freeze({ ...sink, type: 'future-sink', version: '3.0.0', contract: 7 });\n`);
    const config = join(dir, 'bad.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY}-bad }
sinks:
  - type: ${SINK_PACKAGE}
    url: ftp://collector.example/ingest
  - type: sensegate-sink-not-installed
    url: http://127.0.0.1:1/
  - type: not-a-sink
  - type: future-sink
    url: http://127.0.0.1:1/
  - { type: mqtt, url: 'mqtt://127.0.0.1:1883', retain: true }
`,
    );
    const result = await runCli(['validate', '--config', config]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /bad\.yaml:4:\d+: sinks\[0\]\.url: .*an http:\/\/ or https:\/\/ URL/);
    assert.match(result.stdout, /bad\.yaml:5:\d+: sinks\[1\]\.type: sink type "sensegate-sink-not-installed" is not a built-in sink \(mqtt, hj212\)/);
    assert.match(result.stdout, /bad\.yaml:7:\d+: sinks\[2\]\.type: package "not-a-sink" does not default-export a sink made with defineSink\(\)/);
    assert.match(result.stdout, /bad\.yaml:8:\d+: sinks\[3\]\.type: sink "future-sink" \(future-sink 3\.0\.0\) was built for sink contract 7 .* this gateway speaks sink contract 1/);
    assert.match(result.stdout, /bad\.yaml:10:\d+: sinks\[4\]\.retain: unknown field "retain"/);
    assert.match(result.stdout, /5 problems/);
  });

  it('lets editors check the built-in sinks\' fields in the JSON Schema, and lets sink packages through', async () => {
    const schema = JSON.parse(await readFile(join(REPO, 'docs', 'config.schema.json'), 'utf8'));
    const validate = new Ajv2020.default({ strict: false }).compile(schema);
    const site = (...sinks: unknown[]) => ({ gateway: { id: 'site' }, sinks });
    const ok = site(
      { type: 'mqtt', url: 'mqtt://127.0.0.1:1883' },
      { type: 'hj212', name: 'province', host: '10.30.0.5', port: 7001 },
      { type: SINK_PACKAGE, name: 'collector', url: 'https://collector.example/ingest', inFlight: 1 },
    );
    assert.ok(validate(ok), JSON.stringify(validate.errors));
    assert.equal(validate(site({ type: 'mqtt', urll: 'mqtt://127.0.0.1:1883' })), false, 'a misspelt field of a built-in sink');
    assert.equal(validate(site({ type: 'hj212', host: '10.30.0.5' })), false, 'a built-in sink without a required field');
  });
});
