// The relay's ports against a peer on the network: one address cannot take every connection, and a
// connection that never asks for a stream (silent, or dripping its request a byte at a time) is
// closed after the handshake deadline, on HTTP-FLV and on RTMP alike. The relay listens on every
// interface (with a token) and the peer connects through the machine's own non-loopback address.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestContext, delay, waitFor } from '@sensegate/sdk/testing';
import { Metrics } from '../src/metrics.js';
import { VideoRelay } from '../src/video/relay/index.js';

/** An IPv4 address of this machine other than loopback: the peer "on the network". */
const OUTSIDE = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const skip = OUTSIDE ? false : 'this machine has no IPv4 address but loopback';

/** Opens a connection from the outside address; resolves once connected. */
function open(port: number): Promise<Socket & { closedAt?: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: OUTSIDE!, port, localAddress: OUTSIDE! }) as Socket & { closedAt?: number };
    socket.on('error', () => {});
    socket.once('close', () => (socket.closedAt = Date.now()));
    socket.once('connect', () => resolve(socket));
    setTimeout(() => reject(new Error(`no connection to ${OUTSIDE}:${port}`)), 5000).unref();
  });
}

describe('video relay connections', { skip }, () => {
  let dir: string;
  let relay: VideoRelay;
  let metrics: Metrics;
  const context = createTestContext();
  const sockets: Socket[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-relay-connections-'));
    metrics = new Metrics();
    relay = await VideoRelay.start({
      host: '0.0.0.0',
      httpPort: 0,
      rtmpPort: 0,
      token: 'players-token-42',
      dataDir: dir,
      log: context.log,
      metrics,
      limits: { maxConnectionsPerAddress: 8, handshakeTimeout: 3000 },
    });
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await relay?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const refused = (reason: string) => metrics.counter('sensegate_video_refused_total', '').value({ action: 'connect', reason });

  for (const port of ['httpPort', 'rtmpPort'] as const) {
    it(`${port === 'httpPort' ? 'HTTP-FLV' : 'RTMP'}: one address gets ${8} connections; the rest are closed on arrival`, async () => {
      const before = refused('address-limit');
      const opened = await Promise.all(Array.from({ length: 12 }, () => open(relay[port])));
      sockets.push(...opened);
      // Well before the handshake deadline (3 s): closed on arrival.
      await waitFor('the four over the limit to be closed', () => opened.filter((s) => s.closedAt !== undefined).length >= 4, { timeout: 2000 });
      await delay(200);
      assert.equal(opened.filter((s) => s.closedAt !== undefined).length, 4, 'exactly the ones over the limit');
      assert.equal(refused('address-limit') - before, 4);
      for (const s of opened) s.destroy();
      await delay(100);
    });
  }

  it('closes a connection that says nothing, and one that drips its request, after the handshake deadline', async () => {
    const silentRtmp = await open(relay.rtmpPort);
    const silentHttp = await open(relay.httpPort);
    const drip = await open(relay.httpPort);
    sockets.push(silentRtmp, silentHttp, drip);
    const started = Date.now();
    const request = `GET /cam/main.flv?token=players-token-42 HTTP/1.1\r\nHost: relay\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`;
    let i = 0;
    const dripping = setInterval(() => {
      if (!drip.destroyed && i < request.length) drip.write(request[i++]!);
    }, 100);
    try {
      await waitFor('all three to be closed', () => [silentRtmp, silentHttp, drip].every((s) => s.closedAt !== undefined), { timeout: 10_000 });
    } finally {
      clearInterval(dripping);
    }
    for (const s of [silentRtmp, silentHttp, drip]) assert.ok(s.closedAt! - started >= 2900, 'not before the deadline');
    assert.ok(i < request.length, 'the drip never finished its request');
    assert.ok(refused('handshake-timeout') >= 3);
  });

  it('still serves a player on loopback while an address is over its limit, and logs the refusals once per kind', async () => {
    const held = await Promise.all(Array.from({ length: 8 }, () => open(relay.httpPort)));
    sockets.push(...held);
    const extra = await open(relay.httpPort);
    await waitFor('the extra one closed', () => extra.closedAt !== undefined, { timeout: 2000 });
    const answer = await fetch(`http://127.0.0.1:${relay.httpPort}/cam/main.flv?token=players-token-42`, { signal: AbortSignal.timeout(5000) }).catch((err: Error) => err);
    assert.ok(!(answer instanceof Error), `a loopback player got no answer: ${String(answer)}`);
    const warnings = context.logs.filter((l) => l.level === 'warn' && /refused to let .* connect over/.test(l.message));
    assert.deepEqual([...new Set(warnings.map((l) => l.fields.reason))].sort(), ['address-limit', 'handshake-timeout']);
    assert.ok(warnings.length <= 4, `${warnings.length} warnings for the refusals`);
    for (const s of held) s.destroy();
  });
});
