// Who may publish into the video relay. The relay serves two cameras (one live, one down) beyond
// loopback with a players' token, and admits one encoder path with a publish token of its own.
// Real ffmpeg publishes and real ffprobe plays. The players' token, which every player URL carries,
// publishes nowhere: not on the down camera's path (whose viewers would get the fake picture), not
// on a new path, not on the encoder's path. A camera's path is never taken, not even with the
// publish token. A loopback encoder with the publish token publishes where it is configured to.
// Uploads over HTTP-FLV and WS-FLV are refused however they are asked for. Each refusal is counted
// and logged once per kind, with the client's address. The configuration refuses publish settings
// that make no sense.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSensegateError, resolveFfmpeg } from '@sensegate/sdk';
import { createTestContext, delay, probeVideo, runProgram, waitFor } from '@sensegate/sdk/testing';
import { startCameraStreams, type CameraStreams } from '@sensegate/sim-onvif';
import { ConfigError, formatIssue, loadConfigFile } from '../src/index.js';
import { runValidate } from '../src/cli/validate.js';
import { Metrics } from '../src/metrics.js';
import { VideoRelay } from '../src/video/relay/index.js';
import { flvTags, intrude, type FlvTag } from './support/rtmp-intruder.js';

const FFMPEG = resolveFfmpeg().path;
const PASSWORD = 'hunter22-Secret';
const TOKEN = 'players-token-42';
const PUBLISH_TOKEN = 'encoders-token-77';
const CAMERA = { width: 320, height: 240, fps: 10 };
const FAKE = { codec_name: 'h264', width: 160, height: 120 };

/** An encoder: ffmpeg publishing a test picture (160x120, unlike the cameras) over RTMP for `seconds`. */
function encoder(url: string, seconds = 8): ChildProcess {
  return spawn(
    FFMPEG,
    ['-nostdin', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-f', 'flv', url],
    { stdio: 'ignore' },
  );
}

/** Resolves with the exit code (killing the process if it outlives `timeout`). */
function exitCode(child: ChildProcess, timeout = 20_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** The HTTP status a WebSocket upgrade to `url` gets, with this Sec-WebSocket-Protocol header. */
function upgradeStatus(url: string, subprotocols: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no answer from ${url}`))), 10_000);
    let raw = '';
    socket.on('error', (err) => (clearTimeout(timer), reject(err)));
    socket.once('connect', () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${subprotocols}\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d+)/.exec(raw)?.[1];
      if (status) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(status));
      }
    });
  });
}

/** A port nothing listens on: the down camera's. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** An address of this machine that is not loopback, if it has one (clients connecting to it come from it). */
function siteAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('video relay: publishing', () => {
  let cameras: CameraStreams;
  let dataDir: string;
  let relay: VideoRelay;
  const context = createTestContext();
  const metrics = new Metrics();
  let rtmp: (path: string, token?: string, host?: string) => string;
  let flv: (path: string) => string;
  /** Players' RTMP URL (an encoder's FLV header announces audio it may not have, which ffprobe waits for over HTTP-FLV). */
  let play: (path: string) => string;
  /** The fake picture as FLV tags, for the intruder. */
  let fakeTags: FlvTag[];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sensegate-relay-publish-'));
    cameras = await startCameraStreams({
      cameras: [{ id: 'cam-1', ...CAMERA }],
      rtspPort: 0,
      httpPort: 0,
      host: '127.0.0.1',
      credentials: { user: 'admin', password: PASSWORD },
    });
    relay = await VideoRelay.start({
      host: '0.0.0.0',
      httpPort: 0,
      rtmpPort: 0,
      token: TOKEN,
      publish: { token: PUBLISH_TOKEN, paths: ['site/encoder'] },
      dataDir,
      log: context.log,
      metrics,
      restart: { initialDelay: 500, maxDelay: 1000 },
    });
    const live = new URL(cameras.rtspUrl('cam-1'));
    live.username = 'admin';
    live.password = PASSWORD;
    relay.addStream({ path: 'cam-1/main', url: live.toString() });
    relay.addStream({ path: 'gate/main', url: `rtsp://admin:${PASSWORD}@127.0.0.1:${await closedPort()}/gate/main` });
    await waitFor('cam-1 up, gate down', () => {
      const state = Object.fromEntries(relay.streams().map((s) => [s.path, s.state]));
      return state['cam-1/main'] === 'up' && state['gate/main'] === 'down';
    });
    const fakeFile = join(dataDir, 'fake.flv');
    const made = await runProgram(FFMPEG, ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1', '-c:v', 'libx264', '-g', '5', '-f', 'flv', fakeFile]);
    assert.equal(made.code, 0, made.stderr);
    fakeTags = flvTags(await readFile(fakeFile));
    rtmp = (path, token, host = '127.0.0.1') => `rtmp://${host}:${relay.rtmpPort}/${path}${token ? `?token=${token}` : ''}`;
    flv = (path) => relay.urls(path).flv;
    play = (path) => relay.urls(path).rtmp;
  });

  after(async () => {
    await relay?.stop();
    await cameras?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('does not let the players\' token publish: not on a down camera\'s path, a new path, or the encoders\' path', async () => {
    const paths = ['gate/main', 'fresh/path', 'site/encoder'];
    const encoders = paths.map((path) => encoder(rtmp(path, TOKEN)));
    const codes = Promise.all(encoders.map((e) => exitCode(e)));
    // Players who come while the encoders would be on find nothing (the relay holds an unpublished
    // path open, so they are cut off after a while).
    await delay(1500);
    const plays = await Promise.all(paths.map((path) => probeVideo(play(path), { timeout: 5000 })));
    for (const [i, path] of paths.entries()) {
      assert.equal(plays[i]!.stream, undefined, `a player of ${path} got a picture from an encoder with the players' token`);
      assert.notEqual((await codes)[i], 0, `the encoder on ${path} was refused`);
    }
    assert.equal(relay.streams().find((s) => s.path === 'gate/main')?.state, 'down');
    assert.equal(relay.refusals()['publish:bad-publish-token'], 3);
  });

  it('never lets anyone else publish on a camera\'s path, even with the publish token, down or up; nothing a refused encoder sent reaches players', async () => {
    const encoders = ['gate/main', 'cam-1/main'].map((path) => encoder(rtmp(path, PUBLISH_TOKEN)));
    const codes = await Promise.all(encoders.map((e) => exitCode(e)));
    assert.deepEqual(codes.map((c) => c === 0), [false, false]);
    // Players who come afterwards get the camera's picture, and nothing on the down camera's path.
    const [live, down] = await Promise.all([probeVideo(play('cam-1/main')), probeVideo(play('gate/main'), { timeout: 5000 })]);
    assert.deepEqual(live.stream, { codec_name: 'h264', width: CAMERA.width, height: CAMERA.height }, 'the live camera\'s players see the camera');
    assert.equal(down.stream, undefined, 'the down camera\'s players see nothing');
    assert.equal(relay.refusals()['publish:camera-path'], 2);
  });

  it('lets no picture a client sends behind its request reach players: not a player\'s, not a refused publisher\'s', async () => {
    assert.ok(fakeTags.some((t) => t.type === 9), 'the intruder has pictures to send');
    // A player with the players' token plays the live camera and sends pictures right away; so do
    // publishers the relay refuses (the camera's path; the players' token), without waiting for the answer.
    await Promise.all([
      intrude({ port: relay.rtmpPort, path: `cam-1/main?token=${TOKEN}`, command: 'play', tags: fakeTags }),
      intrude({ port: relay.rtmpPort, path: `cam-1/main?token=${PUBLISH_TOKEN}`, command: 'publish', tags: fakeTags }),
      intrude({ port: relay.rtmpPort, path: `site/encoder?token=${TOKEN}`, command: 'publish', tags: fakeTags }),
    ]);
    const [live, encoderPath] = await Promise.all([probeVideo(play('cam-1/main')), probeVideo(play('site/encoder'), { timeout: 5000 })]);
    assert.deepEqual(live.stream, { codec_name: 'h264', width: CAMERA.width, height: CAMERA.height }, 'the camera\'s players see the camera');
    assert.equal(encoderPath.stream, undefined);
    assert.equal(relay.streams().find((s) => s.path === 'cam-1/main')?.state, 'up');
  });

  it('refuses the publish token on a path that is not configured for encoders', async () => {
    const code = await exitCode(encoder(rtmp('other/path', PUBLISH_TOKEN)));
    assert.notEqual(code, 0);
    assert.equal(relay.refusals()['publish:unknown-path'], 1);
  });

  it('lets a loopback encoder with the publish token publish on its configured path, for players with the players\' token', async () => {
    const publishing = encoder(rtmp('site/encoder', PUBLISH_TOKEN), 30);
    try {
      const picture = await waitFor('the encoder\'s picture', async () => {
        const result = await probeVideo(play('site/encoder'), { timeout: 5000 });
        return result.stream && result;
      }, { timeout: 20_000 });
      assert.deepEqual(picture.stream, FAKE);
      assert.equal(publishing.exitCode, null, 'the encoder is still publishing');
    } finally {
      publishing.kill('SIGKILL');
    }
  });

  it('refuses an encoder on an address outside publish.from (default: loopback only)', async (t) => {
    const address = siteAddress();
    if (!address) return t.skip('this machine has no address beyond loopback');
    const code = await exitCode(encoder(rtmp('site/encoder', PUBLISH_TOKEN, address)));
    assert.notEqual(code, 0);
    assert.equal(relay.refusals()['publish:address-not-allowed'], 1);
    assert.ok(context.logs.some((l) => l.level === 'warn' && l.fields.reason === 'address-not-allowed' && l.message.includes(address)));
  });

  it('refuses uploads over HTTP-FLV and WS-FLV however the request asks for one', async () => {
    const url = `${flv('gate/main')}`;
    for (const subprotocols of ['publisher', 'post', 'publisher, flv', 'flv, POST', ' Publisher ']) {
      assert.equal(await upgradeStatus(url.replace('http:', 'ws:'), subprotocols), 405, `Sec-WebSocket-Protocol: ${subprotocols}`);
    }
    const post = await fetch(url, { method: 'POST', body: 'FLV' });
    assert.equal(post.status, 405);
    assert.equal(relay.refusals()['publish:upload-not-rtmp'], 6);
    // Players still play over WebSocket with another subprotocol.
    assert.equal(await upgradeStatus(flv('cam-1/main').replace('http:', 'ws:'), 'flv'), 101);
  });

  it('logs each kind of refusal once, naming the client\'s address, path and what to do, and counts every one', async () => {
    // A burst of the same refusal adds to the count, not to the log.
    const before = context.logs.length;
    const codes = await Promise.all(Array.from({ length: 4 }, () => exitCode(encoder(rtmp('fresh/path', TOKEN), 2))));
    assert.ok(codes.every((c) => c !== 0));
    assert.equal(relay.refusals()['publish:bad-publish-token'], 8);
    assert.deepEqual(context.logs.slice(before).filter((l) => l.level === 'warn' && l.fields.action === 'publish'), []);

    const firsts = context.logs.filter((l) => l.level === 'warn' && l.fields.action === 'publish');
    assert.deepEqual(firsts.map((l) => l.fields.reason).sort(), Object.keys(relay.refusals()).filter((k) => k.startsWith('publish:')).map((k) => k.slice(8)).sort());
    const token = firsts.find((l) => l.fields.reason === 'bad-publish-token')!;
    assert.match(token.message, /^video relay: refused to let 127\.0\.0\.1 publish (gate\/main|fresh\/path|site\/encoder) over RTMP: the publish token is missing or wrong \(the players' token never publishes\)/);
    assert.equal(token.fields.remote, '127.0.0.1');
    const camera = firsts.find((l) => l.fields.reason === 'camera-path')!;
    assert.match(camera.message, /publish (gate|cam-1)\/main over RTMP: the path carries a relayed camera stream, which only the relay itself publishes/);
    const counter = metrics.counter('sensegate_video_refused_total', '');
    assert.equal(counter.value({ action: 'publish', reason: 'bad-publish-token' }), 8);
    assert.equal(counter.value({ action: 'publish', reason: 'camera-path' }), 3);
    // Neither token reaches a log line.
    const leaks = context.logs.filter((l) => [PASSWORD, TOKEN, PUBLISH_TOKEN].some((s) => `${l.message} ${JSON.stringify(l.fields)}`.includes(s)));
    assert.deepEqual(leaks, []);
  });
});

describe('video relay: publish settings', () => {
  const context = createTestContext();
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-relay-config-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function problems(name: string, yaml: string): Promise<string[]> {
    const file = join(dir, name);
    await writeFile(file, yaml);
    try {
      await loadConfigFile(file);
    } catch (err) {
      if (err instanceof ConfigError) return err.issues.map(formatIssue);
      throw err;
    }
    assert.fail(`${name} was accepted`);
  }

  it('refuses a publish token that is the players\' token or too short, and addresses a loopback relay cannot serve', async () => {
    const found = await problems(
      'publish.yaml',
      [
        'gateway: { id: g }',
        'video:',
        '  relay:',
        '    token: same-token-1',
        '    publish: { token: same-token-1, paths: [site/encoder, site/encoder], from: [10.0.5.0/24] }',
        '',
      ].join('\n'),
    );
    assert.ok(found.some((p) => /:5:\d+: video\.relay\.publish\.token: must differ from `token`/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /video\.relay\.publish\.paths\[1\]: "site\/encoder" is listed twice/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /video\.relay\.publish\.from: lists addresses beyond loopback, but the relay listens on 127\.0\.0\.1 only/.test(p)), found.join('\n'));

    const short = await problems('short.yaml', 'gateway: { id: g }\nvideo:\n  relay:\n    publish: { token: short, paths: [a/b], from: [10.0.0.300, ::1/129] }\n');
    assert.ok(short.some((p) => /video\.relay\.publish\.token: must be at least 8 characters/.test(p)), short.join('\n'));
    assert.ok(short.some((p) => /video\.relay\.publish\.from\[0\]: "10\.0\.0\.300" is not an IP address or subnet/.test(p)), short.join('\n'));
    assert.ok(short.some((p) => /video\.relay\.publish\.from\[1\]: "::1\/129": the prefix length must be 0\.\.128/.test(p)), short.join('\n'));

    const same = await problems('same-env.yaml', 'gateway: { id: g }\nvideo:\n  relay:\n    token: { env: RELAY_TOKEN }\n    publish: { token: { env: RELAY_TOKEN }, paths: [a/b] }\n');
    assert.ok(same.some((p) => /video\.relay\.publish\.token: must differ from `token`/.test(p)), same.join('\n'));
  });

  it('refuses an encoder path under a device\'s name', async () => {
    const found = await problems(
      'device-path.yaml',
      [
        'gateway: { id: g }',
        'video:',
        '  relay: { publish: { token: encoders-token, paths: [site/encoder, gate_cam/main] } }',
        'devices:',
        '  - id: gate.cam',
        '    driver: sensegate-driver-host',
        '    connection: {}',
        '    points: [{ id: load, metric: load1 }]',
        '',
      ].join('\n'),
    );
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0]!, /video\.relay\.publish\.paths\[1\]: "gate_cam\/main" is under device "gate\.cam", whose streams only the relay publishes/);
  });

  it('`sensegate validate` resolves both tokens: the same value from two variables is refused', async () => {
    const file = join(dir, 'validate.yaml');
    await writeFile(file, 'gateway: { id: g }\nvideo:\n  relay:\n    token: { env: SG_TEST_PLAY }\n    publish: { token: { env: SG_TEST_PUBLISH }, paths: [site/encoder] }\n');
    let out = '';
    const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
    process.env.SG_TEST_PLAY = 'one-value-for-both';
    process.env.SG_TEST_PUBLISH = 'one-value-for-both';
    try {
      assert.equal(await runValidate(['--config', file], sink), 1);
      assert.match(out, /SG_CONFIG_INVALID: .*video\.relay\.publish\.token is the same as video\.relay\.token; give encoders a token of their own/);
      process.env.SG_TEST_PUBLISH = 'another-value-77';
      out = '';
      assert.equal(await runValidate(['--config', file], sink), 0, out);
    } finally {
      delete process.env.SG_TEST_PLAY;
      delete process.env.SG_TEST_PUBLISH;
    }
  });

  it('refuses to start with a publish token equal to the players\' token', async () => {
    await assert.rejects(
      VideoRelay.start({ httpPort: 0, rtmpPort: 0, token: 'one-token-1', publish: { token: 'one-token-1', paths: ['a/b'] }, dataDir: dir, log: context.log }),
      (e) => isSensegateError(e) && e.code === 'SG_CONFIG_INVALID' && /publish: token must differ from the players' token/.test(e.message),
    );
  });
});
