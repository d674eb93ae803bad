// Two cameras in one process, looked at with the real ffmpeg tools: each stream is H.264 at its
// own size, over TCP and with ffprobe's default transport; two viewers play at once and are
// counted; snapshots are JPEGs of the stream's size; garbage on the RTSP port harms nobody.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { jpegSize, startCameraStreams, type CameraStreams } from '../src/index.js';
import { probe, SMALL, Viewer } from './support/tools.js';

const isJpeg = (bytes: Buffer) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes.at(-2) === 0xff && bytes.at(-1) === 0xd9;

describe('camera streams', () => {
  let streams: CameraStreams;

  before(async () => {
    const started = Date.now();
    streams = await startCameraStreams({
      cameras: [
        { id: 'gate', ...SMALL },
        { id: 'yard', width: 176, height: 144, fps: 25, bitrate: '200k' },
      ],
      rtspPort: 0,
    });
    // Resolved means publishing: a client can DESCRIBE right away.
    assert.ok(streams.stats('gate').publishing && streams.stats('yard').publishing, `started in ${Date.now() - started} ms`);
  });

  after(() => streams?.close());

  it('starts with every camera publishing, with its defaults filled in', () => {
    assert.deepEqual(streams.cameras, [
      { id: 'gate', width: 320, height: 240, fps: 25, bitrate: '134k', gop: 25 },
      { id: 'yard', width: 176, height: 144, fps: 25, bitrate: '200k', gop: 25 },
    ]);
    assert.equal(streams.rtspUrl('gate'), `rtsp://127.0.0.1:${streams.rtspPort}/gate/main`);
    assert.equal(streams.snapshotUrl('yard'), `http://127.0.0.1:${streams.httpPort}/snapshot/yard.jpg`);
    assert.throws(() => streams.rtspUrl('nope'), /no camera "nope"; cameras: gate, yard/);
    assert.deepEqual({ ...streams.stats('gate'), bytesOut: 0 }, { publishing: true, viewers: 0, bytesOut: 0, restarts: 0 });
  });

  it('ffprobe over TCP sees H.264 at each camera\'s size', async () => {
    const [gate, yard] = await Promise.all([probe(streams.rtspUrl('gate')), probe(streams.rtspUrl('yard'))]);
    assert.deepEqual(gate.stream, { codec_name: 'h264', width: 320, height: 240 }, gate.stderr);
    assert.deepEqual(yard.stream, { codec_name: 'h264', width: 176, height: 144 }, yard.stderr);
  });

  it('ffprobe with its default transport is refused UDP (461) and falls back to TCP', async () => {
    const result = await probe(streams.rtspUrl('gate'), { tcp: false });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stream, { codec_name: 'h264', width: 320, height: 240 });
    // ffmpeg 5.1 logs the refusal at error level before it retries with TCP.
    assert.match(result.stderr, /^(\[rtsp @ \w+\] method SETUP failed: 461 Unsupported Transport\n)?$/);
  });

  it('two viewers play at once, both decode frames, and stats count them', async (t) => {
    const bytesBefore = streams.stats('gate').bytesOut;
    const first = new Viewer(t, streams.rtspUrl('gate'));
    const second = new Viewer(t, streams.rtspUrl('gate'));
    await waitFor('two viewers', () => streams.stats('gate').viewers === 2);
    await Promise.all([first.decoded(30), second.decoded(30)]);
    assert.equal(streams.stats('yard').viewers, 0);
    assert.ok(streams.stats('gate').bytesOut > bytesBefore);
    await first.stop();
    await waitFor('one viewer left', () => streams.stats('gate').viewers === 1);
    const frames = second.frames;
    await second.decoded(frames + 10);
    await second.stop();
    await waitFor('no viewer left', () => streams.stats('gate').viewers === 0);
  });

  it('snapshots are whole JPEGs of the stream\'s size, from the library and over HTTP', async () => {
    const jpeg = await streams.snapshot('yard');
    assert.ok(isJpeg(jpeg));
    assert.deepEqual(jpegSize(jpeg), { width: 176, height: 144 });

    const started = Date.now();
    const response = await fetch(streams.snapshotUrl('gate'));
    const latency = Date.now() - started;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    const body = Buffer.from(await response.arrayBuffer());
    assert.ok(isJpeg(body));
    assert.deepEqual(jpegSize(body), { width: 320, height: 240 });
    assert.ok(latency < 1000, `a snapshot took ${latency} ms`);
  });

  it('answers 404 for an unknown camera or path, 405 for other methods', async () => {
    const base = `http://127.0.0.1:${streams.httpPort}`;
    const unknown = await fetch(`${base}/snapshot/nope.jpg`);
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /no camera "nope"/);
    assert.equal((await fetch(`${base}/snapshot/gate.png`)).status, 404);
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(streams.snapshotUrl('gate'), { method: 'POST' })).status, 405);
    await assert.rejects(streams.snapshot('nope'), /no camera "nope"/);
  });

  it('garbage on the RTSP port gets 400 and a closed socket; the streams go on', async () => {
    const socket = connect(streams.rtspPort, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not rtsp at all\r\n\r\n', 'latin1'));
    await closed;
    assert.match(answer, /^RTSP\/1\.0 400 Bad Request\r\n/);
    assert.ok(streams.stats('gate').publishing);
    const result = await probe(streams.rtspUrl('gate'));
    assert.deepEqual(result.stream, { codec_name: 'h264', width: 320, height: 240 });
  });
});
