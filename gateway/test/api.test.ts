// The HTTP API of a running gateway, as a platform's script or the console uses it: a real gateway
// polling a simulated pump station, a real broker, real HTTP. Every answer is checked against the
// OpenAPI document the server serves, and that document against the OpenAPI 3.1 schema.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { defineDriver, silentLogger, type Logger } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { z } from 'zod';
import { maskSecrets, unmaskSecrets } from '../src/api/masked-config.js';
import { ApiServer } from '../src/api/server.js';
import { loadConfigFile, loadConfigText } from '../src/config/load.js';
import { DriverRegistry } from '../src/drivers/registry.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';

const PROFILE = fileURLToPath(new URL('../../drivers/modbus/profiles/pump-station.yaml', import.meta.url));
const GATEWAY = 'api-gw';

/** A push driver that sends `points` readings every 50 ms: enough to fill a client that stops reading. */
const flood = defineDriver({
  name: 'flood',
  version: '0.1.0',
  description: 'Pushes many readings fast, for a client that cannot keep up.',
  connection: z.object({ points: z.number().int().min(1) }).strict(),
  point: z.object({}).strict(),
  create(context) {
    const timers = new Set<NodeJS.Timeout>();
    return {
      addDevice() {},
      removeDevice() {},
      startDevice(device) {
        const count = device.connection.points;
        let n = 0;
        const timer = setInterval(() => {
          n++;
          for (let i = 0; i < count; i++) context.publish(device.id, `p${i % device.points.length}`, `${'x'.repeat(200)}-${n}-${i}`);
          context.health(device.id, 'online');
        }, 50);
        timers.add(timer);
      },
      async stop() {
        for (const t of timers) clearInterval(t);
      },
    };
  },
});

interface Answer {
  status: number;
  type: string;
  body: unknown;
  text: string;
}

describe('the HTTP API', () => {
  let dir: string;
  let broker: TestBroker;
  let sim: ModbusSimulator;
  let gateway: Gateway;
  let api: ApiServer;
  let base: string;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };
  const ajv = new Ajv2020({ strict: false, allErrors: true });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, text, body: type.includes('json') ? JSON.parse(text) : undefined };
  }

  /** Checks an answer against the document's schema for its route and status. */
  function conforms(template: string, method: string, answer: Answer): void {
    const op = doc.paths[template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is in the OpenAPI document`);
    const response = op.responses[String(answer.status)];
    assert.ok(response, `${method} ${template}: status ${answer.status} is documented (${answer.text.slice(0, 200)})`);
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return;
    const validate = ajv.compile(schema);
    assert.ok(validate(answer.body), `${method} ${template} ${answer.status}: ${ajv.errorsText(validate.errors)}\n${answer.text.slice(0, 500)}`);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-api-'));
    broker = await testBroker();
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    const file = join(dir, 'site.yaml');
    await writeFile(
      file,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: lift-1
    driver: modbus
    profile: pump-station
    pollInterval: 200ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
commands:
  allow: [lift-1/speedSetpoint]
sinks:
  - type: mqtt
    url: ${broker.url}
    password: hunter2-inline
    username: gw
api:
  port: 0
  history: { samples: 50, interval: 200ms }
`,
    );
    const loaded = await loadConfigFile(file);
    gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, sinks: loaded.sinks, dataDir: join(dir, 'data'), log: silentLogger });
    api = await ApiServer.start(gateway, { config: loaded.config.api, log: silentLogger });
    base = api.url!;
    doc = (await call('GET', '/api/openapi.json')).body as typeof doc;
    await waitFor('the pump station online', () => gateway.status().devices[0]?.state === 'online', { timeout: 15_000 });
  });

  after(async () => {
    await api?.stop();
    await gateway?.stop();
    await sim?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves an OpenAPI 3.1 document that validates, with every route the server answers', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    assert.equal(validator.version, '3.1');
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    for (const path of ['/api/v1/status', '/api/v1/devices/{id}', '/api/v1/devices/{id}/points/{point}/write', '/metrics', '/healthz', '/readyz', '/api/v1/config/validate', '/api/v1/stream']) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
  });

  it('answers every documented GET as its document says', async () => {
    const fill = (template: string) => template.replace('{id}', 'lift-1').replace('{point}', 'wetWellLevel');
    for (const [template, ops] of Object.entries(doc.paths)) {
      // Streams never end; pictures and video need a camera: api-video.test.ts gets them from a simulated one.
      const media = Object.keys(ops.get?.responses['200']?.content ?? {});
      if (!ops.get || media.some((m) => m === 'text/event-stream' || m.startsWith('image/') || m.startsWith('video/'))) continue;
      const answer = await call('GET', fill(template));
      assert.ok(answer.status === 200, `GET ${fill(template)}: ${answer.status} ${answer.text.slice(0, 300)}`);
      conforms(template, 'GET', answer);
    }
  });

  it('shows the gateway, its device with poll figures, and each point\'s latest reading with its unit', async () => {
    const status = (await call('GET', '/api/v1/status')).body as { gateway: string; devices: Record<string, number>; process: { rss: number }; ready: { ready: boolean } };
    assert.equal(status.gateway, GATEWAY);
    assert.equal(status.devices.online, 1);
    assert.ok(status.process.rss > 10_000_000);
    assert.equal(status.ready.ready, true);

    const devices = (await call('GET', '/api/v1/devices')).body as Array<{ id: string; state: string; stats: { polls: number; reads: number; lastPoll?: { ms: number } } }>;
    assert.equal(devices[0]!.id, 'lift-1');
    assert.equal(devices[0]!.state, 'online');
    assert.ok(devices[0]!.stats.polls > 0 && devices[0]!.stats.reads >= devices[0]!.stats.polls);
    assert.ok(devices[0]!.stats.lastPoll!.ms >= 0);

    const points = (await call('GET', '/api/v1/devices/lift-1/points')).body as Array<{ id: string; unit?: string; latest?: { value: unknown; quality: string } }>;
    const level = points.find((p) => p.id === 'wetWellLevel')!;
    assert.equal(level.unit, 'm');
    assert.equal(level.latest?.quality, 'good');
    assert.equal(typeof level.latest?.value, 'number');

    const plan = (await call('GET', '/api/v1/devices/lift-1/plan')).body as { groups: Array<{ requests: string[] }> };
    assert.match(plan.groups[0]!.requests.join('\n'), /holding|input|coil/);
  });

  it('keeps a short trend per point that grows as the device is polled', async () => {
    const history = async () => (await call('GET', '/api/v1/devices/lift-1/points/wetWellLevel/history')).body as { ts: number[]; value: number[]; interval: number };
    const first = await history();
    await waitFor('more samples in the trend', async () => (await history()).ts.length > first.ts.length + 2, { timeout: 10_000 });
    const later = await history();
    assert.equal(later.interval, 200);
    assert.ok(later.ts.every((t, i) => i === 0 || t > later.ts[i - 1]!), 'samples in time order');
    assert.ok(later.ts.length <= 50, 'bounded by api.history.samples');
    const since = later.ts[later.ts.length - 2]!;
    const tail = (await call('GET', `/api/v1/devices/lift-1/points/wetWellLevel/history?since=${since}`)).body as { ts: number[] };
    assert.ok(tail.ts.length >= 2 && tail.ts.every((t) => t >= since));
  });

  it('writes a setpoint through the command router: acknowledged, audited with who sent it, read back from the device', async () => {
    const answer = await call('POST', '/api/v1/devices/lift-1/points/speedSetpoint/write', { value: 37.5 });
    assert.equal(answer.status, 200, answer.text);
    conforms('/api/v1/devices/{id}/points/{point}/write', 'POST', answer);
    assert.equal((answer.body as { ok: boolean }).ok, true);
    await waitFor('the setpoint read back', async () => {
      const points = (await call('GET', '/api/v1/devices/lift-1/points')).body as Array<{ id: string; latest?: { value: unknown } }>;
      return points.find((p) => p.id === 'speedSetpoint')?.latest?.value === 37.5;
    }, { timeout: 10_000 });
    const events = (await call('GET', '/api/v1/events?type=command')).body as Array<{ type: string; message: string; data?: Record<string, unknown> }>;
    const audit = events.find((e) => JSON.stringify(e).includes('speedSetpoint'));
    assert.ok(audit, `an audit event for the write among ${JSON.stringify(events).slice(0, 500)}`);
    assert.match(JSON.stringify(audit), /http local@127\.0\.0\.1/);
  });

  it('refuses a write the allow-list does not name, with the acknowledgement saying why', async () => {
    const answer = await call('POST', '/api/v1/devices/lift-1/points/wetWellLevel/write', { value: 1 });
    assert.equal(answer.status, 422);
    conforms('/api/v1/devices/{id}/points/{point}/write', 'POST', answer);
    assert.match((answer.body as { error: { message: string } }).error.message, /commands\.allow/);
  });

  it('answers bad requests with a stable code and each problem at its field path', async () => {
    const badBody = await call('POST', '/api/v1/devices/lift-1/points/speedSetpoint/write', { value: 1, extra: true });
    assert.equal(badBody.status, 400);
    conforms('/api/v1/devices/{id}/points/{point}/write', 'POST', badBody);
    assert.equal((badBody.body as { error: { code: string } }).error.code, 'SG_API_BAD_REQUEST');
    assert.match(badBody.text, /body/);

    const notJson = await call('POST', '/api/v1/devices/lift-1/points/speedSetpoint/write', '{"value":', {});
    assert.equal(notJson.status, 400);

    const noDevice = await call('GET', '/api/v1/devices/nope');
    assert.equal(noDevice.status, 404);
    conforms('/api/v1/devices/{id}', 'GET', noDevice);
    assert.match((noDevice.body as { error: { message: string } }).error.message, /no device "nope" in .*site\.yaml/);

    const badId = await call('GET', '/api/v1/devices/..%2F..%2Fetc');
    assert.equal(badId.status, 400);

    const nowhere = await call('GET', '/api/v2/anything');
    assert.equal(nowhere.status, 404);
    assert.equal((nowhere.body as { error: { code: string } }).error.code, 'SG_API_NOT_FOUND');

    const huge = await call('POST', '/api/v1/config/validate', { text: 'x'.repeat(5 * 1024 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal((huge.body as { error: { code: string } }).error.code, 'SG_API_TOO_LARGE');
    // The gateway is unharmed.
    assert.equal((await call('GET', '/healthz')).status, 200);
  });

  it('shows the configuration with inline secrets masked, lines unchanged', async () => {
    const view = (await call('GET', '/api/v1/config')).body as { text: string; masked: string[] };
    assert.doesNotMatch(view.text, /hunter2/);
    assert.deepEqual(view.masked, ['sinks[0].password']);
    const lines = view.text.split('\n');
    assert.match(lines[12]!, /password: "\*+"/, 'the masked value stays on its line');
    assert.match(lines[13]!, /username: gw/);
  });

  it('checks a candidate configuration and names each problem at its line, as sensegate validate does', async () => {
    const view = (await call('GET', '/api/v1/config')).body as { text: string };
    const good = await call('POST', '/api/v1/config/validate', { text: view.text });
    conforms('/api/v1/config/validate', 'POST', good);
    assert.equal((good.body as { ok: boolean }).ok, true, good.text);

    const typo = view.text.replace('pollInterval: 200ms', 'pollIntervall: 200ms');
    const bad = await call('POST', '/api/v1/config/validate', { text: typo });
    conforms('/api/v1/config/validate', 'POST', bad);
    const body = bad.body as { ok: boolean; problems: Array<{ line?: number; path: string; message: string }> };
    assert.equal(body.ok, false);
    const problem = body.problems.find((p) => p.path.includes('pollIntervall'));
    assert.ok(problem, JSON.stringify(body.problems));
    assert.equal(problem.line, 6);
  });

  it('shows each sink\'s delivery and the journal', async () => {
    const sinks = (await call('GET', '/api/v1/sinks')).body as Array<{ name: string; connected: boolean; cursor: number; backlog: { entries: number } }>;
    assert.equal(sinks[0]!.connected, true);
    assert.ok(sinks[0]!.cursor > 0);
    const journal = (await call('GET', '/api/v1/journal')).body as { lastSeq: number; journalMode: string };
    assert.ok(journal.lastSeq >= sinks[0]!.cursor);
    assert.equal(journal.journalMode, 'wal');
  });

  it('serves Prometheus metrics and the health checks', async () => {
    const metrics = await call('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.type, /^text\/plain/);
    assert.match(metrics.text, /^sensegate_device_readings_total\{device="lift-1"\} \d+/m);
    assert.deepEqual((await call('GET', '/healthz')).body, { ok: true });
    assert.deepEqual((await call('GET', '/readyz')).body, { ready: true, reasons: [] });
  });

  it('streams changed readings and events live, as Server-Sent Events', async () => {
    const received: string[] = [];
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/stream?device=lift-1`, { signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const done = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += decoder.decode(value);
        received.push(text);
      }
    })();
    await waitFor('two batches of readings', () => (text.match(/event: readings/g) ?? []).length >= 2, { timeout: 10_000 });
    await call('POST', '/api/v1/devices/lift-1/points/speedSetpoint/write', { value: 12 });
    await waitFor('the audit event on the stream', () => /event: event\nid: \d+/.test(text) || /id: \d+\nevent: event/.test(text), { timeout: 10_000 });
    controller.abort();
    await done;
    const batch = text.split('\n\n').find((m) => m.startsWith('event: readings'))!;
    const readings = JSON.parse(batch.split('\ndata: ')[1]!) as Array<{ device: string; point: string }>;
    assert.ok(readings.every((r) => r.device === 'lift-1'));
  });
});

describe('a live-stream client that stops reading', () => {
  let dir: string;
  let gateway: Gateway;
  let api: ApiServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-api-slow-'));
    const file = join(dir, 'site.yaml');
    const points = Array.from({ length: 500 }, (_, i) => `      - { id: p${i} }`).join('\n');
    await writeFile(
      file,
      `gateway: { id: api-slow }
devices:
  - id: flood-1
    driver: flood
    connection: { points: 500 }
    points:
${points}
api:
  port: 0
  streamBuffer: 65536
`,
    );
    // The flood driver is this test's own, handed to the registry as an installed package would be.
    const registry = new (class extends DriverRegistry {
      override async load(name: string) {
        return name === 'flood' ? flood : super.load(name);
      }
    })([dir]);
    const loaded = await loadConfigText(await readFile(file, 'utf8'), file, registry);
    gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, dataDir: join(dir, 'data'), log: silentLogger });
    api = await ApiServer.start(gateway, { config: loaded.config.api, log: silentLogger });
  });

  after(async () => {
    await api?.stop();
    await gateway?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is disconnected once it falls behind, while the gateway and a reading client carry on', async () => {
    const url = new URL(api.url!);
    // A client that sends its request and never reads a byte of the answer.
    const stuck = connect(Number(url.port), url.hostname);
    stuck.pause();
    stuck.write(`GET /api/v1/stream HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    stuck.on('error', () => {});
    // A client that reads.
    let readingClientBytes = 0;
    const reading = httpRequest(`${api.url}/api/v1/stream?events=0`, (res) => res.on('data', (d: Buffer) => (readingClientBytes += d.length)));
    reading.end();
    const lastSeq = async () => ((await (await fetch(`${api.url}/api/v1/journal`)).json()) as { lastSeq: number }).lastSeq;
    const streams = async () => ((await (await fetch(`${api.url}/api/v1/status`)).json()) as { streams: { clients: number; dropped: number } }).streams;
    await waitFor('two clients streaming', async () => (await streams()).clients === 2, { timeout: 10_000 });
    // (A paused socket hears of its end only once it reads: the server's count is what tells.)
    // The kernel's socket buffers take a few MB before anything waits in the gateway.
    await waitFor('the stuck client disconnected', async () => (await streams()).dropped === 1, { timeout: 60_000, interval: 500 });
    assert.equal((await streams()).clients, 1, 'the reading client is still connected');
    const before = readingClientBytes;
    await waitFor('the reading client still served', () => readingClientBytes > before + 10_000, { timeout: 10_000 });
    const seq = await lastSeq();
    await waitFor('the journal still growing', async () => (await lastSeq()) > seq, { timeout: 10_000 });
    reading.destroy();
    stuck.destroy();
  });
});

describe('masked secrets', () => {
  const running = ['sinks:', '  - type: mqtt', '    password: hunter2-inline', '    tls:', '      passphrase: |', '        two', '        lines', 'devices: []', ''].join('\n');

  it('keep every line where it was', () => {
    const { text, masked } = maskSecrets(running);
    assert.deepEqual(masked, ['sinks[0].password', 'sinks[0].tls.passphrase']);
    assert.equal(text.split('\n').length, running.split('\n').length);
    assert.doesNotMatch(text, /hunter2|two|lines/);
    assert.equal(text.split('\n')[7], 'devices: []');
  });

  it('left masked in a candidate are checked with the running value at the same path, and only there', () => {
    const candidate = maskSecrets(running).text.replace('devices: []', 'devices: []\nextra:\n  token: "********"');
    const filled = unmaskSecrets(candidate, running);
    assert.match(filled.split('\n')[2]!, /password: "hunter2-inline"/);
    assert.match(filled, /passphrase: "two\\nlines\\n"/);
    assert.match(filled, /token: "\*{8}"/, 'no secret at that path in the running file: the mask stays');
    assert.equal(filled.split('\n').length, candidate.split('\n').length, 'lines stay where the engineer sees them');
    assert.equal(unmaskSecrets('a: 1\n', running), 'a: 1\n');
  });
});

describe('an API port that is taken', () => {
  it('says what is in the way and what to do, lets the gateway run on, and serves once the port is free', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sensegate-api-port-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const lines: Array<{ level: string; message: string }> = [];
    const at = (level: string) => (a: unknown, b?: string) => lines.push({ level, message: typeof a === 'string' ? a : (b ?? '') });
    const log = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log } as unknown as Logger;
    const file = join(dir, 'site.yaml');
    await writeFile(file, `gateway: { id: api-port }\napi: { port: ${port} }\n`);
    const loaded = await loadConfigFile(file);
    const gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, dataDir: join(dir, 'data'), log: silentLogger });
    const api = await ApiServer.start(gateway, { config: loaded.config.api, log });
    try {
      const errors = lines.filter((l) => l.level === 'error');
      assert.equal(errors.length, 1);
      assert.match(errors[0]!.message, new RegExp(`the API cannot listen on 127\\.0\\.0\\.1:${port}: port ${port} is in use .*set api\\.port to a free one, or api\\.enabled: false.*tries again every 10 s`));
      assert.equal(api.url, undefined);
      assert.equal(gateway.readiness().ready, true, 'the gateway runs on');
      await new Promise((resolve) => blocker.close(resolve));
      await waitFor('the API serving once the port is free', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, { timeout: 20_000 });
      assert.equal(lines.filter((l) => l.level === 'error').length, 1, 'the failure was said once');
    } finally {
      await api.stop();
      await gateway.stop();
      blocker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
