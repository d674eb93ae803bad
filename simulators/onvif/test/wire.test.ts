// The pieces under the server, byte by byte: requests and interleaved frames cut anywhere, the
// Transport header, JPEGs split from ffmpeg's pipe, and what happens to a player that stalls.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { RtspReader, type Incoming } from '../src/rtsp/message.js';
import { RtspSession, PLAYER_HIGH_WATER, PLAYER_STALL_MS } from '../src/rtsp/session.js';
import { chooseInterleaved } from '../src/rtsp/transport.js';
import { JpegSplitter, jpegSize } from '../src/snapshot/jpeg.js';

describe('reading RTSP', () => {
  const bytes = Buffer.concat([
    Buffer.from('OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n'),
    Buffer.from([0x24, 1, 0, 3, 7, 8, 9]),
    Buffer.from('ANNOUNCE rtsp://h/cam/main RTSP/1.0\nCSeq: 2\nContent-Type: application/sdp\nContent-Length: 5\n\nv=0\r\n'),
  ]);
  const summary = (items: Incoming[]) =>
    items.map((i) => (i.kind === 'request' ? `${i.request.method} ${i.request.headers.get('cseq')} ${i.request.body}` : i.kind === 'interleaved' ? `$${i.channel}:${[...i.data]}` : i.status));

  it('reads requests, bodies and interleaved frames however the bytes are cut', () => {
    const whole = summary(new RtspReader().push(bytes));
    assert.deepEqual(whole, ['OPTIONS 1 ', '$1:7,8,9', 'ANNOUNCE 2 v=0\r\n']);
    for (let cut = 1; cut < bytes.length; cut++) {
      const reader = new RtspReader();
      assert.deepEqual([...summary(reader.push(bytes.subarray(0, cut))), ...summary(reader.push(bytes.subarray(cut)))], whole, `cut at ${cut}`);
    }
    const oneByOne = new RtspReader();
    assert.deepEqual([...bytes].flatMap((b) => summary(oneByOne.push(Buffer.from([b])))), whole);
  });

  it('turns anything else into one 400 (or 413) and reads no further', () => {
    const reader = new RtspReader();
    assert.deepEqual(summary(reader.push(Buffer.from('hello there\r\nOPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n'))), [400]);
    assert.deepEqual(reader.push(Buffer.from('OPTIONS * RTSP/1.0\r\nCSeq: 2\r\n\r\n')), []);
    assert.deepEqual(summary(new RtspReader().push(Buffer.from('OPTIONS * RTSP/1.0\r\nno colon\r\n\r\n'))), [400]);
    assert.deepEqual(summary(new RtspReader().push(Buffer.from('ANNOUNCE * RTSP/1.0\r\nContent-Length: 99999999\r\n\r\n'))), [413]);
  });
});

describe('the Transport header', () => {
  it('takes the first TCP offer, its channels or the ones given, and refuses UDP alone', () => {
    const free = { rtp: 2, rtcp: 3 };
    assert.deepEqual(chooseInterleaved('RTP/AVP/TCP;unicast;interleaved=0-1', free), { rtp: 0, rtcp: 1, record: false });
    assert.deepEqual(chooseInterleaved('RTP/AVP/TCP;unicast;interleaved=0-1;mode=record', free), { rtp: 0, rtcp: 1, record: true });
    assert.deepEqual(chooseInterleaved('RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast', free), { rtp: 2, rtcp: 3, record: false });
    assert.equal(chooseInterleaved('RTP/AVP;unicast;client_port=5000-5001', free), undefined);
    assert.equal(chooseInterleaved('RTP/AVP/UDP;multicast', free), undefined);
  });
});

describe('JPEGs from a pipe', () => {
  // SOI, a table whose bytes contain FF D9, SOF0 (240 x 320), SOS, scan data with stuffing and RST, EOI.
  const jpeg = Buffer.from([
    0xff, 0xd8,
    0xff, 0xdb, 0x00, 0x06, 0xff, 0xd9, 0x00, 0x01,
    0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0xf0, 0x01, 0x40, 0x01, 0x01, 0x11, 0x00,
    0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00,
    0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56,
    0xff, 0xd9,
  ]);

  it('splits concatenated JPEGs wherever the chunks end, and reads their size', () => {
    const stream = Buffer.concat([jpeg, jpeg, jpeg]);
    for (let cut = 1; cut < stream.length; cut += 3) {
      const splitter = new JpegSplitter();
      const out = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut))];
      assert.deepEqual(out, [jpeg, jpeg, jpeg], `cut at ${cut}`);
    }
    assert.deepEqual(jpegSize(jpeg), { width: 320, height: 240 });
  });

  it('skips bytes that are not a JPEG', () => {
    assert.deepEqual(new JpegSplitter().push(Buffer.concat([Buffer.from('noise'), jpeg])), [jpeg]);
  });
});

describe('a player that stalls', () => {
  it('loses packets while its buffer is full, restarts at a keyframe, and is disconnected after a while', (t) => {
    let queued = 0;
    const sent: number[] = [];
    let closed = '';
    const session = new RtspSession('player', '/cam/main', {
      get queued() {
        return queued;
      },
      sendInterleaved: (_channel, data) => (sent.push(data[0]!), true),
      close: (reason) => (closed = reason),
    });
    session.tracks.set(0, { rtp: 0, rtcp: 1, record: false });
    session.startPlaying();
    const now = mock.method(Date, 'now', () => 1000);
    t.after(() => now.mock.restore());

    session.deliver(0, Buffer.from([1]), false, true, false);
    assert.deepEqual(sent, [], 'a new player starts at a keyframe');
    session.deliver(0, Buffer.from([2]), false, true, true);
    session.deliver(0, Buffer.from([3]), false, true, false);
    queued = PLAYER_HIGH_WATER + 1;
    session.deliver(0, Buffer.from([4]), false, true, false);
    queued = 0;
    session.deliver(0, Buffer.from([5]), false, true, false);
    session.deliver(0, Buffer.from([6]), false, true, true);
    assert.deepEqual(sent, [2, 3, 6]);
    assert.equal(session.dropped, 1);

    queued = PLAYER_HIGH_WATER + 1;
    session.deliver(0, Buffer.from([7]), false, true, true);
    now.mock.mockImplementation(() => 1000 + PLAYER_STALL_MS + 1);
    session.deliver(0, Buffer.from([8]), false, true, true);
    assert.match(closed, /took nothing for 10 s/);
  });
});
