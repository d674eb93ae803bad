// A camera streams over RTSP (with a password); the gateway's video relay pulls it and serves it
// as HTTP-FLV, WS-FLV and RTMP. Players are the real ffmpeg tools and a bare WebSocket client.
// The camera drops and comes back, and the relay follows by itself. Bound beyond loopback, the
// relay asks every player for its token. Its password never reaches a log line.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSensegateError, resolveFfmpeg } from '@sensegate/sdk';
import { createTestContext, probeVideo, runProgram, waitFor } from '@sensegate/sdk/testing';
import { startCameraStreams, type CameraStreams } from '@sensegate/sim-onvif';
import { VideoRelay, type StreamState } from '../src/video/relay/index.js';

const FFMPEG = resolveFfmpeg().path;
const PASSWORD = 'hunter22-Secret';
const TOKEN = 'open-sesame-42';
const SMALL = { width: 320, height: 240, fps: 10 };

const run = runProgram;
const probe = (url: string) => probeVideo(url);

/** An ffmpeg that plays a URL and throws the (copied) packets away: a viewer. */
function viewer(url: string): ChildProcess {
  return spawn(FFMPEG, ['-nostdin', '-v', 'error', '-i', url, '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

/**
 * A bare WebSocket client (Node 20 has no global WebSocket): upgrades, then reads binary frames
 * until it has an FLV header and `videoTags` video tags. Resolves with the HTTP status of the
 * upgrade (101 when accepted) and what it read.
 */
function wsFlv(url: string, videoTags = 3, timeout = 20_000): Promise<{ status: number; flvHeader: boolean; videoTags: number }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no FLV from ${url} within ${timeout} ms`))), timeout);
    const finish = (result: { status: number; flvHeader: boolean; videoTags: number }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.on('error', (err) => (clearTimeout(timer), reject(err)));
    socket.once('connect', () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let raw = Buffer.alloc(0);
    let status = 0;
    let flv = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      raw = Buffer.concat([raw, chunk]);
      if (!status) {
        const end = raw.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        raw = raw.subarray(end + 4);
        if (status !== 101) return finish({ status, flvHeader: false, videoTags: 0 });
      }
      // Server frames are unmasked: opcode, length (7, 16 or 64 bit), payload.
      for (;;) {
        if (raw.length < 2) break;
        let length = raw[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (raw.length < 4) break;
          length = raw.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (raw.length < 10) break;
          length = Number(raw.readBigUInt64BE(2));
          offset = 10;
        }
        if (raw.length < offset + length) break;
        const opcode = raw[0]! & 0x0f;
        if (opcode === 2 || opcode === 0) flv = Buffer.concat([flv, raw.subarray(offset, offset + length)]);
        raw = raw.subarray(offset + length);
      }
      const flvHeader = flv.length >= 13 && flv.subarray(0, 3).toString('latin1') === 'FLV';
      let tags = 0;
      // Tags after the 9-byte header and first PreviousTagSize: type, 24-bit size, 7 more header bytes, data, 4-byte trailer.
      for (let p = 13; flvHeader && p + 11 <= flv.length; ) {
        const size = flv.readUIntBE(p + 1, 3);
        if (p + 11 + size + 4 > flv.length) break;
        if (flv[p] === 9) tags++;
        p += 11 + size + 4;
      }
      if (flvHeader && tags >= videoTags) finish({ status, flvHeader, videoTags: tags });
    });
  });
}

function cameraUrl(cameras: CameraStreams, id: string): string {
  const url = new URL(cameras.rtspUrl(id));
  url.username = 'admin';
  url.password = PASSWORD;
  return url.toString();
}

describe('video relay', () => {
  let cameras: CameraStreams;
  let dataDir: string;
  const context = createTestContext();

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sensegate-video-relay-'));
    cameras = await startCameraStreams({
      cameras: [{ id: 'cam-1', ...SMALL }, { id: 'cam-2', ...SMALL }],
      rtspPort: 0,
      httpPort: 0,
      host: '127.0.0.1',
      credentials: { user: 'admin', password: PASSWORD },
    });
  });

  after(async () => {
    await cameras?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('on loopback, without a token', () => {
    let relay: VideoRelay;
    const changes: Array<[string, StreamState]> = [];

    before(async () => {
      relay = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: context.log, restart: { initialDelay: 500, maxDelay: 2000 } });
      relay.on('state', (path, state) => changes.push([path, state]));
      relay.addStream({ path: 'cam-1/main', url: cameraUrl(cameras, 'cam-1') });
      await waitFor('cam-1/main up', () => relay.streams()[0]?.state === 'up');
    });

    after(() => relay?.stop());

    it('serves the camera as HTTP-FLV: H.264 at the camera\'s size', async () => {
      const { flv } = relay.urls('cam-1/main');
      assert.match(flv, /^http:\/\/127\.0\.0\.1:\d+\/cam-1\/main\.flv$/);
      const result = await probe(flv);
      assert.deepEqual(result.stream, { codec_name: 'h264', width: 320, height: 240 }, result.stderr);
      const [status] = relay.streams();
      assert.equal(status?.codec, 'h264');
      assert.equal(status?.width, 320);
      assert.equal(status?.height, 240);
    });

    it('serves it as WS-FLV: an FLV header, then video tags', async () => {
      const result = await wsFlv(relay.urls('cam-1/main').ws);
      assert.equal(result.status, 101);
      assert.ok(result.flvHeader);
      assert.ok(result.videoTags >= 3);
    });

    it('serves it over RTMP', async () => {
      const result = await probe(relay.urls('cam-1/main').rtmp);
      assert.deepEqual(result.stream, { codec_name: 'h264', width: 320, height: 240 }, result.stderr);
    });

    it('counts its viewers and measures the bitrate coming in', async () => {
      const players = [viewer(relay.urls('cam-1/main').flv), viewer(relay.urls('cam-1/main').rtmp)];
      try {
        await waitFor('two viewers', () => relay.streams()[0]?.viewers === 2);
        await waitFor('a bitrate', () => (relay.streams()[0]?.bitrate ?? 0) > 0);
      } finally {
        for (const p of players) p.kill('SIGKILL');
      }
      await waitFor('no viewer left', () => relay.streams()[0]?.viewers === 0);
    });

    it('goes down when the camera drops, and up again by itself; its players wait through it', async () => {
      const player = viewer(relay.urls('cam-1/main').flv);
      try {
        await waitFor('the viewer', () => relay.streams()[0]?.viewers === 1);
        changes.length = 0;
        await cameras.dropStream('cam-1', 3000);
        await waitFor('down', () => changes.some(([p, s]) => p === 'cam-1/main' && s === 'down'));
        assert.equal(relay.streams()[0]?.bitrate, 0);
        await waitFor('up again', () => relay.streams()[0]?.state === 'up', { timeout: 30_000 });
        assert.deepEqual(changes.map(([, s]) => s).filter((s, i, all) => s !== all[i - 1]), ['down', 'up']);
        assert.ok(relay.streams()[0]?.lastError, 'the reason it went down');
        await waitFor('a bitrate again', () => (relay.streams()[0]?.bitrate ?? 0) > 0);
        const result = await probe(relay.urls('cam-1/main').flv);
        assert.deepEqual(result.stream, { codec_name: 'h264', width: 320, height: 240 }, result.stderr);
        assert.equal(player.exitCode, null, 'the viewer stayed through the drop');
        assert.equal(relay.streams()[0]?.viewers, 1);
      } finally {
        player.kill('SIGKILL');
      }
    });

    it('reports a camera it cannot reach as down, with the reason, and keeps trying', async () => {
      const wrong = new URL(cameraUrl(cameras, 'cam-2'));
      wrong.password = 'wrong-password';
      relay.addStream({ path: 'cam-2/main', url: wrong.toString() });
      await waitFor('cam-2 down', () => relay.streams().find((s) => s.path === 'cam-2/main')?.state === 'down');
      assert.match(relay.streams().find((s) => s.path === 'cam-2/main')?.lastError ?? '', /401/);
      relay.removeStream('cam-2/main');
      assert.deepEqual(relay.streams().map((s) => s.path), ['cam-1/main']);
    });

    it('pushes a relayed stream to an RTMP server (here: a second path of itself)', async () => {
      relay.addStream({ path: 'cam-2/main', url: cameraUrl(cameras, 'cam-2'), push: `rtmp://127.0.0.1:${relay.rtmpPort}/platform/cam-2` });
      await waitFor('cam-2 up', () => relay.streams().find((s) => s.path === 'cam-2/main')?.state === 'up');
      const result = await waitFor('the pushed stream', async () => {
        const r = await probe(relay.urls('platform/cam-2').rtmp);
        return r.stream && r;
      }, { timeout: 30_000 });
      assert.deepEqual(result.stream, { codec_name: 'h264', width: 320, height: 240 });
      // The push is not a viewer of the stream it pushes.
      assert.equal(relay.streams().find((s) => s.path === 'cam-2/main')?.viewers, 0);
      relay.removeStream('cam-2/main');
    });

    it('refuses paths the library cannot serve, and keeps its files out of the cwd', async () => {
      assert.throws(() => relay.addStream({ path: 'cam-1', url: cameraUrl(cameras, 'cam-1') }), (e) => isSensegateError(e) && e.code === 'SG_CONFIG_INVALID');
      assert.throws(() => relay.addStream({ path: 'a/b/c', url: cameraUrl(cameras, 'cam-1') }), /<camera>\/<stream>/);
      assert.throws(() => relay.addStream({ path: 'cam-1/main', url: cameraUrl(cameras, 'cam-1') }), /already relayed/);
      assert.throws(() => relay.addStream({ path: 'x/y', url: 'http://camera/' }), /rtsp:\/\//);
      assert.deepEqual(await readdir(process.cwd()).then((names) => names.filter((n) => n === 'data')), []);
      // Nothing is written at all: the library's store is never opened.
      assert.deepEqual(await readdir(dataDir), []);
    });

    it('has no admin API or other routes over HTTP', async () => {
      const base = `http://127.0.0.1:${relay.httpPort}`;
      for (const path of ['/api/v1/streams', '/api/v1/relays', '/admin/', '/']) {
        const response = await fetch(base + path);
        assert.equal(response.status, 404, path);
        await response.body?.cancel();
      }
      const post = await fetch(`${base}/cam-1/main.flv`, { method: 'POST', body: 'FLV' });
      assert.equal(post.status, 405);
    });
  });

  describe('beyond loopback', () => {
    it('refuses to start without a token', async () => {
      await assert.rejects(
        VideoRelay.start({ host: '0.0.0.0', httpPort: 0, rtmpPort: 0, dataDir, log: context.log }),
        (e) => isSensegateError(e) && e.code === 'SG_CONFIG_INVALID' && /needs a token/.test(e.message),
      );
    });

    describe('with a token', () => {
      let relay: VideoRelay;

      before(async () => {
        relay = await VideoRelay.start({ host: '0.0.0.0', httpPort: 0, rtmpPort: 0, token: TOKEN, dataDir, log: context.log });
        relay.addStream({ path: 'cam-1/main', url: cameraUrl(cameras, 'cam-1') });
        await waitFor('cam-1/main up', () => relay.streams()[0]?.state === 'up');
      });

      after(() => relay?.stop());

      it('puts the token in its URLs, and plays with it over HTTP-FLV, WS-FLV and RTMP', async () => {
        const urls = relay.urls('cam-1/main');
        assert.ok([urls.flv, urls.ws, urls.rtmp].every((u) => u.endsWith(`?token=${TOKEN}`)));
        const [flv, rtmp, ws] = await Promise.all([probe(urls.flv), probe(urls.rtmp), wsFlv(urls.ws)]);
        assert.deepEqual(flv.stream, { codec_name: 'h264', width: 320, height: 240 }, flv.stderr);
        assert.deepEqual(rtmp.stream, { codec_name: 'h264', width: 320, height: 240 }, rtmp.stderr);
        assert.equal(ws.status, 101);
        assert.ok(ws.videoTags >= 3);
      });

      it('refuses HTTP-FLV and WS-FLV without the token or with a wrong one (401)', async () => {
        const base = `http://127.0.0.1:${relay.httpPort}/cam-1/main.flv`;
        for (const url of [base, `${base}?token=wrong-token-1`]) {
          const response = await fetch(url);
          assert.equal(response.status, 401, url);
          await response.body?.cancel();
          assert.equal((await wsFlv(url.replace('http:', 'ws:'))).status, 401);
        }
        assert.equal(relay.streams()[0]?.viewers, 0);
      });

      it('refuses RTMP play and publish without the token or with a wrong one', async () => {
        const base = `rtmp://127.0.0.1:${relay.rtmpPort}/cam-1/main`;
        const urls = [base, `${base}?token=wrong-token-1`];
        // ffprobe lingers after a refusal; the three clients wait side by side.
        const [plays, publish] = await Promise.all([
          Promise.all(urls.map((url) => probe(url))),
          run(FFMPEG, ['-nostdin', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5', '-t', '3', '-c:v', 'libx264', '-f', 'flv', `rtmp://127.0.0.1:${relay.rtmpPort}/intruder/cam`]),
        ]);
        for (const [i, result] of plays.entries()) {
          assert.notEqual(result.code, 0, urls[i]);
          assert.equal(result.stream, undefined);
        }
        assert.notEqual(publish.code, 0, 'publishing without the token is refused');
        // Nothing was published there: a player finds no stream (the relay holds an unknown path
        // open, waiting for a publisher, so the player is cut off after a few seconds).
        assert.equal((await probeVideo(relay.urls('intruder/cam').flv, { timeout: 5000 })).stream, undefined);
      });

      it('refuses its admin API even with the token', async () => {
        const response = await fetch(`http://127.0.0.1:${relay.httpPort}/api/v1/streams?token=${TOKEN}`);
        assert.equal(response.status, 404);
        await response.body?.cancel();
      });
    });
  });

  describe('a camera that accepts the connection and then says nothing', () => {
    it('is reported down after the stall timeout, and tried again', async () => {
      const { createServer } = await import('node:net');
      let connections = 0;
      const silent = createServer(() => connections++).listen(0, '127.0.0.1');
      await new Promise((r) => silent.once('listening', r));
      const relay = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: context.log, stallTimeout: 1000, restart: { initialDelay: 200, maxDelay: 500 } });
      try {
        relay.addStream({ path: 'mute/main', url: `rtsp://admin:${PASSWORD}@127.0.0.1:${(silent.address() as { port: number }).port}/mute/main` });
        assert.equal(relay.streams()[0]?.state, 'connecting');
        await waitFor('down', () => relay.streams()[0]?.state === 'down');
        assert.match(relay.streams()[0]?.lastError ?? '', /no answer from the camera within 1 s/);
        await waitFor('a second attempt', () => connections >= 2);
      } finally {
        await relay.stop();
        silent.close();
      }
    });
  });

  describe('stopping', () => {
    it('closes its players and frees its ports: a new relay starts on the same ones', async () => {
      const first = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: context.log });
      const { httpPort, rtmpPort } = first;
      first.addStream({ path: 'cam-1/main', url: cameraUrl(cameras, 'cam-1') });
      await waitFor('up', () => first.streams()[0]?.state === 'up');
      const players = [viewer(first.urls('cam-1/main').flv), viewer(first.urls('cam-1/main').rtmp)];
      try {
        await waitFor('two viewers', () => first.streams()[0]?.viewers === 2);
        await first.stop();
        await Promise.all(players.map(exited));
      } finally {
        for (const p of players) p.kill('SIGKILL');
      }
      await waitFor('the camera has no viewer left', () => cameras.stats('cam-1').viewers === 0);

      const second = await VideoRelay.start({ httpPort, rtmpPort, dataDir, log: context.log });
      try {
        assert.equal(second.httpPort, httpPort);
        assert.equal(second.rtmpPort, rtmpPort);
        // Nothing carried over from the first run.
        assert.deepEqual(second.streams(), []);
      } finally {
        await second.stop();
      }
    });

    it('refuses a second relay in the same process, and reports a taken port', async () => {
      const first = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: context.log });
      try {
        await assert.rejects(VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: context.log }), /one relay per process/);
      } finally {
        await first.stop();
      }
      const blocker = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: context.log });
      const taken = blocker.httpPort;
      await blocker.stop();
      const { createServer } = await import('node:net');
      const squatter = createServer().listen(taken, '127.0.0.1');
      await new Promise((r) => squatter.once('listening', r));
      try {
        await assert.rejects(VideoRelay.start({ httpPort: taken, rtmpPort: 0, dataDir, log: context.log }), /cannot listen for HTTP-FLV.*EADDRINUSE/);
      } finally {
        squatter.close();
      }
      // The failed start left nothing behind.
      const again = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: context.log });
      await again.stop();
    });
  });

  it('never logs the camera\'s password or the token, in any run above', () => {
    assert.ok(context.logs.length > 20, 'the library\'s lines came through');
    assert.ok(context.logs.some((l) => l.message.includes('rtsp://admin:***@')), 'URLs are logged, redacted');
    const leaks = context.logs.filter((l) => [PASSWORD, TOKEN].some((secret) => `${l.message} ${JSON.stringify(l.fields)}`.includes(secret)));
    assert.deepEqual(leaks, []);
    // The library's own lines arrive at debug only; the relay's state changes at info and warn.
    const library = context.logs.filter((l) => 'nmsLevel' in l.fields);
    assert.ok(library.length > 0 && library.every((l) => l.level === 'debug'));
  });
});
