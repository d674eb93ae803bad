// A station's port is held by another program when the gateway starts (an old gateway still
// shutting down, a vendor's tool): the station shows offline in the feed, saying which port and
// what to do, and the gateway takes the port and the station's data once it is free.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { startHj212Station, type Hj212Station } from '@sensegate/sim-hj212';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';
import { FeedConsumer } from './support/feed.js';

const GATEWAY = `e2e-station-port-${process.pid}`;
const MN = '44030000000000AIR0000009';

describe('end to end: a station whose port is taken', () => {
  let dir: string;
  let broker: TestBroker;
  let consumer: FeedConsumer;
  let holder: Server;
  let port: number;
  let gateway: Gateway;
  let station: Hj212Station | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-station-port-'));
    broker = await testBroker();
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    holder = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: air-1
    driver: hj212
    profile: hj212-air-station
    reconnect: { initialDelay: 200ms, maxDelay: 1s }
    connection: { host: 127.0.0.1, port: ${port}, mn: ${MN}, password: '123456' }
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    const { config: loaded, drivers } = await loadConfigFile(config);
    gateway = await Gateway.start({ config: loaded, drivers, dataDir: join(dir, 'data'), log: silentLogger });
  });

  after(async () => {
    await station?.close();
    await gateway?.stop();
    holder?.close();
    await consumer?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is offline with the port and what to do, then reports once the port is free', async () => {
    const offline = await waitFor('an offline event for air-1', () =>
      consumer.events.flatMap((m) => m.payload.events ?? []).find((e) => e.device === 'air-1' && (e.data as { state: string }).state === 'offline'),
    );
    const data = offline.data as { code?: string; reason?: string };
    assert.equal(data.code, 'SG_CONNECT_REFUSED');
    assert.match(data.reason ?? '', new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*; another program is using the port: stop it, or give the device another port; retrying in \\d+ ms$`));

    await new Promise<void>((resolve) => holder.close(() => resolve()));
    station = await startHj212Station({ port, mn: MN, kind: 'air', password: '123456', realtimeInterval: 1000 });
    const [reading] = await consumer.waitForReadings('air-1 pm25 once the port is free', (r) => r.device === 'air-1' && r.point === 'pm25', 1, 30_000);
    assert.equal(reading!.quality, 'good');
  });
});
