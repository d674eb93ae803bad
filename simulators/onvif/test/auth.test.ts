// Cameras with an account: RTSP wants Digest or Basic, the snapshot server Basic or Digest, as
// real cameras do. ffprobe with the account in the URL gets in; without it, or with a wrong
// password, it gets 401.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jpegSize, startCameraStreams, type CameraStreams } from '../src/index.js';
import { basicAuthorization, digestAuthorization, RawRtsp } from './support/rtsp-client.js';
import { probe, SMALL } from './support/tools.js';

const ACCOUNT = { user: 'admin', password: 'p@ss:word 1' };
const withAccount = (url: string, user: string, password: string) =>
  url.replace('rtsp://', `rtsp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`);

describe('credentials', () => {
  let streams: CameraStreams;

  before(async () => {
    streams = await startCameraStreams({ cameras: [{ id: 'lobby', ...SMALL }], rtspPort: 0, credentials: ACCOUNT });
  });

  after(() => streams?.close());

  it('RTSP without the account gets 401, with a wrong password too', async () => {
    const none = await probe(streams.rtspUrl('lobby'));
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /401 Unauthorized/);
    const wrong = await probe(withAccount(streams.rtspUrl('lobby'), ACCOUNT.user, 'nope'));
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /401 Unauthorized/);
  });

  it('ffprobe with the account in the URL plays the stream', async () => {
    const result = await probe(withAccount(streams.rtspUrl('lobby'), ACCOUNT.user, ACCOUNT.password));
    assert.deepEqual(result.stream, { codec_name: 'h264', width: 320, height: 240 }, result.stderr);
  });

  it('RTSP offers Digest and Basic, and takes either', async (t) => {
    const url = streams.rtspUrl('lobby');
    const client = await RawRtsp.open(t, streams.rtspPort);
    const challenge = await client.request('DESCRIBE', url);
    assert.equal(challenge.status, 401);
    const offers = challenge.headers.get('www-authenticate')!;
    assert.match(offers[0]!, /^Digest realm="sensegate", nonce="[0-9a-f]+", algorithm=MD5$/);
    assert.equal(offers[1], 'Basic realm="sensegate"');
    const digest = await client.request('DESCRIBE', url, { Authorization: digestAuthorization(offers[0]!, ACCOUNT, 'DESCRIBE', url) });
    assert.equal(digest.status, 200, digest.body);

    const other = await RawRtsp.open(t, streams.rtspPort);
    assert.equal((await other.request('DESCRIBE', url, { Authorization: basicAuthorization(ACCOUNT) })).status, 200);
    const forged = await RawRtsp.open(t, streams.rtspPort);
    const made = digestAuthorization(offers[0]!.replace(/nonce="[0-9a-f]+"/, `nonce="${'0'.repeat(56)}"`), ACCOUNT, 'DESCRIBE', url);
    assert.equal((await forged.request('DESCRIBE', url, { Authorization: made })).status, 401, 'a nonce the server did not issue');
  });

  it('snapshots want Basic or Digest', async () => {
    const url = streams.snapshotUrl('lobby');
    const none = await fetch(url);
    assert.equal(none.status, 401);
    const offers = none.headers.get('www-authenticate')!;
    assert.match(offers, /^Digest realm="sensegate", nonce="[0-9a-f]+", algorithm=MD5, qop="auth", Basic realm="sensegate"$/);

    const basic = await fetch(url, { headers: { Authorization: basicAuthorization(ACCOUNT) } });
    assert.equal(basic.status, 200);
    assert.deepEqual(jpegSize(Buffer.from(await basic.arrayBuffer())), { width: 320, height: 240 });

    const path = new URL(url).pathname;
    const digest = await fetch(url, { headers: { Authorization: digestAuthorization(offers.split(', Basic')[0]!, ACCOUNT, 'GET', path) } });
    assert.equal(digest.status, 200);
    assert.equal(digest.headers.get('content-type'), 'image/jpeg');

    const wrong = await fetch(url, { headers: { Authorization: basicAuthorization({ user: ACCOUNT.user, password: 'nope' }) } });
    assert.equal(wrong.status, 401);
  });
});
