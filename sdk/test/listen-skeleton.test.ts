// A protocol written in a few lines on the station-listener skeleton gets the protections of every
// listener by construction: the per-address share of slots, the authentication deadline, closing
// and growing refusal after a wrong password, and an exception in its code that costs one
// connection only. The toy protocol is a line "<station> <password> <value>\n".
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { z } from 'zod';
import { SensegateError, StationListener, stationListenerFields, type ConnectionSession, type ListenedStation, type ListenerConnection } from '../src/index.js';
import { createTestContext, waitFor, type TestContext } from '../src/testing/index.js';

const fields = z.object(stationListenerFields({ idleTimeout: 60_000 })).strict();

interface Gauge extends ListenedStation {
  password: string;
}

function gauge(key: string, password: string, listen: z.input<typeof fields> = {}): Gauge {
  return { id: `dev-${key}`, key, password, listen: fields.parse(listen), reconnect: { initialDelay: 50, maxDelay: 500 }, detach() {} };
}

/** The protocol side: one line per frame. */
class LineSession implements ConnectionSession {
  private buffered = '';

  constructor(
    private readonly connection: ListenerConnection,
    private readonly listener: StationListener<Gauge>,
    private readonly ctx: TestContext,
  ) {}

  receive(chunk: Buffer): void {
    this.buffered += chunk.toString('latin1');
    let end: number;
    while ((end = this.buffered.indexOf('\n')) >= 0 && !this.connection.destroyed) {
      const line = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 1);
      this.frame(line);
    }
    if (this.buffered.length > 256) {
      this.connection.malformed(new SensegateError('SG_PROTOCOL_ERROR', 'a line longer than 256 bytes'), this.buffered.slice(0, 32));
      this.buffered = '';
    }
  }

  closed(): void {}

  private frame(line: string): void {
    const [key = '', password, value] = line.split(' ');
    if (key === 'boom') throw new Error('a bug in the protocol code');
    const station = this.listener.stations.get(key);
    const refused = (refusal: 'unknown-station' | 'wrong-password', reason: string) =>
      this.connection.refuse({ refusal, error: new SensegateError('SG_STATION_REFUSED', `${reason} at ${this.connection.remote}`), what: 'line', episode: `${refusal}/${key}` });
    if (!station) return void refused('unknown-station', `unknown station ${key}`);
    if (password !== station.password) return void refused('wrong-password', `wrong password for ${key}`);
    this.connection.accepted();
    this.ctx.publish(station.id, 'value', Number(value));
  }
}

/** A connection from `from`; `socket.closed` turns true once the listener has closed it. */
function client(port: number, from?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...(from ? { localAddress: from } : {}) });
    socket.once('connect', () => {
      socket.on('error', () => {});
      socket.resume(); // read, so that the listener's close is seen
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

describe('a protocol on the station-listener skeleton', () => {
  let listener: StationListener<Gauge>;
  let ctx: TestContext;
  const sockets: Socket[] = [];

  async function start(...stations: Gauge[]): Promise<number> {
    ctx = createTestContext({ driver: 'lines' });
    listener = new StationListener<Gauge>({ host: '127.0.0.1', port: 0, protocol: 'line', context: ctx, session: (c) => new LineSession(c, listener, ctx) });
    for (const s of stations) listener.add(s);
    await listener.start();
    return listener.boundPort!;
  }
  const open = async (port: number, from?: string) => {
    const socket = await client(port, from);
    sockets.push(socket);
    return socket;
  };

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await listener.close();
  });

  it('holds one address to its share of the slots, and takes the station from another', async () => {
    const port = await start(gauge('g1', 'pw', { maxConnectionsPerAddress: 3 }));
    const greedy = await Promise.all(Array.from({ length: 6 }, () => open(port, '127.0.0.2')));
    await waitFor('three of them closed', () => greedy.filter((s) => s.closed).length === 3);
    const station = await open(port);
    station.write('g1 pw 7\n');
    await waitFor('the value', () => ctx.published.find((p) => p.value === 7));
    assert.equal(ctx.metric('sensegate_listener_connections_refused_total', { reason: 'address-limit' }), 3);
    assert.equal(ctx.metric('sensegate_listener_connections_total'), 4);
    assert.equal(ctx.metricSeries.find((m) => m.name === 'sensegate_listener_connections_total')?.labels.listen, '127.0.0.1:0');
  });

  it('closes a connection that sends no accepted frame within authTimeout, whatever else it sends', async () => {
    const port = await start(gauge('g1', 'pw', { authTimeout: '300ms' }));
    const chatty = await open(port, '127.0.0.2');
    const drip = setInterval(() => chatty.write('x'), 50);
    try {
      await waitFor('the chatty stranger closed', () => chatty.closed, { timeout: 5000 });
    } finally {
      clearInterval(drip);
    }
    assert.equal(listener.counts.authTimeouts, 1);
  });

  it('closes at a wrong password and refuses the address for authBackoff; another address is not refused', async () => {
    const port = await start(gauge('g1', 'pw', { authBackoff: { initialDelay: '10s', maxDelay: '1m' } }));
    const guess = await open(port, '127.0.0.2');
    guess.write('g1 nope 1\n');
    await waitFor('closed at the wrong password', () => guess.closed);
    const again = await open(port, '127.0.0.2');
    await waitFor('refused on arrival', () => again.closed);
    const station = await open(port);
    station.write('g1 pw 2\n');
    await waitFor('the value from another address', () => ctx.published.find((p) => p.value === 2));
    assert.equal(ctx.metric('sensegate_listener_auth_failures_total'), 1);
    assert.equal(ctx.metric('sensegate_listener_connections_refused_total', { reason: 'backoff' }), 1);
    assert.ok(ctx.logs.some((l) => /127\.0\.0\.2 sent a wrong password, and its connections are refused for another \d+ ms \(authBackoff\)/.test(l.message)));
  });

  it('lets an exception in the protocol code cost its own connection only', async () => {
    const port = await start(gauge('g1', 'pw'));
    const station = await open(port);
    station.write('g1 pw 3\n');
    await waitFor('the first value', () => ctx.published.find((p) => p.value === 3));
    const buggy = await open(port, '127.0.0.2');
    buggy.write('boom\n');
    await waitFor('the buggy connection closed', () => buggy.closed);
    station.write('g1 pw 4\n');
    await waitFor('the station carries on', () => ctx.published.find((p) => p.value === 4));
    assert.equal(station.closed, false);
    assert.ok(ctx.logs.some((l) => l.level === 'error' && /closing the connection from 127\.0\.0\.2:\d+ after an internal error: a bug in the protocol code/.test(l.message)));
    assert.equal(ctx.metric('sensegate_listener_connections_closed_total', { reason: 'internal-error' }), 1);
  });
});
