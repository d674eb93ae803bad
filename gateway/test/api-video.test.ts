// Cameras through the HTTP API, as the console and a platform's script use them: a simulated ONVIF
// camera streaming real H.264 (ffmpeg), the real gateway with its relay and snapshot store, real
// HTTP. The camera list hands out a player URL that streams FLV; a motion event leaves a snapshot
// that is listed and served as JPEG; ids that could reach the file system are refused; PTZ moves
// the camera through the commands route. Every answer is checked against the OpenAPI document.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { silentLogger } from '@sensegate/sdk';
import { freePort, waitFor } from '@sensegate/sdk/testing';
import { startOnvifSimulator, type OnvifSimulator } from '@sensegate/sim-onvif';
import { ApiServer } from '../src/api/server.js';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { jpegSize } from '../src/video/snapshots/index.js';
import { testBroker, type TestBroker } from './support/broker.js';

const CAMERA = { id: 'gate', width: 320, height: 240, fps: 10 };
const PASSWORD = 'cam-Secret-42';
const PLAY_TOKEN = 'players-t0ken-42';

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  body: unknown;
  bytes: Buffer;
  text: string;
}

interface Camera {
  device: string;
  stream: string;
  relayed: boolean;
  up: boolean;
  bitrate?: number;
  viewers?: number;
  player?: { flv: string };
  ptz?: { pan?: number; tilt?: number };
  latestSnapshot?: Snapshot;
}

interface Snapshot {
  id: string;
  device: string;
  ts: number;
  cause: string;
  bytes: number;
  width: number;
  height: number;
  url: string;
  event?: { id: number; type: string };
}

describe('cameras and snapshots in the HTTP API', () => {
  let dir: string;
  let broker: TestBroker;
  let sim: OnvifSimulator;
  let gateway: Gateway;
  let api: ApiServer;
  let base: string;
  let relayPort: number;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };
  const ajv = new Ajv2020({ strict: false, allErrors: true });

  async function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const res = await fetch(base + path, {
      method,
      headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    const text = type.includes('json') || type.startsWith('text/') ? bytes.toString() : `<${bytes.length} bytes of ${type}>`;
    return { status: res.status, type, headers: res.headers, bytes, text, body: type.includes('json') ? JSON.parse(text) : undefined };
  }

  /** Checks an answer against the document's schema for its route and status, and its media type. */
  function conforms(template: string, method: string, answer: Answer): void {
    const op = doc.paths[template]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${template} is in the OpenAPI document`);
    const response = op.responses[String(answer.status)];
    assert.ok(response, `${method} ${template}: status ${answer.status} is documented (${answer.text.slice(0, 200)})`);
    const mediaType = answer.type.split(';')[0]!.trim();
    assert.ok(response.content?.[mediaType], `${method} ${template} ${answer.status}: ${mediaType} is the documented media type (${Object.keys(response.content ?? {}).join(', ')})`);
    if (mediaType !== 'application/json') return;
    const validate = ajv.compile(response.content['application/json']!.schema);
    assert.ok(validate(answer.body), `${method} ${template} ${answer.status}: ${ajv.errorsText(validate.errors)}\n${answer.text.slice(0, 500)}`);
  }

  const cameras = async () => {
    const answer = await call('GET', '/api/v1/cameras');
    assert.equal(answer.status, 200, answer.text);
    conforms('/api/v1/cameras', 'GET', answer);
    return answer.body as Camera[];
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-api-video-'));
    broker = await testBroker();
    sim = await startOnvifSimulator({
      cameras: [CAMERA],
      port: 0,
      rtspPort: 0,
      httpPort: 0,
      credentials: { user: 'operator', password: PASSWORD },
      discovery: { multicast: false, unicastPort: 0 },
    });
    relayPort = await freePort();
    const file = join(dir, 'site.yaml');
    await writeFile(
      file,
      `gateway: { id: api-video-gw }
devices:
  - id: gate
    name: Gate camera
    driver: onvif
    profile: camera
    timeout: 5s
    connection:
      url: ${sim.cameras[0]!.deviceServiceUrl}
      user: operator
      password: { env: GATE_CAM_PASSWORD }
      checkInterval: 2s
video:
  relay: { httpPort: ${relayPort}, rtmpPort: ${await freePort()}, statsInterval: 1s, token: { env: PLAY_TOKEN } }
  snapshots: { timeout: 5s }
commands:
  allow: ['gate:ptz.*']
sinks:
  - type: mqtt
    url: ${broker.url}
api:
  port: 0
`,
    );
    const env = { ...process.env, GATE_CAM_PASSWORD: PASSWORD, PLAY_TOKEN };
    const loaded = await loadConfigFile(file);
    gateway = await Gateway.start({ config: loaded.config, drivers: loaded.drivers, sinks: loaded.sinks, dataDir: join(dir, 'data'), log: silentLogger, env });
    api = await ApiServer.start(gateway, { config: loaded.config.api, log: silentLogger });
    base = api.url!;
    doc = (await call('GET', '/api/openapi.json')).body as typeof doc;
    await waitFor('the camera online', () => gateway.status().devices[0]?.state === 'online', { timeout: 30_000 });
  });

  after(async () => {
    await api?.stop();
    await gateway?.stop();
    await sim?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the camera\'s stream: relayed, up, its bitrate, and where the API plays it, never the relay\'s token', async () => {
    const list = await waitFor('the stream up with a bitrate', async () => {
      const answer = await cameras();
      return answer[0]?.up && (answer[0].bitrate ?? 0) > 0 ? answer : undefined;
    }, { timeout: 30_000 });
    const [camera] = list;
    assert.equal(camera!.device, 'gate');
    assert.equal(camera!.stream, 'main');
    assert.equal(camera!.relayed, true);
    assert.equal(camera!.viewers, 0);
    assert.equal(camera!.player?.flv, '/api/v1/cameras/gate/main/live.flv');
    assert.doesNotMatch(JSON.stringify(list), new RegExp(PLAY_TOKEN), 'the players\' token stays in the gateway');
  });

  it('lets the console\'s page connect to its own origin only', async () => {
    const direct = await call('GET', '/');
    assert.match(direct.headers.get('content-security-policy') ?? '', /connect-src 'self';/);
  });

  it('plays the stream through the API as FLV, with the relay counting a viewer, and refuses a stream it does not relay', async () => {
    const [camera] = await cameras();
    const controller = new AbortController();
    const res = await fetch(base + camera!.player!.flv, { signal: controller.signal });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/x-flv');
    const reader = res.body!.getReader();
    let head = Buffer.alloc(0);
    while (head.length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      head = Buffer.concat([head, value]);
    }
    assert.equal(head.subarray(0, 3).toString('latin1'), 'FLV');
    await waitFor('the relay counting the viewer', async () => ((await cameras())[0]?.viewers ?? 0) >= 1, { timeout: 20_000 });
    controller.abort();
    await waitFor('the viewer gone once the player closes', async () => (await cameras())[0]?.viewers === 0, { timeout: 20_000 });

    const unknown = await call('GET', '/api/v1/cameras/gate/sub/live.flv');
    assert.equal(unknown.status, 404);
    conforms('/api/v1/cameras/{device}/{stream}/live.flv', 'GET', unknown);
    const bad = await call('GET', '/api/v1/cameras/gate/..%2Fx/live.flv');
    assert.equal(bad.status, 400);
  });

  it('a motion event leaves a snapshot: listed newest first with its cause and event, served as the JPEG the camera gave', async () => {
    const since = Date.now();
    sim.motion('gate', true);
    const [snapshot] = await waitFor('a snapshot of the motion', async () => {
      const answer = await call('GET', '/api/v1/snapshots?device=gate&limit=5');
      conforms('/api/v1/snapshots', 'GET', answer);
      const list = answer.body as Snapshot[];
      return list[0] && list[0].ts >= since - 1000 && list[0].event ? list : undefined;
    }, { timeout: 20_000 });
    assert.equal(snapshot!.device, 'gate');
    assert.equal(snapshot!.cause, 'camera.motion');
    assert.equal(snapshot!.event!.type, 'camera.motion');
    assert.deepEqual([snapshot!.width, snapshot!.height], [CAMERA.width, CAMERA.height]);
    assert.equal(snapshot!.url, `/api/v1/snapshots/${snapshot!.id}`);

    const jpeg = await call('GET', snapshot!.url);
    assert.equal(jpeg.status, 200);
    conforms('/api/v1/snapshots/{device}/{name}', 'GET', jpeg);
    assert.equal(jpeg.type, 'image/jpeg');
    assert.deepEqual([...jpeg.bytes.subarray(0, 2)], [0xff, 0xd8], 'a JPEG starts with FF D8');
    assert.equal(jpeg.bytes.length, snapshot!.bytes);
    assert.deepEqual(jpegSize(jpeg.bytes), { width: CAMERA.width, height: CAMERA.height });

    const latest = await call('GET', '/api/v1/devices/gate/snapshot/latest');
    assert.equal(latest.status, 200);
    conforms('/api/v1/devices/{id}/snapshot/latest', 'GET', latest);
    assert.equal(latest.headers.get('x-snapshot-id'), snapshot!.id);
    assert.deepEqual([...latest.bytes.subarray(0, 2)], [0xff, 0xd8]);

    const [camera] = await cameras();
    assert.equal(camera!.latestSnapshot?.id, snapshot!.id, 'the camera list shows its newest snapshot');

    // Motion ending is an event that asks for a picture too: a second one, listed first.
    sim.motion('gate', false);
    const all = await waitFor('the picture of the motion ending', async () => {
      const list = (await call('GET', '/api/v1/snapshots')).body as Snapshot[];
      return list.length >= 2 && list[0]!.id !== snapshot!.id ? list : undefined;
    });
    assert.ok(all.every((s, i) => i === 0 || s.ts <= all[i - 1]!.ts), 'newest first');
    assert.equal(all[1]!.id, snapshot!.id);
  });

  it('refuses snapshot ids that do not fit the store\'s names (400) and answers 404 for pictures it does not hold', async () => {
    for (const path of [
      '/api/v1/snapshots/gate/..%2F..%2Fsite.yaml',
      '/api/v1/snapshots/gate/20261129T150102.123Z-camera-motion-3f2a.jpg',
      '/api/v1/snapshots/gate/20261129T150102.123Z-camera.motion-3f2a',
      '/api/v1/snapshots/gate/20261129T150102.123Z-camera-motion-ZZZZ',
      '/api/v1/snapshots/..%2Fdata/20261129T150102.123Z-camera-motion-3f2a',
      '/api/v1/snapshots/%2Fetc/20261129T150102.123Z-camera-motion-3f2a',
    ]) {
      const answer = await call('GET', path);
      assert.equal(answer.status, 400, `${path}: ${answer.text}`);
      conforms('/api/v1/snapshots/{device}/{name}', 'GET', answer);
      assert.equal((answer.body as { error: { code: string } }).error.code, 'SG_API_BAD_REQUEST');
    }
    for (const path of ['/api/v1/snapshots?device=..%2Fx', '/api/v1/snapshots?limit=0', '/api/v1/snapshots?limit=many']) {
      const answer = await call('GET', path);
      assert.equal(answer.status, 400, `${path}: ${answer.text}`);
      conforms('/api/v1/snapshots', 'GET', answer);
    }

    // A well-formed name the store never took, even with a file of that name in its folder, is not served.
    const planted = '20200101T000000.000Z-camera-motion-0000';
    await mkdir(join(dir, 'data', 'snapshots', 'gate'), { recursive: true });
    await writeFile(join(dir, 'data', 'snapshots', 'gate', `${planted}.jpg`), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    for (const path of [`/api/v1/snapshots/gate/${planted}`, `/api/v1/snapshots/yard/${planted}`]) {
      const answer = await call('GET', path);
      assert.equal(answer.status, 404, `${path}: ${answer.text}`);
      conforms('/api/v1/snapshots/{device}/{name}', 'GET', answer);
    }
    const unknownDevice = await call('GET', '/api/v1/devices/yard/snapshot/latest');
    assert.equal(unknownDevice.status, 404, unknownDevice.text);
    conforms('/api/v1/devices/{id}/snapshot/latest', 'GET', unknownDevice);
    const none = (await call('GET', '/api/v1/snapshots?device=yard')).body;
    assert.deepEqual(none, []);
  });

  it('lists a picture taken on the schedule as caused by the schedule', async () => {
    const [motion] = (await call('GET', '/api/v1/snapshots?device=gate&limit=1')).body as Snapshot[];
    const jpeg = (await call('GET', motion!.url)).bytes;
    const scheduled = await gateway.snapshots!.save('gate', jpeg, { reason: 'schedule' });
    const answer = await call('GET', '/api/v1/snapshots?device=gate&limit=1');
    conforms('/api/v1/snapshots', 'GET', answer);
    const [listed] = answer.body as Snapshot[];
    assert.equal(listed!.id, scheduled.id);
    assert.equal(listed!.cause, 'schedule');
    assert.equal(listed!.event, undefined);
  });

  it('moves the camera through the commands route, and the camera list shows where it points', async () => {
    const answer = await call('POST', '/api/v1/devices/gate/commands/ptz.absolute', { body: { args: { pan: 0.4, tilt: -0.2, speed: 1 } } });
    assert.equal(answer.status, 200, answer.text);
    conforms('/api/v1/devices/{id}/commands/{command}', 'POST', answer);
    await waitFor('the simulated camera at the new position', () => {
      const p = sim.ptz('gate');
      return Math.abs(p.pan - 0.4) < 0.02 && Math.abs(p.tilt + 0.2) < 0.02 && !p.moving ? p : undefined;
    }, { timeout: 20_000 });
    await waitFor('the camera list at the new position', async () => {
      const [camera] = await cameras();
      return Math.abs((camera?.ptz?.pan ?? 9) - 0.4) < 0.02 ? camera : undefined;
    }, { timeout: 20_000 });
  });
});
