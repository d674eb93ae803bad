// The RTSP server on its own, spoken to byte by byte: a local publisher pushes RTP like the
// encoder does, players pull it, and the answers to everything else (garbage, UDP, unknown paths
// and sessions, idle sessions, a silent publisher, a player that stops reading) are checked.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { RtspServer } from '../src/index.js';
import { basicAuthorization, idr, RawRtsp, rtpPacket, SDP, slice } from './support/rtsp-client.js';

const PATH = '/cam1/main';

/** The encoder account and URL the server hands its local encoder. */
function publisherOf(server: RtspServer): { url: string; account: { user: string; password: string } } {
  const url = new URL(server.publishUrl(PATH));
  return { url: server.url(PATH), account: { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } };
}

/** A raw publisher that has announced, set up channels 0-1 and is recording. */
async function publish(t: TestContext, server: RtspServer): Promise<RawRtsp> {
  const { url, account } = publisherOf(server);
  const client = await RawRtsp.open(t, server.port);
  const auth = basicAuthorization(account);
  assert.equal((await client.request('ANNOUNCE', url, { 'Content-Type': 'application/sdp', Authorization: auth }, SDP)).status, 200);
  const setup = await client.request('SETUP', `${url}/streamid=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record', Authorization: auth });
  assert.equal(setup.status, 200);
  const session = setup.header('session')!.split(';')[0]!;
  assert.equal((await client.request('RECORD', url, { Session: session, Authorization: auth })).status, 200);
  return client;
}

/** A raw player that has set up track 0 over TCP and is playing. */
async function play(t: TestContext, server: RtspServer): Promise<{ client: RawRtsp; rtpInfo: string | undefined }> {
  const client = await RawRtsp.open(t, server.port);
  const describe = await client.request('DESCRIBE', server.url(PATH), { Accept: 'application/sdp' });
  assert.equal(describe.status, 200, describe.body);
  const base = describe.header('content-base')!;
  const setup = await client.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  assert.equal(setup.status, 200, setup.body);
  const session = setup.header('session')!.split(';')[0]!;
  const played = await client.request('PLAY', base, { Session: session, Range: 'npt=0.000-' });
  assert.equal(played.status, 200, played.body);
  return { client, rtpInfo: played.header('rtp-info') };
}

/** A publisher's packet source: 60 KB frames, a keyframe every 50; `sent()` counts them. */
function packets(publisher: RawRtsp) {
  let seq = 0;
  return {
    send(n: number) {
      for (let i = 0; i < n; i++, seq++) publisher.interleave(0, rtpPacket(seq, seq * 100, seq % 50 === 0 ? idr(60_000) : slice(60_000)));
    },
    sent: () => seq,
  };
}

const seqs = (client: RawRtsp) => client.frames.filter((f) => f.channel === 0).map((f) => f.data.readUInt16BE(2));

describe('the RTSP server', () => {
  let server: RtspServer;

  before(async () => {
    // A loaded machine can take longer than the default 10 s to push the slow-player test's 36 MB;
    // the stuck player must lose packets there, not be disconnected.
    server = await RtspServer.start({ port: 0, playerStallTimeout: 120_000 });
    server.addStream(PATH);
  });

  after(() => server.close());

  it('answers OPTIONS with the methods it supports', async (t) => {
    const client = await RawRtsp.open(t, server.port);
    const response = await client.request('OPTIONS', '*');
    assert.equal(response.status, 200);
    assert.equal(response.header('cseq'), '1');
    assert.deepEqual(response.header('public')!.split(', '), ['OPTIONS', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'RECORD', 'GET_PARAMETER', 'SET_PARAMETER', 'TEARDOWN']);
  });

  it('answers 404 for a path it does not serve, 503 with a reason for a stream nobody publishes', async (t) => {
    const client = await RawRtsp.open(t, server.port);
    const unknown = await client.request('DESCRIBE', `rtsp://127.0.0.1:${server.port}/nope/main`);
    assert.equal(unknown.status, 404);
    const down = await client.request('DESCRIBE', server.url(PATH));
    assert.equal(down.status, 503);
    assert.match(down.body, /\/cam1\/main is not publishing: no encoder has published it yet/);
  });

  it('takes a publisher only with the encoder account, and one at a time', async (t) => {
    const stranger = await RawRtsp.open(t, server.port);
    const refused = await stranger.request('ANNOUNCE', server.url(PATH), { 'Content-Type': 'application/sdp' }, SDP);
    assert.equal(refused.status, 401);
    assert.deepEqual(
      refused.headers.get('www-authenticate')!.map((v) => v.split(' ')[0]),
      ['Digest', 'Basic'],
    );
    const wrong = await stranger.request('ANNOUNCE', server.url(PATH), { 'Content-Type': 'application/sdp', Authorization: basicAuthorization({ user: 'sensegate-encoder', password: 'guess' }) }, SDP);
    assert.equal(wrong.status, 401);

    const publisher = await publish(t, server);
    const second = await RawRtsp.open(t, server.port);
    const busy = await second.request('ANNOUNCE', server.url(PATH), { 'Content-Type': 'application/sdp', Authorization: basicAuthorization(publisherOf(server).account) }, SDP);
    assert.equal(busy.status, 455);
    assert.match(busy.body, /already has a publisher/);
    publisher.socket.destroy();
    await waitFor('the stream to lose its publisher', () => !server.stream(PATH)!.hasPublisher());
  });

  it('relays the packets unchanged to players, starting at the last keyframe', async (t) => {
    const publisher = await publish(t, server);
    publisher.interleave(0, rtpPacket(1, 1000, slice())); // before any keyframe: nobody could decode it
    publisher.interleave(0, rtpPacket(2, 2000, idr()));
    publisher.interleave(0, rtpPacket(3, 3000, slice()));
    await waitFor('the stream to publish', () => server.stream(PATH)!.publishing);

    const client = await RawRtsp.open(t, server.port);
    const described = await client.request('DESCRIBE', server.url(PATH));
    assert.equal(described.status, 200);
    assert.equal(described.header('content-type'), 'application/sdp');
    assert.equal(described.header('content-base'), `${server.url(PATH)}/`);
    assert.match(described.body, /a=control:\*\r\n/);
    assert.match(described.body, /m=video 0 RTP\/AVP 96\r\na=rtpmap:96 H264\/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:trackID=0\r\n/);

    const base = described.header('content-base')!;
    const udp = await client.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP;unicast;client_port=5000-5001' });
    assert.equal(udp.status, 461);
    const setup = await client.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=4-5' });
    assert.equal(setup.status, 200);
    assert.equal(setup.header('transport'), 'RTP/AVP/TCP;unicast;interleaved=4-5');
    assert.match(setup.header('session')!, /^[0-9a-f]{16};timeout=60$/);
    const session = setup.header('session')!.split(';')[0]!;
    const played = await client.request('PLAY', base, { Session: session });
    assert.equal(played.status, 200);
    assert.equal(played.header('rtp-info'), `url=${base}trackID=0;seq=2;rtptime=2000`);

    publisher.interleave(0, rtpPacket(4, 4000, slice()));
    publisher.interleave(1, Buffer.from([0x80, 200, 0, 6, ...Buffer.alloc(24)])); // a sender report
    await waitFor('four frames', () => client.frames.length >= 4);
    assert.deepEqual(client.frames.map((f) => f.channel), [4, 4, 4, 5]);
    assert.deepEqual(client.frames[0]!.data, rtpPacket(2, 2000, idr()));
    assert.deepEqual(client.frames[2]!.data, rtpPacket(4, 4000, slice()));
    assert.equal(server.stream(PATH)!.viewers, 1);

    assert.equal((await client.request('GET_PARAMETER', base, { Session: session })).status, 200);
    assert.equal((await client.request('TEARDOWN', base, { Session: session })).status, 200);
    assert.equal(server.stream(PATH)!.viewers, 0);
    publisher.socket.destroy();
    await waitFor('the stream to go down', () => !server.stream(PATH)!.publishing);
  });

  it('a player that stops reading loses packets up to a keyframe; the others get every one', async (t) => {
    const publisher = await publish(t, server);
    const { send, sent } = packets(publisher);
    send(1);
    await waitFor('the stream to publish', () => server.stream(PATH)!.publishing);
    const reader = await play(t, server);
    const stuck = await play(t, server);
    stuck.client.socket.pause();
    // 36 MB, more than the kernel buffers and the stuck player's high-water mark, paced by the
    // reading player as a live stream would be.
    while (sent() < 600) {
      send(Math.min(5, 600 - sent()));
      await waitFor(`the reading player to get ${sent()} packets`, () => seqs(reader.client).length >= sent() || undefined, { interval: 2 });
    }
    assert.deepEqual(seqs(reader.client), Array.from({ length: 600 }, (_, i) => i));

    // Once it reads again and its backlog drains, the live packets reach it again; how soon depends
    // on the machine, so the stream goes on (a packet every 20 ms) until they do.
    stuck.client.socket.resume();
    await waitFor(
      'the stuck player to catch up with the live stream',
      async () => {
        send(1);
        await delay(20);
        return (seqs(stuck.client).at(-1) ?? 0) >= 600 || undefined;
      },
      { timeout: 30_000 },
    );
    await waitFor('the reader to have every packet', () => seqs(reader.client).length >= sent() || undefined);
    const got = seqs(stuck.client);
    const gap = got.findIndex((s, i) => i > 0 && s !== got[i - 1]! + 1);
    assert.ok(gap > 0, 'the stuck player lost packets');
    assert.ok(got.length < sent());
    assert.deepEqual(seqs(reader.client), Array.from({ length: sent() }, (_, i) => i), 'the reading player lost none');
    assert.equal(got[gap]! % 50, 0, `after the gap it resumes at a keyframe (seq ${got[gap]})`);
    publisher.socket.destroy();
    await waitFor('the players to be disconnected', () => reader.client.closed && stuck.client.closed);
  });

  it('disconnects a player that takes nothing for the stall timeout, and only that one', async (t) => {
    const quick = await RtspServer.start({ port: 0, playerStallTimeout: 300 });
    t.after(() => quick.close());
    quick.addStream(PATH);
    const publisher = await publish(t, quick);
    const { send, sent } = packets(publisher);
    send(1);
    await waitFor('the stream to publish', () => quick.stream(PATH)!.publishing);
    const reader = await play(t, quick);
    const stuck = await play(t, quick);
    stuck.client.socket.pause();
    assert.equal(quick.stream(PATH)!.viewers, 2);
    // Keep sending, paced by the reading player, until the stuck one has lagged past the timeout.
    await waitFor('the stuck player to be disconnected', async () => {
      send(5);
      await waitFor('the reader', () => seqs(reader.client).length >= sent() || undefined, { interval: 2 });
      return quick.stream(PATH)!.viewers === 1 || (await delay(20), undefined);
    }, { timeout: 30_000 });
    assert.equal(reader.client.closed, false, 'the reading player stays');
    stuck.client.socket.resume();
    await waitFor('the stuck player to see its connection closed', () => stuck.client.closed);
  });

  it('drops a publisher that goes silent, and its players with it', async (t) => {
    const quick = await RtspServer.start({ port: 0, publisherTimeout: 300 });
    t.after(() => quick.close());
    quick.addStream(PATH);
    const publisher = await publish(t, quick);
    publisher.interleave(0, rtpPacket(1, 1000, idr()));
    await waitFor('the stream to publish', () => quick.stream(PATH)!.publishing);
    const { client } = await play(t, quick);
    await publisher.whenClosed();
    await client.whenClosed();
    const again = await RawRtsp.open(t, quick.port);
    const down = await again.request('DESCRIBE', quick.url(PATH));
    assert.equal(down.status, 503);
    assert.match(down.body, /the encoder sent nothing for 300 ms/);
  });

  it('ends sessions left idle, and closes connections that do nothing', async (t) => {
    const quick = await RtspServer.start({ port: 0, sessionTimeout: 1 });
    t.after(() => quick.close());
    quick.addStream(PATH);
    const publisher = await publish(t, quick);
    publisher.interleave(0, rtpPacket(1, 1000, idr()));
    await waitFor('the stream to publish', () => quick.stream(PATH)!.publishing);
    const client = await RawRtsp.open(t, quick.port);
    const setup = await client.request('SETUP', `${quick.url(PATH)}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    assert.equal(setup.header('session'), `${setup.header('session')!.split(';')[0]};timeout=1`);
    // Keep the connection busy without touching the session.
    for (let i = 0; i < 6; i++) {
      await delay(400);
      publisher.interleave(0, rtpPacket(2 + i, 2000 + i, slice()));
      assert.equal((await client.request('OPTIONS', '*')).status, 200);
    }
    const played = await client.request('PLAY', quick.url(PATH), { Session: setup.header('session')!.split(';')[0]! });
    assert.equal(played.status, 454);
    await client.whenClosed();
  });

  it('answers garbage with 400 and closes only that connection', async (t) => {
    const bystander = await RawRtsp.open(t, server.port);
    for (const garbage of [Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x0d, 0x0a]), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'A'.repeat(5000), `OPTIONS * RTSP/1.0\r\n${'X-Long: y\r\n'.repeat(2000)}\r\n`]) {
      const client = await RawRtsp.open(t, server.port);
      client.send(garbage);
      const response = await client.next();
      assert.equal(response.status, 400);
      await client.whenClosed();
    }
    assert.equal((await bystander.request('OPTIONS', '*')).status, 200);
  });

  it('answers 400 without CSeq, 505 to other versions, 501 to unknown methods, 454 to unknown sessions', async (t) => {
    const client = await RawRtsp.open(t, server.port);
    client.send('OPTIONS * RTSP/1.0\r\n\r\n');
    assert.equal((await client.next()).status, 400);
    const other = await RawRtsp.open(t, server.port);
    other.send('OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n');
    assert.equal((await other.next()).status, 505);
    assert.equal((await other.request('REDIRECT', server.url(PATH))).status, 501);
    assert.equal((await other.request('PLAY', server.url(PATH), { Session: 'feedfeedfeedfeed' })).status, 454);
    assert.equal((await other.request('TEARDOWN', server.url(PATH))).status, 454);
    assert.equal((await other.request('OPTIONS', '*')).status, 200, 'the connection goes on after refusals');
  });
});
