// A camera site end to end: a simulated ONVIF camera, the real gateway (ONVIF driver, relay,
// snapshots, command router) and a real broker. What a platform team and a field engineer see:
// the camera in the birth, its health and stream state as readings, its motion events with a
// snapshot, its stream at the gateway's HTTP-FLV URL, PTZ moves from the platform, and all of it
// coming back on its own after the camera restarts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, probeVideo, waitFor } from '@sensegate/sdk/testing';
import { startOnvifSimulator, type OnvifSimulator, type OnvifSimulatorOptions } from '@sensegate/sim-onvif';
import { jpegSize } from '../src/video/snapshots/index.js';
import { testBroker } from './support/broker.js';
import { startCli, type CliProcess } from './support/cli.js';
import { FeedConsumer, feedSchemaProblems } from './support/feed.js';

const GATEWAY = `e2e-camera-${process.pid}`;
const PASSWORD = 'cam-Secret-71';
const CAMERA = { id: 'gate', width: 320, height: 240, fps: 10, manufacturer: 'Sensegate Sim', model: 'SG-PTZ-1', serial: '000123' };

async function probe(url: string): Promise<{ codec: string; width: number; height: number } | string> {
  const result = await probeVideo(url, { timeout: 30_000 });
  return result.stream ? { codec: result.stream.codec_name, width: result.stream.width, height: result.stream.height } : `ffprobe failed: ${result.stderr}`;
}

describe('end to end: an ONVIF camera through the gateway', () => {
  let dir: string;
  let sim: OnvifSimulator;
  let simOptions: OnvifSimulatorOptions;
  let broker: { url: string; close(): Promise<void> };
  let consumer: FeedConsumer;
  let gateway: CliProcess;
  let flvUrl: string;

  const readings = (point: string, since = 0) => consumer.readings().filter((r) => r.device === 'gate' && r.point === point && r.ts >= since);
  const cameraEvents = (type: string, since = 0) => consumer.allEvents().filter((e) => e.device === 'gate' && e.type === type && (e.ts as number) >= since);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-camera-'));
    broker = await testBroker();
    // Fixed ports, so that the camera can come back where it was.
    simOptions = {
      cameras: [CAMERA],
      port: await freePort(),
      rtspPort: await freePort(),
      httpPort: await freePort(),
      credentials: { user: 'operator', password: PASSWORD },
      discovery: { multicast: false, unicastPort: 0 },
    };
    sim = await startOnvifSimulator(simOptions);
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    const httpPort = await freePort();
    flvUrl = `http://127.0.0.1:${httpPort}/gate/main.flv`;
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: gate
    driver: onvif
    profile: camera
    timeout: 5s
    reconnect: { initialDelay: 200ms, maxDelay: 1s }
    connection:
      url: ${sim.cameras[0]!.deviceServiceUrl}
      user: operator
      password: { env: GATE_CAM_PASSWORD }
      checkInterval: 2s
video:
  relay: { httpPort: ${httpPort}, rtmpPort: ${await freePort()}, statsInterval: 1s }
  snapshots: { timeout: 5s }
commands:
  allow: ['gate:ptz.*']
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    gateway = startCli(['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json'], { env: { GATE_CAM_PASSWORD: PASSWORD } });
    await consumer.waitForReadings('the camera online', (r) => r.device === 'gate' && r.point === 'online' && r.value === true, 1, 30_000);
  });

  after(async () => {
    await gateway?.stop();
    await consumer?.close();
    await sim?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('announces the camera: who it is in the birth, and its clock offset as a reading', async () => {
    const birth = await waitFor('a birth with the camera\'s information', () =>
      consumer.status.map((m) => m.payload).find((p) => p.type === 'birth' && (p.devices as Array<{ id: string; info?: object }>).some((d) => d.id === 'gate' && d.info)),
    );
    const camera = (birth.devices as Array<{ id: string; driver: string; info: Record<string, unknown>; points: Array<{ id: string }> }>).find((d) => d.id === 'gate')!;
    assert.equal(camera.driver, 'onvif');
    assert.equal(camera.info.manufacturer, 'Sensegate Sim');
    assert.equal(camera.info.model, 'SG-PTZ-1');
    assert.equal(camera.info.serialNumber, '000123', 'a serial number keeps its leading zeros');
    assert.ok(camera.points.some((p) => p.id === 'stream.up'));
    const [offset] = await consumer.waitForReadings('a clock offset', (r) => r.device === 'gate' && r.point === 'clock-offset');
    assert.ok(Math.abs(offset!.value as number) < 5, `the simulated camera's clock is right, offset ${String(offset!.value)} s`);
  });

  it('serves the camera\'s stream at its HTTP-FLV URL: H.264 of the camera\'s size, and reports it up', async () => {
    await consumer.waitForReadings('stream.up true', (r) => r.device === 'gate' && r.point === 'stream.up' && r.value === true, 1, 30_000);
    const stream = await probe(flvUrl);
    assert.deepEqual(stream, { codec: 'h264', width: CAMERA.width, height: CAMERA.height });
    const [bitrate] = await consumer.waitForReadings('a bitrate above 0', (r) => r.device === 'gate' && r.point === 'stream.bitrate' && (r.value as number) > 0);
    assert.equal(bitrate!.unit, 'kbit/s');
  });

  it('a motion event reaches the broker with a reference to its snapshot, a JPEG of the stream\'s size', async (t) => {
    const since = Date.now();
    sim.motion('gate', true);
    const { event, at } = await waitFor('a camera.motion event', () => {
      for (const m of consumer.events.filter((x) => x.at >= since)) {
        const e = (m.payload.events ?? []).find((x) => x.device === 'gate' && x.type === 'camera.motion' && (x.data as { state?: boolean }).state === true);
        if (e) return { event: e, at: m.at };
      }
      return undefined;
    });
    t.diagnostic(`motion started -> event with its snapshot on the broker: ${at - since} ms`);
    assert.equal(event.severity, 'warning');
    const data = event.data as { state: boolean; topic: string; snapshot?: { file: string; width: number; height: number; bytes: number }; snapshotError?: unknown };
    assert.equal(data.snapshotError, undefined, JSON.stringify(data.snapshotError));
    assert.ok(data.snapshot, 'the event references its snapshot');
    assert.deepEqual([data.snapshot.width, data.snapshot.height], [CAMERA.width, CAMERA.height]);
    const jpeg = await readFile(join(dir, 'data', 'snapshots', data.snapshot.file));
    assert.equal(jpeg.length, data.snapshot.bytes);
    assert.deepEqual(jpegSize(jpeg), { width: CAMERA.width, height: CAMERA.height });
    sim.motion('gate', false);
    await waitFor('the motion point back to false', () => readings('motion', since).find((r) => r.value === false));
  });

  it('moves the camera on a PTZ command from the platform, and refuses bad arguments by name', async () => {
    const ack = await consumer.command({ id: 'ptz-1', device: 'gate', command: 'ptz.absolute', args: { pan: 0.5, tilt: -0.25, speed: 1 } });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    await waitFor('the camera at the new position', () => {
      const p = sim.ptz('gate');
      return Math.abs(p.pan - 0.5) < 0.02 && Math.abs(p.tilt + 0.25) < 0.02 && !p.moving ? p : undefined;
    }, { timeout: 20_000 });
    await consumer.waitForReadings('the pan position as a reading', (r) => r.device === 'gate' && r.point === 'ptz.pan' && Math.abs((r.value as number) - 0.5) < 0.02);
    const bad = await consumer.command({ id: 'ptz-2', device: 'gate', command: 'ptz.absolute', args: { pan: 3, tilt: 0 } });
    assert.equal(bad.ok, false);
    assert.equal((bad.error as { code: string }).code, 'SG_COMMAND_REJECTED');
    assert.match((bad.error as { message: string }).message, /args\.pan/);
  });

  it('after the camera restarts, its events and its relayed stream come back on their own', async () => {
    await sim.close();
    const down = Date.now();
    await consumer.waitForReadings('the camera offline', (r) => r.device === 'gate' && r.point === 'online' && r.value === false && r.ts >= down, 1, 30_000);
    await consumer.waitForReadings('the stream down', (r) => r.device === 'gate' && r.point === 'stream.up' && r.value === false && r.ts >= down, 1, 30_000);
    sim = await startOnvifSimulator(simOptions);
    const back = Date.now();
    await consumer.waitForReadings('the camera online again', (r) => r.device === 'gate' && r.point === 'online' && r.value === true && r.ts >= back, 1, 60_000);
    await consumer.waitForReadings('the stream up again', (r) => r.device === 'gate' && r.point === 'stream.up' && r.value === true && r.ts >= back, 1, 60_000);
    assert.deepEqual(await probe(flvUrl), { codec: 'h264', width: CAMERA.width, height: CAMERA.height });
    // The event subscription is back: a new motion arrives.
    await waitFor('a motion event after the restart', async () => {
      if (cameraEvents('camera.motion', back).some((e) => (e.data as { state?: boolean }).state === true)) return true;
      sim.motion('gate'); // starts, ends a second later; repeated until the new subscription sees one
      return undefined;
    }, { timeout: 60_000, interval: 3000 });
  });

  it('never writes the camera password into its output, and everything published matches the feed schema', () => {
    assert.ok(!gateway.stdout().includes(PASSWORD) && !gateway.stderr().includes(PASSWORD), 'the camera password is not in the gateway\'s output');
    assert.deepEqual(feedSchemaProblems([...consumer.data, ...consumer.events, ...consumer.status]), []);
  });
});
