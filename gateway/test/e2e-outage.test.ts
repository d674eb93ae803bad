// The uplink goes away for a while: readings keep being journaled; when it returns, every reading
// arrives, in order, with no gap in seq, the replayed ones marked historical, and live readings are
// not held back behind the backlog.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { stoppableBroker, type StoppableBroker } from './support/broker.js';
import { startCli, type CliProcess } from './support/cli.js';
import { FeedConsumer } from './support/feed.js';
import { delay, waitFor } from '@sensegate/sdk/testing';

const PROFILE = fileURLToPath(new URL('./fixtures/test-meter.yaml', import.meta.url));
const GATEWAY = `e2e-outage-${process.pid}`;

describe('end to end: uplink outage', () => {
  let dir: string;
  let sim: ModbusSimulator;
  let broker: StoppableBroker;
  let gateway: CliProcess;
  let consumer: FeedConsumer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-outage-'));
    broker = await stoppableBroker();
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    const config = join(dir, 'site.yaml');
    // 7 points every 100 ms = 70 readings/s; the backlog replays at 150 readings/s, so it takes a
    // while to drain and live readings must overtake it.
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: meter-1
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 100ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
sinks:
  - type: mqtt
    url: ${broker.url}
    reconnect: { initialDelay: 200ms, maxDelay: 1s }
    replay: { rate: 150 }
`,
    );
    gateway = startCli(['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json']);
  });

  after(async () => {
    await gateway?.stop();
    await consumer?.close().catch(() => {});
    await sim?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing, replays in order marked historical, and keeps live data first', async () => {
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    await consumer.waitForReadings('live readings before the outage', (r) => r.point === 'temperature', 5);

    await consumer.close();
    await broker.stop();
    const outageStart = Date.now();
    await delay(4000); // ~280 readings journaled while the broker is gone
    await broker.start();
    const outageEnd = Date.now();
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);

    // Wait until the replay has caught up: every seq from the first one this consumer saw after
    // the outage back to the outage start is present.
    const historical = await waitFor(
      'the backlog to be replayed',
      () => {
        const h = consumer.data.filter((m) => m.payload.historical);
        const live = consumer.data.filter((m) => !m.payload.historical);
        if (h.length === 0 || live.length === 0) return undefined;
        const firstLive = Math.min(...live.map((m) => m.payload.seq));
        const covered = new Set(consumer.seqs());
        const firstHistorical = Math.min(...h.map((m) => m.payload.seq));
        for (let s = firstHistorical; s < firstLive; s++) if (!covered.has(s)) return undefined;
        return h;
      },
      { timeout: 60_000, interval: 200 },
    );

    const readings = consumer.readings();
    // Every reading measured during the outage arrived, marked historical.
    const during = readings.filter((r) => r.ts > outageStart + 500 && r.ts < outageEnd - 500);
    assert.ok(during.length > 100, `${during.length} readings from the outage arrived`);
    assert.ok(during.every((r) => r.historical), 'readings from the outage are marked historical');

    // No gap: from the first replayed seq to the newest one received, every seq is there.
    const seqs = [...new Set(consumer.seqs())];
    const from = Math.min(...historical.map((m) => m.payload.seq));
    const missing = [];
    for (let s = from; s <= seqs[seqs.length - 1]!; s++) if (!seqs.includes(s)) missing.push(s);
    assert.deepEqual(missing, [], 'no gap in seq');

    // In order: the replayed messages arrived in seq order, and so did the live ones.
    const inOrder = (ms: typeof consumer.data) => ms.every((m, i) => i === 0 || m.payload.seq > ms[i - 1]!.payload.seq);
    assert.ok(inOrder(historical), 'replay in seq order');
    assert.ok(inOrder(consumer.data.filter((m) => !m.payload.historical)), 'live in seq order');

    // Live first: fresh readings arrived while the backlog was still being replayed.
    const lastHistoricalAt = Math.max(...historical.map((m) => m.at));
    const liveDuringReplay = consumer.data.filter((m) => !m.payload.historical && m.at < lastHistoricalAt);
    assert.ok(liveDuringReplay.length > 0, 'live messages were delivered before the replay finished');
  });
});
