// The gateway's video service between the drivers and the pipeline: events that ask for a picture
// get one (or the reason there is none), a camera's events keep their order while they wait, other
// events never wait, and the relay's state becomes the camera's readings.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceEvent, MediaSource, Value } from '@sensegate/sdk';
import { createTestContext, freePort, waitFor } from '@sensegate/sdk/testing';
import { startCameraStreams, type CameraStreams } from '@sensegate/sim-onvif';
import { VideoRelay } from '../src/video/relay/index.js';
import { VideoService } from '../src/video/service.js';
import { SnapshotStore, Snapshotter } from '../src/video/snapshots/index.js';
import { videoConfigSchema } from '../src/video/schema.js';

const ACCOUNT = { user: 'viewer', password: 'Sn4p-secret' };

describe('the video service', () => {
  let dir: string;
  let streams: CameraStreams;
  let camera: MediaSource;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-video-service-'));
    streams = await startCameraStreams({ cameras: [{ id: 'cam1', width: 320, height: 240, fps: 5 }], rtspPort: 0, httpPort: 0, credentials: ACCOUNT });
    camera = { id: 'main', url: streams.rtspUrl('cam1'), snapshotUrl: streams.snapshotUrl('cam1'), auth: ACCOUNT, width: 320, height: 240 };
  });
  after(async () => {
    await streams?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function service(name: string, relay?: VideoRelay) {
    const ctx = createTestContext();
    const store = await SnapshotStore.open({ dir: join(dir, name), maxBytes: 10_000_000, maxAge: 3600_000 });
    const config = videoConfigSchema.parse({ snapshots: { timeout: 3000 }, relay: { statsInterval: 1000 } });
    const published: Array<{ device: string; point: string; value: Value }> = [];
    const video = new VideoService({
      gatewayId: 'gw',
      ...(relay ? { relay } : {}),
      statsInterval: 1000,
      snapshots: { snapshotter: new Snapshotter({ store, log: ctx.log, timeout: 3000 }), store, config: config.snapshots },
      publish: (device, point, value) => published.push({ device, point, value }),
      log: ctx.log,
    });
    return { video, published, ctx };
  }

  const motion = (device: string, n: number): DeviceEvent => ({ type: 'camera.motion', ts: Date.now(), device, severity: 'warning', message: `motion ${n}`, data: { n } });

  it('attaches a snapshot to the events that ask for one, keeps each camera\'s order, and lets other events through at once', async () => {
    const { video } = await service('order');
    video.setMedia('cam1', [camera]);
    const out: DeviceEvent[] = [];
    video.event(motion('cam1', 1), (e) => out.push(e));
    video.event({ type: 'device.state', ts: Date.now(), device: 'cam1', severity: 'info', message: 'after the motion', data: { n: 2 } }, (e) => out.push(e));
    video.event({ type: 'device.state', ts: Date.now(), device: 'pump-1', severity: 'info', message: 'another device', data: { n: 3 } }, (e) => out.push(e));
    assert.deepEqual(out.map((e) => (e.data as { n: number }).n), [3], 'only the other device\'s event passes before the snapshot is taken');
    await waitFor('both camera events', () => out.length === 3);
    assert.deepEqual(out.map((e) => (e.data as { n: number }).n), [3, 1, 2], 'the camera\'s events leave in the order they came');
    const snapshot = (out[1]!.data as { snapshot: { device: string; width: number; height: number; reason: string } }).snapshot;
    assert.deepEqual([snapshot.device, snapshot.width, snapshot.height, snapshot.reason], ['cam1', 320, 240, 'camera-motion']);
    await video.stop();
  });

  it('sends the event anyway, with the reason, when the camera cannot give a picture', async () => {
    const { video, ctx } = await service('offline');
    const dead = await freePort();
    video.setMedia('cam9', [{ id: 'main', url: `rtsp://127.0.0.1:${dead}/cam9/main`, snapshotUrl: `http://127.0.0.1:${dead}/snap.jpg`, auth: ACCOUNT }]);
    const out: DeviceEvent[] = [];
    video.event(motion('cam9', 1), (e) => out.push(e));
    video.event(motion('cam9', 2), (e) => out.push(e));
    await waitFor('both events', () => out.length === 2, { timeout: 30_000 });
    for (const e of out) {
      const error = (e.data as { snapshotError?: { code: string; message: string } }).snapshotError!;
      assert.match(error.code, /^SG_(SNAPSHOT_FAILED|STREAM_UNAVAILABLE)$/);
      assert.match(error.message, /cam9/);
      assert.ok(!error.message.includes(ACCOUNT.password));
    }
    // Logged once for the episode, not once per event.
    assert.equal(ctx.logs.filter((l) => l.level === 'warn' && l.message.includes('no snapshot')).length, 1);
    // A device that never announced a stream is named as such.
    await assert.rejects(video.snapshot('nocam', 'test'), { code: 'SG_STREAM_UNAVAILABLE', message: /nocam has announced no stream/ });
    await video.stop();
  });

  it('relays announced streams under safe paths, publishes their state as readings, and hides the token', async () => {
    const relay = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, token: 't0ken-secret', dataDir: join(dir, 'relay'), log: createTestContext().log });
    const { video, published, ctx } = await service('relay', relay);
    try {
      video.setMedia('gate.cam:1', [camera]);
      video.setMedia('gate.cam:1', [camera]); // the same again: nothing to do
      assert.deepEqual(relay.streams().map((s) => s.path), ['gate_cam_1/main'], 'device ids are made safe for relay paths');
      await waitFor('stream.up true', () => published.some((p) => p.device === 'gate.cam:1' && p.point === 'stream.up' && p.value === true), { timeout: 30_000 });
      await waitFor('a bitrate above 0', () => published.some((p) => p.point === 'stream.bitrate' && (p.value as number) > 0), { timeout: 30_000 });
      assert.ok(published.some((p) => p.point === 'stream.viewers' && p.value === 0));
      const status = video.status();
      assert.equal(status.length, 1);
      assert.deepEqual([status[0]!.device, status[0]!.stream, status[0]!.state], ['gate.cam:1', 'main', 'up']);
      assert.ok(!JSON.stringify(status).includes('t0ken-secret'), 'status hides the token');
      assert.match(video.urls('gate.cam:1')!.flv, /\/gate_cam_1\/main\.flv\?token=t0ken-secret$/, 'the operator gets the whole URL on request');
      assert.ok(!JSON.stringify(ctx.logs).includes(ACCOUNT.password), 'no log line holds the camera password');
      video.setMedia('gate.cam:1', []);
      assert.deepEqual(relay.streams(), [], 'a withdrawn stream is no longer relayed');
    } finally {
      await video.stop();
    }
  });
});
