// A camera (or whatever answers at its address) asks for the password in Basic, over plain HTTP or
// RTSP, where anyone on the site network can read it; or just reads the request lines, where the
// relay's library used to put the stream URL with its password. Written here: a snapshot web server and an
// RTSP server that record every Authorization header they get. Neither the snapshot fetch, nor a
// frame grab by ffmpeg, nor the relay's RTSP login may send the password in Basic unless the
// camera's configuration allows it; offered Digest and Basic, they answer Digest.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SensegateError, resolveFfmpeg, urlWithCredentials } from '@sensegate/sdk';
import { createTestContext, waitFor } from '@sensegate/sdk/testing';
import { VideoRelay } from '../src/video/relay/index.js';
import { fetchSnapshot, grabFrame } from '../src/video/snapshots/index.js';

const ACCOUNT = { user: 'operator', password: 'Cam-S3cret-4u' };
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);

const isBasicWithPassword = (header: string | undefined) => header !== undefined && /^basic /i.test(header) && Buffer.from(header.slice(6).trim(), 'base64').toString('utf8').includes(ACCOUNT.password);

/** A snapshot web server that asks for Basic only, and serves a JPEG to the right Basic login. */
async function basicSnapshotServer(): Promise<{ url: string; authorizations: Array<string | undefined>; close(): Promise<void> }> {
  const authorizations: Array<string | undefined> = [];
  const server = createHttpServer((req, res) => {
    authorizations.push(req.headers.authorization);
    if (isBasicWithPassword(req.headers.authorization)) return res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(JPEG);
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="camera"' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/snapshot.jpg`,
    authorizations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An RTSP server that answers every request with a 401 offering `challenges`, recording each Authorization. */
async function challengingRtspServer(challenges: string[]): Promise<{ url: string; requests: Array<{ method: string; authorization: string | undefined; head: string }>; close(): Promise<void> }> {
  const requests: Array<{ method: string; authorization: string | undefined; head: string }> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      for (let end = text.indexOf('\r\n\r\n'); end !== -1; end = text.indexOf('\r\n\r\n')) {
        const head = text.slice(0, end);
        text = text.slice(end + 4);
        const cseq = /^CSeq:\s*(\d+)/im.exec(head)?.[1] ?? '0';
        requests.push({ method: head.split(' ')[0]!, authorization: /^Authorization:\s*(.+)$/im.exec(head)?.[1], head });
        socket.write(`RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\n${challenges.map((c) => `WWW-Authenticate: ${c}\r\n`).join('')}\r\n`);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `rtsp://127.0.0.1:${(server.address() as AddressInfo).port}/main`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const DIGEST = 'Digest realm="camera", nonce="0a4f113b9c8d", algorithm=MD5';
const BASIC = 'Basic realm="camera"';

describe('the camera account is never sent in Basic without TLS unless allowed', () => {
  it('snapshot URL: refuses a Basic-only challenge over plain HTTP, answers it when allowed', async (t) => {
    const camera = await basicSnapshotServer();
    t.after(() => camera.close());
    await assert.rejects(fetchSnapshot(camera.url, ACCOUNT, { timeout: 5000 }), (err: SensegateError) => {
      assert.equal(err.code, 'SG_INSECURE_AUTH');
      assert.match(err.message, /Basic over plain HTTP/);
      assert.ok(!err.message.includes(ACCOUNT.password));
      return true;
    });
    assert.ok(camera.authorizations.every((a) => a === undefined), 'no Authorization header was sent');
    const jpeg = await fetchSnapshot(camera.url, ACCOUNT, { timeout: 5000, basicOverHttp: true });
    assert.deepEqual(jpeg, JPEG, 'with allowBasicOverHttp the camera gets its Basic login');
  });

  it('frame grab: ffmpeg is not started on a camera whose RTSP asks for Basic only, unless allowed', async (t) => {
    const ffmpeg = resolveFfmpeg().path;
    const camera = await challengingRtspServer([BASIC]);
    t.after(() => camera.close());
    const url = urlWithCredentials(camera.url, ACCOUNT);
    await assert.rejects(grabFrame(url, { ffmpeg, timeout: 5000 }), (err: SensegateError) => err.code === 'SG_INSECURE_AUTH' && /RTSP Basic/.test(err.message) && !err.message.includes(ACCOUNT.password));
    assert.ok(!camera.requests.some((r) => isBasicWithPassword(r.authorization)), 'no Basic login reached the camera');
    // Allowed, ffmpeg goes ahead and logs in with Basic: what the check above kept from happening.
    await assert.rejects(grabFrame(url, { ffmpeg, timeout: 5000, basicOverRtsp: true }));
    assert.ok(camera.requests.some((r) => isBasicWithPassword(r.authorization)));
  });

  describe('relay', () => {
    let dataDir: string;
    let relay: VideoRelay;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'sensegate-video-credentials-'));
      relay = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: createTestContext().log, restart: { initialDelay: 200, maxDelay: 500 } });
    });
    after(async () => {
      await relay?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('answers Digest when the camera offers Digest and Basic, and nothing when it offers Basic only', async (t) => {
      const both = await challengingRtspServer([DIGEST, BASIC]);
      const basicOnly = await challengingRtspServer([BASIC]);
      t.after(async () => {
        relay.removeStream('both/main');
        relay.removeStream('basic/main');
        await both.close();
        await basicOnly.close();
      });
      relay.addStream({ path: 'both/main', url: urlWithCredentials(both.url, ACCOUNT) });
      relay.addStream({ path: 'basic/main', url: urlWithCredentials(basicOnly.url, ACCOUNT) });
      await waitFor('a Digest login at the first camera', () => both.requests.some((r) => /^digest /i.test(r.authorization ?? '')));
      await waitFor('three attempts at the second camera', () => basicOnly.requests.length >= 3);
      assert.ok(!both.requests.some((r) => isBasicWithPassword(r.authorization)), 'offered both, the relay answered Digest only');
      assert.ok(!basicOnly.requests.some((r) => r.authorization !== undefined), 'offered Basic only, the relay sent no login');
      assert.ok(![...both.requests, ...basicOnly.requests].some((r) => r.head.includes(ACCOUNT.password)), 'no request line carries the password (the library put the URL with its user-info there)');
      await waitFor('the reason in the stream state', () => relay.streams().find((s) => s.path === 'basic/main')?.lastError?.includes('Basic'));
    });

    it('answers Basic when the camera\'s configuration allows it', async (t) => {
      const basicOnly = await challengingRtspServer([BASIC]);
      t.after(async () => {
        relay.removeStream('allowed/main');
        await basicOnly.close();
      });
      relay.addStream({ path: 'allowed/main', url: urlWithCredentials(basicOnly.url, ACCOUNT), allowBasicOverHttp: true });
      await waitFor('a Basic login', () => basicOnly.requests.some((r) => isBasicWithPassword(r.authorization)));
    });
  });
});
