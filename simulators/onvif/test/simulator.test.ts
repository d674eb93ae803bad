// Whole simulated cameras: what an ONVIF client finds through the device service leads to a real
// H.264 stream and snapshot of the camera's size, behind the camera's login; and the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CliProcess, waitFor } from '@sensegate/sdk/testing';
import { startOnvifSimulator, type OnvifSimulator } from '../src/index.js';
import { jpegSize } from '../src/snapshot/jpeg.js';
import { markerAt, markerSize } from '../src/stream/ffmpeg-args.js';
import { call, connectCam } from './support/onvif-client.js';
import { FFMPEG, probe } from './support/tools.js';

/** The share of a snapshot's pixels inside the marker box at `at` that are marker red. */
async function redShare(sim: OnvifSimulator, id: string, at: { x: number; y: number }): Promise<number> {
  const jpeg = await sim.streams.snapshot(id);
  const { width, height } = jpegSize(jpeg)!;
  const rgb = await decode(jpeg);
  const box = markerSize({ width, height });
  let red = 0;
  for (let y = at.y + 2; y < at.y + box - 2; y++) {
    for (let x = at.x + 2; x < at.x + box - 2; x++) {
      const i = (y * width + x) * 3;
      if (rgb[i]! > 180 && rgb[i + 1]! < 90 && rgb[i + 2]! < 90) red++;
    }
  }
  return red / ((box - 4) * (box - 4));
}

/** A JPEG's pixels as RGB, decoded by ffmpeg. */
function decode(jpeg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG, ['-v', 'error', '-f', 'image2pipe', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg exited with ${code}`))));
    child.stdin.end(jpeg);
  });
}

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('startOnvifSimulator', () => {
  let sim: OnvifSimulator;
  before(async () => {
    sim = await startOnvifSimulator({
      cameras: [
        { width: 320, height: 240, fps: 10, manufacturer: 'Sensegate', model: 'SIM-100' },
        { width: 352, height: 288, fps: 10 },
      ],
      discovery: { multicast: false },
      credentials: { user: 'operator', password: 'pw1' },
    });
  });
  after(() => sim?.close());

  it('leads an ONVIF client from the device service to a stream of the camera\'s size', async () => {
    assert.deepEqual(sim.cameras.map((c) => c.id), ['cam1', 'cam2']);
    for (const camera of sim.cameras) {
      const cam = await connectCam(camera.deviceServiceUrl, 'operator', 'pw1');
      const { uri } = await call<{ uri: string }>(cam, 'getStreamUri', { protocol: 'RTSP' });
      assert.equal(uri, camera.rtspUrl);
      const withLogin = uri.replace('rtsp://', 'rtsp://operator:pw1@');
      const p = await probe(withLogin, { tcp: true });
      assert.equal(p.code, 0, p.stderr);
      assert.deepEqual(p.stream, { codec_name: 'h264', width: camera.width, height: camera.height });
    }
    const info = await call<{ manufacturer: string; model: string }>(await connectCam(sim.cameras[0]!.deviceServiceUrl, 'operator', 'pw1'), 'getDeviceInformation');
    assert.equal(info.manufacturer, 'Sensegate');
    assert.equal(info.model, 'SIM-100');
  });

  it('reports the position a PTZ move sends the camera to', async () => {
    const cam = await connectCam(sim.cameras[1]!.deviceServiceUrl, 'operator', 'pw1');
    assert.deepEqual(sim.ptz('cam2'), { pan: 0, tilt: 0, zoom: 0, moving: false });
    await call(cam, 'absoluteMove', { x: 0.1, y: -0.1, zoom: 0.05 });
    assert.equal(sim.ptz('cam2').moving, true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(sim.ptz('cam2'), { pan: 0.1, tilt: -0.1, zoom: 0.05, moving: false });
    assert.deepEqual(sim.ptz('cam1'), { pan: 0, tilt: 0, zoom: 0, moving: false }, 'the other camera did not move');
  });

  it('draws where the camera points: the marker box follows a PTZ move', async () => {
    const camera = sim.cameras[0]!;
    const cam = await connectCam(camera.deviceServiceUrl, 'operator', 'pw1');
    // The box starts in the middle of the picture.
    await waitFor('the marker in the middle', async () => (await redShare(sim, camera.id, markerAt(camera, 0, 0))) > 0.9 || undefined, { timeout: 10_000 });
    await call(cam, 'absoluteMove', { x: 1, y: 1, zoom: 0 });
    await waitFor('the move to end', () => !sim.ptz(camera.id).moving || undefined);
    // Pan +1, tilt +1: the top right corner, without the stream restarting.
    await waitFor('the marker in the top right', async () => (await redShare(sim, camera.id, markerAt(camera, 1, 1))) > 0.9 || undefined, { timeout: 10_000 });
    assert.ok((await redShare(sim, camera.id, markerAt(camera, 0, 0))) < 0.5, 'the middle is no longer the box');
    assert.equal(sim.streams.stats(camera.id).restarts, 0);
  });

  it('serves the snapshot URL the client finds, behind the same login', async () => {
    const camera = sim.cameras[1]!;
    const cam = await connectCam(camera.deviceServiceUrl, 'operator', 'pw1');
    const { uri } = await call<{ uri: string }>(cam, 'getSnapshotUri', {});
    assert.equal(uri, camera.snapshotUrl);
    assert.equal((await fetch(uri)).status, 401);
    const res = await fetch(uri, { headers: { authorization: `Basic ${Buffer.from('operator:pw1').toString('base64')}` } });
    assert.equal(res.status, 200);
    const jpeg = Buffer.from(await res.arrayBuffer());
    assert.deepEqual(jpegSize(jpeg), { width: 352, height: 288 });
  });
});

describe('sensegate-sim-onvif', () => {
  it('prints each camera\'s URLs, applies commands from stdin, and exits on SIGTERM', async (t) => {
    const cli = new CliProcess(CLI, ['--cameras', '2', '--size', '320x240', '--fps', '10', '--port', '0', '--rtsp-port', '0', '--http-port', '0', '--discovery-port', '0', '--no-multicast', '--user', 'alice:secret']);
    t.after(() => cli.kill());
    assert.match(await cli.line(/^onvif cameras running/), /^onvif cameras running: 2 \(320x240 at 10 fps\), login alice; WS-Discovery unicast on udp \d+; commands on stdin/);
    const cam1 = await cli.line(/^cam1:/);
    const m = /^cam1: device (http:\/\/127\.0\.0\.1:\d+\/onvif\/device_service) {2}stream (rtsp:\/\/127\.0\.0\.1:\d+\/cam1\/main) {2}snapshot (http:\/\/\S+)$/.exec(cam1);
    assert.ok(m, cam1);
    const cam = await connectCam(m[1]!, 'alice', 'secret');
    assert.equal((await call<{ uri: string }>(cam, 'getStreamUri', { protocol: 'RTSP' })).uri, m[2]);
    assert.match(await cli.command('status'), /^cam1: streaming, 0 viewers, 0 restarts; \d+ ONVIF requests, 0 refused; cam2: streaming/);
    assert.equal(await cli.command('authfail cam2 on'), 'cam2: logins refused');
    assert.equal(await cli.command('clock cam1 3600000'), 'cam1: clock +3600000 ms');
    assert.equal(await cli.command('ptz cam1'), 'cam1: pan 0.000 tilt 0.000 zoom 0.000, idle');
    assert.match(await cli.command('drop cam9 100'), /^error: drop needs a camera: cam1, cam2$/);
    assert.match(await cli.command('wobble'), /^error: unknown command "wobble"/);
    cli.signal('SIGTERM');
    assert.equal(await cli.exited(), 0);
  });

  it('names a wrong option, exit 2', async () => {
    const cli = new CliProcess(CLI, ['--size', 'big']);
    assert.equal(await cli.exited(), 2);
    assert.match(cli.err, /--size needs an even WIDTHxHEIGHT such as 1280x720, got "big"/);
  });
});
