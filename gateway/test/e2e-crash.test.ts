// A power cut while the uplink is down: kill -9 the gateway, restart it on the same data folder,
// and every reading it had journaled reaches the platform once the broker is back.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@sensegate/sdk';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { Journal } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';
import { stoppableBroker, type StoppableBroker } from './support/broker.js';
import { startCli } from './support/cli.js';
import { FeedConsumer } from './support/feed.js';
import { delay, waitFor } from '@sensegate/sdk/testing';

const PROFILE = fileURLToPath(new URL('./fixtures/test-meter.yaml', import.meta.url));
const GATEWAY = `e2e-crash-${process.pid}`;

describe('end to end: kill -9 while the broker is down', () => {
  let dir: string;
  let sim: ModbusSimulator;
  let broker: StoppableBroker;
  let consumer: FeedConsumer | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-crash-'));
    broker = await stoppableBroker();
    await broker.stop();
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
  });

  after(async () => {
    await consumer?.close();
    await sim?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing that was journaled', async () => {
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: meter-1
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 50ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
sinks:
  - type: mqtt
    url: ${broker.url}
    reconnect: { initialDelay: 200ms, maxDelay: 1s }
`,
    );
    const data = join(dir, 'data');
    const first = startCli(['run', '--config', config, '--data', data, '--log-format', 'json']);
    await first.waitForOutput(/gateway .* started/);
    await delay(3000); // ~420 readings journaled, none deliverable
    assert.equal(await first.kill9(), 'SIGKILL');

    // What the journal holds after the crash is what must arrive.
    const journal = await Journal.open({
      ...journalConfigSchema.parse({}),
      path: join(data, 'journal.db'),
      log: silentLogger,
      metrics: new Metrics(),
    });
    const journaled = journal.lastSeq;
    await journal.close();
    assert.ok(journaled > 200, `${journaled} entries journaled before the crash`);

    await broker.start();
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    const second = startCli(['run', '--config', config, '--data', data, '--log-format', 'json']);
    try {
      await waitFor(
        `every journaled entry 1..${journaled} to arrive`,
        () => {
          const seen = new Set(consumer!.seqs());
          for (let s = 1; s <= journaled; s++) if (!seen.has(s)) return undefined;
          return true;
        },
        { timeout: 60_000, interval: 200 },
      );
      const beforeCrash = consumer.data.filter((m) => m.payload.seq <= journaled);
      assert.ok(beforeCrash.every((m) => m.payload.historical), 'entries from before the crash are replayed as historical');
      const births = consumer.status.filter((m) => m.payload.type === 'birth');
      assert.equal(births.at(-1)!.payload.session, 2, 'the restart is a new session');
      // The sequence continues after the crash instead of starting over.
      await consumer.waitForReadings('new readings after the restart', (r) => r.seq > journaled, 5);
    } finally {
      await second.stop();
    }
  });
});
