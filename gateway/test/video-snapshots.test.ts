// Camera snapshots against simulated cameras with real RTSP streams and a real snapshot web server
// (Digest and Basic): pictures via the snapshot URL and via ffmpeg from the stream, wrong
// passwords and offline cameras failing clearly without leaking credentials, the store keeping
// its bounds across a restart, shared grabs, fallbacks, and a schedule that logs an outage once.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SensegateError, resolveFfmpeg, urlWithCredentials, type MediaSource } from '@sensegate/sdk';
import { createTestContext, waitFor } from '@sensegate/sdk/testing';
import { startCameraStreams, type CameraStreams } from '@sensegate/sim-onvif';
import {
  SnapshotStore,
  Snapshotter,
  fetchSnapshot,
  grabFrame,
  jpegSize,
  parseChallenges,
  pickChallenge,
  type SnapshotRef,
} from '../src/video/snapshots/index.js';

const FFMPEG = resolveFfmpeg().path;
const ACCOUNT = { user: 'operator', password: 'Sn4p-S3cret-77' };
const WRONG = { user: 'operator', password: 'Wr0ng-P4ss-99' };
const GATE = { id: 'gate', width: 320, height: 240, fps: 10 };
const YARD = { id: 'yard', width: 640, height: 360, fps: 10 };

const isWholeJpeg = (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b.at(-2) === 0xff && b.at(-1) === 0xd9;

/** What a driver would announce for a simulated camera. */
function mediaOf(streams: CameraStreams, id: string, auth = ACCOUNT, withSnapshotUrl = true): MediaSource {
  const spec = streams.cameras.find((c) => c.id === id)!;
  return {
    id: 'main',
    url: streams.rtspUrl(id),
    auth,
    ...(withSnapshotUrl ? { snapshotUrl: streams.snapshotUrl(id) } : {}),
    codec: 'h264',
    width: spec.width,
    height: spec.height,
    fps: spec.fps,
  };
}

async function rejection(promise: Promise<unknown>): Promise<SensegateError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SensegateError, `expected a SensegateError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('camera snapshots', () => {
  let streams: CameraStreams;
  let root: string;
  let picture: Buffer;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sensegate-snapshots-'));
    streams = await startCameraStreams({ cameras: [GATE, YARD], rtspPort: 0, httpPort: 0, host: '127.0.0.1', credentials: ACCOUNT });
    picture = await streams.snapshot('gate');
  });

  after(async () => {
    await streams?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('fetches a JPEG of the camera\'s size from the snapshot URL, answering Digest and Basic', async () => {
    for (const scheme of ['digest', 'basic', 'auto'] as const) {
      const jpeg = await fetchSnapshot(streams.snapshotUrl('yard'), ACCOUNT, { scheme, timeout: 15_000 });
      assert.ok(isWholeJpeg(jpeg), scheme);
      assert.deepEqual(jpegSize(jpeg), { width: 640, height: 360 }, scheme);
    }
  });

  it('grabs one frame of the stream\'s size over RTSP with ffmpeg', async () => {
    for (const camera of [GATE, YARD]) {
      const jpeg = await grabFrame(urlWithCredentials(streams.rtspUrl(camera.id), ACCOUNT), { ffmpeg: FFMPEG, timeout: 30_000 });
      assert.ok(isWholeJpeg(jpeg), camera.id);
      assert.deepEqual(jpegSize(jpeg), { width: camera.width, height: camera.height });
    }
  });

  it('a wrong password fails with SG_AUTH_FAILED, and the password is in no message and no log line', async () => {
    const byUrl = await rejection(fetchSnapshot(streams.snapshotUrl('gate'), WRONG, { timeout: 15_000 }));
    assert.equal(byUrl.code, 'SG_AUTH_FAILED');
    assert.equal(byUrl.status, 'http:401');
    assert.match(byUrl.message, new RegExp(`snapshot http://127\\.0\\.0\\.1:${streams.httpPort}/snapshot/gate\\.jpg: HTTP 401: the camera refused the credentials of user "operator"`));

    const byStream = await rejection(grabFrame(urlWithCredentials(streams.rtspUrl('gate'), WRONG), { ffmpeg: FFMPEG, timeout: 30_000 }));
    assert.equal(byStream.code, 'SG_AUTH_FAILED');
    assert.match(byStream.message, /401 Unauthorized/);
    assert.match(byStream.message, /rtsp:\/\/operator:\*\*\*@127\.0\.0\.1/);

    const context = createTestContext();
    const store = await SnapshotStore.open({ dir: join(root, 'wrong-password'), maxBytes: 10_000_000, maxAge: 3_600_000, log: context.log });
    const snapshotter = new Snapshotter({ store, log: context.log, ffmpeg: FFMPEG, timeout: 30_000 });
    const taken = await rejection(snapshotter.take('gate-cam', mediaOf(streams, 'gate', WRONG), 'motion'));
    assert.equal(taken.code, 'SG_AUTH_FAILED');
    assert.equal(taken.device, 'gate-cam');
    assert.match(taken.message, /^camera "gate-cam": no snapshot; tried snapshot http:\/\/.*HTTP 401.*; stream rtsp:\/\/operator:\*\*\*@127\.0\.0\.1:\d+\/gate\/main: .*401 Unauthorized/);
    assert.ok(context.logs.length > 0, 'the fallback is logged');
    for (const text of [byUrl.message, byStream.message, taken.message, JSON.stringify(taken), JSON.stringify(context.logs)]) {
      assert.ok(!text.includes(WRONG.password), `password leaked: ${text}`);
      assert.ok(!text.includes(encodeURIComponent(WRONG.password)), `password leaked: ${text}`);
    }
    assert.equal(store.stats().count, 0);
    await snapshotter.close();
    store.close();
  });

  it('a camera that is offline fails within the timeout, naming the device and both sources tried', async () => {
    const gone = await startCameraStreams({ cameras: [{ id: 'pier', width: 320, height: 240, fps: 10 }], rtspPort: 0, httpPort: 0, credentials: ACCOUNT });
    const source = mediaOf(gone, 'pier');
    await gone.close();
    const context = createTestContext();
    const store = await SnapshotStore.open({ dir: join(root, 'offline'), maxBytes: 10_000_000, maxAge: 3_600_000, log: context.log });
    const timeout = 5000;
    const snapshotter = new Snapshotter({ store, log: context.log, ffmpeg: FFMPEG, timeout });
    const started = Date.now();
    const err = await rejection(snapshotter.take('pier-cam', source, 'motion'));
    const elapsed = Date.now() - started;
    // One timeout per source at most, and a wide margin for a loaded machine.
    assert.ok(elapsed < 2 * timeout + 10_000, `took ${elapsed} ms`);
    assert.equal(err.code, 'SG_STREAM_UNAVAILABLE');
    assert.equal(err.device, 'pier-cam');
    assert.match(err.message, /^camera "pier-cam": no snapshot; tried snapshot http:\/\/127\.0\.0\.1:\d+\/snapshot\/pier\.jpg: connection refused; stream rtsp:\/\/operator:\*\*\*@127\.0\.0\.1:\d+\/pier\/main: .*Connection refused/);
    assert.ok(!JSON.stringify({ message: err.message, logs: context.logs }).includes(ACCOUNT.password));
    assert.deepEqual(snapshotter.stats(), { taken: 0, shared: 0, failed: 1, bySource: { snapshotUrl: 0, stream: 0 }, fallbacks: 0 });
    await snapshotter.close();
    store.close();
  });

  it('a camera that accepts connections and never answers fails when the timeout runs out, for each source', async () => {
    // A hung camera: its ports accept and then say nothing, on HTTP as on RTSP.
    const sockets = new Set<Socket>();
    const hung = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const port = (hung.address() as AddressInfo).port;
    const store = await SnapshotStore.open({ dir: join(root, 'hung'), maxBytes: 10_000_000, maxAge: 3_600_000 });
    const timeout = 1500;
    const snapshotter = new Snapshotter({ store, ffmpeg: FFMPEG, timeout });
    try {
      const source: MediaSource = { id: 'main', url: `rtsp://127.0.0.1:${port}/hung/main`, auth: ACCOUNT, snapshotUrl: `http://127.0.0.1:${port}/snapshot.jpg` };
      const started = Date.now();
      const err = await rejection(snapshotter.take('hung-cam', source, 'motion'));
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= timeout && elapsed < 2 * timeout + 15_000, `took ${elapsed} ms`);
      assert.equal(err.device, 'hung-cam');
      assert.match(err.message, new RegExp(`^camera "hung-cam": no snapshot; tried snapshot http://127\\.0\\.0\\.1:${port}/snapshot\\.jpg: no whole answer within 1500 ms; stream rtsp://operator:\\*\\*\\*@127\\.0\\.0\\.1:${port}/hung/main: `));
      assert.ok(!err.message.includes(ACCOUNT.password));
    } finally {
      await snapshotter.close();
      store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hung.close(resolve));
    }
  });

  it('the store keeps to maxBytes and maxAge, and rebuilds its index from the folder when reopened', async () => {
    const dir = join(root, 'bounds');
    const size = picture.length;
    const maxBytes = size * 5 + Math.floor(size / 2); // room for five pictures
    let store = await SnapshotStore.open({ dir, maxBytes, maxAge: 3_600_000 });
    const now = Date.now();
    const saved: SnapshotRef[] = [];
    for (let i = 0; i < 8; i++) saved.push(await store.save('cam-1', picture, { ts: now - (8 - i) * 1000, reason: i % 2 ? 'motion' : 'schedule' }));
    assert.deepEqual(saved[0], {
      id: saved[0]!.id,
      device: 'cam-1',
      file: saved[0]!.file,
      bytes: size,
      width: 320,
      height: 240,
      ts: now - 8000,
      reason: 'schedule',
    });
    assert.match(saved[0]!.file, /^cam-1\/\d{8}T\d{6}\.\d{3}Z-schedule-[0-9a-f]{4}\.jpg$/);
    assert.equal(saved[0]!.id, saved[0]!.file.replace(/\.jpg$/, ''));
    assert.deepEqual(store.stats(), { count: 5, bytes: 5 * size, oldest: now - 5000, newest: now - 1000 });
    assert.deepEqual(store.list().map((r) => r.id), saved.slice(3).map((r) => r.id));
    assert.equal(store.get(saved[0]!.id), undefined);
    assert.deepEqual(store.get(saved[7]!.id), saved[7]);
    assert.deepEqual(await readFile(store.path(saved[7]!)), picture);
    assert.deepEqual((await readdir(join(dir, 'cam-1'))).sort(), saved.slice(3).map((r) => r.file.split('/')[1]).sort());

    // Age: a picture older than maxAge is deleted by the save that brings it, and by the sweep.
    const old = await store.save('cam-2', picture, { ts: now - 7_200_000, reason: 'motion' });
    assert.equal(store.get(old.id), undefined);
    await assert.rejects(stat(store.path(old)), { code: 'ENOENT' });
    assert.equal(await store.prune(now + 3_600_000 - 3500), 2, 'the two oldest are past maxAge by then');
    assert.equal(store.stats().count, 3);
    store.close();

    // A restart: a save cut short, a file cut to nothing, and a stranger in the folder.
    await writeFile(join(dir, 'cam-1', '.20261129T150102.123Z-motion-0000.tmp'), picture.subarray(0, 100));
    await writeFile(join(dir, 'cam-1', '20200101T000000.000Z-motion-dead.jpg'), Buffer.alloc(0));
    await writeFile(join(dir, 'cam-1', 'notes.txt'), 'keep me');
    store = await SnapshotStore.open({ dir, maxBytes, maxAge: 100 * 365 * 86_400_000 });
    assert.deepEqual(store.list(), saved.slice(5));
    assert.deepEqual(store.list('cam-1'), saved.slice(5));
    assert.deepEqual(store.list('cam-2'), []);
    assert.deepEqual((await readdir(join(dir, 'cam-1'))).sort(), [...saved.slice(5).map((r) => r.file.split('/')[1]!), 'notes.txt'].sort());
    store.close();

    // Reopened with tighter bounds, it applies them at once.
    store = await SnapshotStore.open({ dir, maxBytes: size * 2, maxAge: 3_600_000 });
    assert.deepEqual(store.list(), saved.slice(6));
    store.close();
  });

  it('the store refuses device ids and ids that would leave its folder, and pictures that are not JPEGs', async () => {
    const store = await SnapshotStore.open({ dir: join(root, 'guard'), maxBytes: 1_000_000, maxAge: 3_600_000 });
    for (const device of ['..', '.', '../etc', 'a/b', 'a\\b', '', 'x'.repeat(200)]) {
      await assert.rejects(store.save(device, picture, { reason: 'motion' }), /is not a device id/, device);
    }
    await assert.rejects(store.save('cam', picture, { reason: '../x' }), /reason must be/);
    await assert.rejects(store.save('cam', Buffer.from('<html>login</html>'), { reason: 'motion' }), { code: 'SG_SNAPSHOT_FAILED' });
    assert.throws(() => store.path('../../etc/passwd'), /is outside/);
    assert.equal(store.get('../../etc/passwd'), undefined);
    assert.deepEqual(store.stats(), { count: 0, bytes: 0 });
    store.close();
  });

  it('concurrent takes of one camera share one grab from the stream', async () => {
    const store = await SnapshotStore.open({ dir: join(root, 'shared'), maxBytes: 10_000_000, maxAge: 3_600_000 });
    const snapshotter = new Snapshotter({ store, ffmpeg: FFMPEG, timeout: 30_000 });
    const source = mediaOf(streams, 'yard', ACCOUNT, false);
    const refs = await Promise.all(Array.from({ length: 5 }, () => snapshotter.take('yard-cam', source, 'motion')));
    assert.equal(new Set(refs.map((r) => r.id)).size, 1);
    assert.equal(refs[0]!.width, 640);
    assert.equal(refs[0]!.height, 360);
    assert.equal(store.stats().count, 1);
    assert.deepEqual(snapshotter.stats(), { taken: 1, shared: 4, failed: 0, bySource: { snapshotUrl: 0, stream: 1 }, fallbacks: 0 });
    // Once it is done, the next take grabs anew.
    const next = await snapshotter.take('yard-cam', source, 'schedule');
    assert.notEqual(next.id, refs[0]!.id);
    assert.equal(next.reason, 'schedule');
    await snapshotter.close();
    store.close();
  });

  it('prefers the snapshot URL, and falls back to the stream when the URL fails', async () => {
    const context = createTestContext();
    const store = await SnapshotStore.open({ dir: join(root, 'fallback'), maxBytes: 10_000_000, maxAge: 3_600_000 });
    const snapshotter = new Snapshotter({ store, ffmpeg: FFMPEG, timeout: 30_000, log: context.log });
    const good = await snapshotter.take('gate-cam', mediaOf(streams, 'gate'), 'motion');
    assert.deepEqual([good.width, good.height], [320, 240]);
    assert.deepEqual(snapshotter.stats().bySource, { snapshotUrl: 1, stream: 0 });

    // The camera's web server answers 404 for this URL; its stream still plays.
    const broken = { ...mediaOf(streams, 'gate'), snapshotUrl: `http://127.0.0.1:${streams.httpPort}/snapshot/no-such-camera.jpg` };
    for (let i = 0; i < 2; i++) {
      const ref = await snapshotter.take('gate-cam', broken, 'motion');
      assert.deepEqual([ref.width, ref.height], [320, 240]);
    }
    assert.deepEqual(snapshotter.stats(), { taken: 3, shared: 0, failed: 0, bySource: { snapshotUrl: 1, stream: 2 }, fallbacks: 2 });
    const warnings = context.logs.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1, 'the broken URL is logged once, not per take');
    assert.match(warnings[0]!.message, /camera "gate-cam": snapshot http:\/\/.*no-such-camera\.jpg: HTTP 404 Not Found: no camera "no-such-camera"; trying the other source/);

    // And the other way round: a stream that is not there, a snapshot URL that works.
    const streamFirst = new Snapshotter({ store, ffmpeg: FFMPEG, timeout: 30_000, prefer: 'stream' });
    const noStream = { ...mediaOf(streams, 'yard'), url: `rtsp://127.0.0.1:${streams.rtspPort}/no-such-camera/main` };
    const ref = await streamFirst.take('yard-cam', noStream, 'motion');
    assert.deepEqual([ref.width, ref.height], [640, 360]);
    assert.deepEqual(streamFirst.stats().bySource, { snapshotUrl: 1, stream: 0 });
    await snapshotter.close();
    await streamFirst.close();
    store.close();
  });

  it('a schedule logs a stream outage once when it starts and once when it ends', async () => {
    const context = createTestContext();
    const store = await SnapshotStore.open({ dir: join(root, 'schedule'), maxBytes: 10_000_000, maxAge: 3_600_000 });
    const snapshotter = new Snapshotter({ store, ffmpeg: FFMPEG, timeout: 15_000, log: context.log });
    const stored: SnapshotRef[] = [];
    const schedule = snapshotter.every('gate-cam', 250, mediaOf(streams, 'gate'), { onSnapshot: (ref) => stored.push(ref) });
    await waitFor('a scheduled snapshot', () => stored.length >= 1, { timeout: 60_000 });
    assert.equal(stored[0]!.reason, 'schedule');

    await streams.dropStream('gate', 3000);
    const failing = await waitFor('failures', () => context.logs.find((l) => l.level === 'warn' && /scheduled snapshot failed/.test(l.message)), { timeout: 60_000 });
    assert.match(failing.message, /camera "gate-cam": scheduled snapshot failed: camera "gate-cam": no snapshot; tried snapshot .*HTTP 503/);
    await waitFor('the failures to end', () => context.logs.find((l) => l.level === 'info' && /scheduled snapshots work again after \d+ failed/.test(l.message)), { timeout: 60_000 });
    await schedule.stop();
    const scheduleWarnings = context.logs.filter((l) => l.level === 'warn' && /scheduled snapshot failed/.test(l.message));
    const failedTicks = context.logs.filter((l) => /scheduled snapshot failed/.test(l.message)).length;
    assert.ok(failedTicks >= 2, `the outage spans several ticks (${failedTicks})`);
    // One warning per cause: the stream's code can change once as it goes down and comes back.
    assert.ok(scheduleWarnings.length <= 2, scheduleWarnings.map((w) => w.message).join('\n'));
    assert.ok(!JSON.stringify(context.logs).includes(ACCOUNT.password));
    await snapshotter.close();
    store.close();
  });

  it('reads the size from the frame header past EXIF and APPn segments with thumbnails', async () => {
    // An EXIF-like APP1 holding a 16x8 "thumbnail" JPEG, then an APP13, before the real frame.
    const thumbnail = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
    const app1Body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), thumbnail]);
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), u16(app1Body.length + 2), app1Body]);
    const app13 = Buffer.concat([Buffer.from([0xff, 0xed]), u16(6), Buffer.from('8BIM', 'latin1')]);
    const withExif = Buffer.concat([picture.subarray(0, 2), app1, app13, Buffer.from([0xff]), picture.subarray(2)]); // and one fill byte
    assert.deepEqual(jpegSize(withExif), { width: 320, height: 240 });
    assert.deepEqual(jpegSize(thumbnail), { width: 16, height: 8 });
    assert.equal(jpegSize(Buffer.from('not a jpeg')), undefined);
    assert.equal(jpegSize(picture.subarray(0, 20)), undefined, 'cut short before the frame header');
    assert.equal(jpegSize(Buffer.alloc(0)), undefined);
  });

  it('parses several challenges in one WWW-Authenticate value and picks the strongest', () => {
    const challenges = parseChallenges(['Basic realm="cam", Digest realm="cam, inc", nonce="abc", qop="auth,auth-int", algorithm=MD5', 'Digest realm="cam", nonce="xyz", algorithm=SHA-256, qop="auth"']);
    assert.deepEqual(challenges.map((c) => [c.scheme, c.params.get('realm'), c.params.get('nonce') ?? null]), [
      ['basic', 'cam', null],
      ['digest', 'cam, inc', 'abc'],
      ['digest', 'cam', 'xyz'],
    ]);
    assert.equal(pickChallenge(challenges)?.params.get('algorithm'), 'SHA-256');
    assert.equal(pickChallenge(challenges, 'basic')?.scheme, 'basic');
    assert.equal(pickChallenge(parseChallenges(['Digest realm="x", nonce="n", qop="auth-int"'])), undefined, 'auth-int only: not answerable');
  });
});

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

