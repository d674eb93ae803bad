// What a broker will not take never stops the feed. A private Mosquitto with `max_packet_size
// 65536` stands for a platform broker with a smaller limit than the gateway was told: over MQTT
// 3.1.1 it just closes the connection on an oversized message, over MQTT 5 it says its limit in
// CONNACK. Either way every other entry arrives, in order, and what cannot be delivered is kept
// in the journal's dead letters instead of being sent again forever.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Logger, SinkInstance as Sink } from '@sensegate/sdk';
import mqttSink from '@sensegate/sink-mqtt';
import { waitFor } from '@sensegate/sdk/testing';
import { Forwarder } from '../src/forward/forwarder.js';
import { forwardOptionsSchema } from '../src/forward/options.js';
import { Journal } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';
import { createSink } from '../src/sinks/create.js';
import { sinkSchemaFor } from '../src/sinks/sink-schema.js';
import { findMosquitto, privateMosquitto, type StoppableBroker } from './support/broker.js';
import { runCli } from './support/cli.js';
import { FeedConsumer } from './support/feed.js';

const skip = findMosquitto() ? false : 'Mosquitto is not installed (apt-get install mosquitto)';
const BROKER_LIMIT = 65_536;

function recordingLogger(): Logger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (a: unknown, b?: string) => lines.push({ level, message: typeof a === 'string' ? a : (b ?? '') });
  const log = { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** A reading of about `bytes` bytes of JSON. */
function reading(i: number, bytes = 150): string {
  const head = `{"device":"d","point":"p","ts":${1_700_000_000_000 + i},"value":"`;
  const tail = `","quality":"good"}`;
  return head + `${i}:`.padEnd(Math.max(1, bytes - head.length - tail.length), 'x') + tail;
}

describe('entries a broker will not take', { skip }, () => {
  let dir: string;
  let broker: StoppableBroker;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-refusals-'));
    await chmod(dir, 0o755);
    broker = (await privateMosquitto(`listener {port} 127.0.0.1\nallow_anonymous true\nmax_packet_size ${BROKER_LIMIT}\n`))!;
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function setup(name: string, protocolVersion: 4 | 5) {
    const log = recordingLogger();
    const metrics = new Metrics();
    const gateway = `refusals-${name}-${process.pid}`;
    const journal = await Journal.open({
      path: join(await mkdir(join(dir, name), { recursive: true }).then(() => join(dir, name)), 'journal.db'),
      ...journalConfigSchema.parse({ commitInterval: '5ms', maxBlockEntries: 500, maxEntryBytes: '128KiB' }),
      log,
      metrics,
    });
    const config = sinkSchemaFor(mqttSink).parse({ type: 'mqtt', url: broker.url, protocolVersion, clientId: gateway, reconnect: { initialDelay: '100ms', maxDelay: '300ms' } });
    const sink: Sink = createSink(mqttSink, config, { gatewayId: gateway, version: 'test', log, metrics, baseDir: dir, env: {}, devices: [] });
    const forwarder = new Forwarder({ journal, sink, options: { ...forwardOptionsSchema.parse({ replay: { rate: 100_000 } }), maxMessageBytes: config.maxMessageBytes }, log, metrics });
    const consumer = await FeedConsumer.connect(broker.url, gateway);
    cleanups.push(async () => {
      await forwarder.stop();
      await sink.stop();
      await journal.close();
      await consumer.close();
    });
    await forwarder.start();
    await sink.start({ gateway, version: 'test', session: 1, startedAt: Date.now(), devices: [] });
    await waitFor('the sink to connect', () => sink.connected, { timeout: 10_000 });
    const reconnects = () => metrics.counter('sensegate_sink_connects_total', '').value({ sink: 'mqtt' }) - 1;
    return { log, metrics, journal, sink, forwarder, consumer, reconnects };
  }

  /** Every seq the consumer received, in the order received, without duplicates. */
  const received = (consumer: FeedConsumer) => [...new Set(consumer.readings().map((r) => r.seq))];

  it('MQTT 3.1.1: an entry over the broker\'s limit goes to the dead letters; everything else arrives, in order', async () => {
    const { journal, consumer, reconnects, log, metrics } = await setup('v4-entry', 4);
    for (let i = 1; i <= 200; i++) journal.append('reading', reading(i, i === 100 ? 70_000 : 150));
    await journal.flush();
    await waitFor('seq 1..200 but 100 to arrive', () => received(consumer).length >= 199, { timeout: 60_000 });
    const seqs = received(consumer).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i + 1).filter((s) => s !== 100));
    const letters = await waitFor('the dead letter', async () => {
      const found = await journal.deadLetters('mqtt');
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(letters.map((l) => l.seq), [100]);
    assert.equal(JSON.parse(letters[0]!.payload).ts, 1_700_000_000_100, 'the dead letter holds the entry itself');
    assert.match(letters[0]!.reason, /closed the connection each time this entry/);
    assert.equal(metrics.counter('sensegate_sink_dead_letters_total', '').value({ sink: 'mqtt' }), 1);
    assert.equal(journal.deadLetterCount('mqtt'), 1, 'the count the gateway status shows');
    // Two losses to suspect it, one per halving of the message size around it, two with it alone.
    assert.ok(reconnects() <= 16, `${reconnects()} reconnects to get past one entry`);
    // Delivery goes on afterwards, live.
    journal.append('reading', reading(201));
    await waitFor('seq 201', () => received(consumer).includes(201));
    const warnings = log.lines.filter((l) => l.level === 'warn' && /dead letters/.test(l.message));
    assert.equal(warnings.length, 1, 'logged once');
    assert.match(warnings[0]!.message, /sensegate dead-letters --sink mqtt/);
    // What the warning tells a field engineer to run shows the entry and why.
    const listed = await runCli(['dead-letters', '--data', join(dir, 'v4-entry'), '--sink', 'mqtt']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /sink mqtt {2}reading seq 100: the endpoint closed the connection each time this entry \(70000 bytes\) was sent alone/);
    const json = await runCli(['dead-letters', '--data', join(dir, 'v4-entry'), '--json']);
    assert.equal(JSON.parse(json.stdout.trim()).entry.ts, 1_700_000_000_100);
  });

  it('MQTT 3.1.1: batches over the broker\'s limit are sent smaller, and nothing is lost or dead-lettered', async () => {
    const { journal, consumer, reconnects, log } = await setup('v4-batch', 4);
    for (let i = 1; i <= 3000; i++) journal.append('reading', reading(i));
    await journal.flush();
    await waitFor('3000 readings', () => received(consumer).length >= 3000, { timeout: 60_000 });
    assert.deepEqual(received(consumer).sort((a, b) => a - b), Array.from({ length: 3000 }, (_, i) => i + 1));
    assert.deepEqual(await journal.deadLetters('mqtt'), []);
    assert.ok(reconnects() <= 16, `${reconnects()} reconnects`);
    assert.ok(log.lines.some((l) => /in messages of at most \d+ bytes until the gateway restarts/.test(l.message)), 'says what it learned and what to configure');
    // What it learned holds: a new burst goes out without losing the connection again.
    const before = reconnects();
    for (let i = 3001; i <= 6000; i++) journal.append('reading', reading(i));
    await waitFor('6000 readings', () => received(consumer).length >= 6000, { timeout: 60_000 });
    assert.equal(reconnects(), before);
  });

  it('MQTT 5: the broker\'s limit from CONNACK is kept from the start; an entry over it is dead-lettered without losing the connection', async () => {
    const { journal, consumer, reconnects, sink } = await setup('v5', 5);
    assert.ok(sink.messageLimit !== undefined && sink.messageLimit < BROKER_LIMIT, `limit from CONNACK: ${sink.messageLimit}`);
    for (let i = 1; i <= 3000; i++) journal.append('reading', reading(i, i === 1500 ? 70_000 : 150));
    await journal.flush();
    await waitFor('all but one', () => received(consumer).length >= 2999, { timeout: 60_000 });
    assert.deepEqual(received(consumer).sort((a, b) => a - b), Array.from({ length: 3000 }, (_, i) => i + 1).filter((s) => s !== 1500));
    // The dead letter is written beside the deliveries, in a transaction of its own.
    const letters = await waitFor('the dead letter', async () => {
      const found = await journal.deadLetters('mqtt');
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(letters.map((l) => [l.seq, /Maximum Packet Size/.test(l.reason)]), [[1500, true]]);
    assert.equal(reconnects(), 0);
  });
});
