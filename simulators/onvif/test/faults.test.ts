// A camera's stream fails, on demand and by accident: dropStream takes it down (viewers cut off,
// DESCRIBE and snapshots answer 503) and it comes back by itself; an encoder that dies is
// restarted; an encoder that cannot start says why; close leaves no ffmpeg behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SensegateError } from '@sensegate/sdk';
import { createTestContext, waitFor } from '@sensegate/sdk/testing';
import { startCameraStreams, type CameraStreams } from '../src/index.js';
import { probe, SMALL, startStreams, Viewer } from './support/tools.js';

/** Pids of the ffmpeg publishing to this RTSP port and camera (its command line holds the publish URL). */
async function encoderPids(port: number, id: string): Promise<number[]> {
  try {
    const { stdout } = await promisify(execFile)('pgrep', ['-f', `:${port}/${id}/main`]);
    return stdout.split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('stream faults', () => {
  let streams: CameraStreams;
  const context = createTestContext();

  before(async () => {
    streams = await startCameraStreams({ cameras: [{ id: 'dock', ...SMALL }], rtspPort: 0, log: context.log });
  });

  after(() => streams?.close());

  it('dropStream: viewers are cut off, probes and snapshots fail, then the stream comes back by itself', async (t) => {
    const viewer = new Viewer(t, streams.rtspUrl('dock'));
    await viewer.decoded(5);
    assert.equal(streams.stats('dock').viewers, 1);

    await streams.dropStream('dock', 1500);
    assert.deepEqual({ ...streams.stats('dock'), bytesOut: 0 }, { publishing: false, viewers: 0, bytesOut: 0, restarts: 0 });
    await viewer.exited();

    const during = await probe(streams.rtspUrl('dock'));
    assert.notEqual(during.code, 0);
    assert.match(during.stderr, /503 Service Unavailable/);
    const snapshot = await fetch(streams.snapshotUrl('dock'));
    assert.equal(snapshot.status, 503);
    assert.match(await snapshot.text(), /camera "dock": the stream is down \(the stream was dropped on purpose \(dropStream\) for 1500 ms\)/);
    await assert.rejects(streams.snapshot('dock'), (err: unknown) => err instanceof SensegateError && err.code === 'SG_NOT_CONNECTED');

    await waitFor('the stream to come back', () => streams.stats('dock').publishing, { timeout: 10_000 });
    assert.equal(streams.stats('dock').restarts, 1);
    const after = await probe(streams.rtspUrl('dock'));
    assert.deepEqual(after.stream, { codec_name: 'h264', width: 320, height: 240 }, after.stderr);
    assert.equal((await fetch(streams.snapshotUrl('dock'))).status, 200);
  });

  it('an encoder that dies is restarted, and its exit is logged', async () => {
    const [pid] = await encoderPids(streams.rtspPort, 'dock');
    assert.ok(pid, 'the encoder runs');
    process.kill(pid, 'SIGKILL');
    await waitFor('the encoder to be restarted', () => streams.stats('dock').restarts === 2);
    await waitFor('the stream to come back', () => streams.stats('dock').publishing, { timeout: 10_000 });
    assert.notDeepEqual(await encoderPids(streams.rtspPort, 'dock'), [pid]);
    const logged = context.logs.find((l) => l.level === 'warn' && l.message === 'encoder exited; restarting');
    assert.equal(logged?.fields.camera, 'dock');
    assert.equal(logged?.fields.signal, 'SIGKILL');
    const result = await probe(streams.rtspUrl('dock'));
    assert.equal(result.stream?.codec_name, 'h264', result.stderr);
  });

  it('refuses a bad drop duration or camera', async () => {
    await assert.rejects(streams.dropStream('dock', -1), /dropStream needs a duration in ms from 0, got -1/);
    await assert.rejects(streams.dropStream('nope', 10), /no camera "nope"/);
  });
});

describe('starting and closing', () => {
  it('an ffmpeg that cannot start fails the start, naming the camera and quoting its stderr', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sensegate-fake-ffmpeg-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const fake = join(dir, 'ffmpeg');
    await writeFile(fake, '#!/bin/sh\necho "Unknown encoder \'libx264\'" >&2\nexit 1\n');
    await chmod(fake, 0o755);
    await assert.rejects(startCameraStreams({ cameras: [{ id: 'porch', ...SMALL }], rtspPort: 0, ffmpeg: fake }), (err: Error) => {
      assert.match(err.message, /^camera "porch": ffmpeg exited with code 1 before publishing its stream; its last stderr lines:\nUnknown encoder 'libx264'$/);
      return true;
    });
  });

  it('checks options before starting anything', async () => {
    const usage = (pattern: RegExp) => (err: unknown) => err instanceof SensegateError && err.code === 'SG_USAGE' && pattern.test(err.message);
    await assert.rejects(startCameraStreams({ cameras: [] }), usage(/cameras must list at least one camera/));
    await assert.rejects(startCameraStreams({ cameras: [{ id: 'a/b' }] }), usage(/camera id must be 1 to 64 letters/));
    await assert.rejects(startCameraStreams({ cameras: [{ id: 'a' }, { id: 'a' }] }), usage(/camera id "a" is used twice/));
    await assert.rejects(startCameraStreams({ cameras: [{ id: 'a', width: 321 }] }), usage(/camera "a": width must be an even number from 16 to 4096, got 321/));
    await assert.rejects(startCameraStreams({ cameras: [{ id: 'a', bitrate: 'fast' }] }), usage(/camera "a": bitrate must be/));
    await assert.rejects(startCameraStreams({ cameras: [{ id: 'a' }], rtspPort: 70000 }), usage(/rtspPort must be a port number/));
  });

  it('close stops every encoder and both servers', async (t) => {
    const streams = await startStreams(t, { cameras: [{ id: 'c1', ...SMALL }, { id: 'c2', ...SMALL }] });
    assert.equal((await encoderPids(streams.rtspPort, 'c1')).length, 1);
    assert.equal((await encoderPids(streams.rtspPort, 'c2')).length, 1);
    await streams.close();
    assert.deepEqual([...(await encoderPids(streams.rtspPort, 'c1')), ...(await encoderPids(streams.rtspPort, 'c2'))], []);
    const result = await probe(streams.rtspUrl('c1'));
    assert.match(result.stderr, /Connection refused/);
    await assert.rejects(fetch(streams.snapshotUrl('c1')));
    await streams.close(); // twice is fine
  });
});
