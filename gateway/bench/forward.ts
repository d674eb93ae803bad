/**
 * Delivery: readings' JSON appended to the journal -> forwarder -> MQTT sink -> broker (QoS 1),
 * beside the raw limit measured in the same run: the same readings' JSON built and published by
 * mqtt.js at QoS 1 with the same in-flight window and message size, nothing else (no journal). The
 * broker link alone (one prebuilt payload sent again and again) is printed too. Readings
 * acknowledged per second, and the ratio to the raw limit.
 *
 * Broker: MQTT_URL, else Mosquitto on 127.0.0.1:1883, else the embedded broker.
 * Run: npm run bench forward   or   node --import tsx --conditions=source gateway/bench/forward.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { silentLogger } from '@sensegate/sdk';
import { startEmbeddedBroker } from '../src/broker/embedded.js';
import { Forwarder } from '../src/forward/forwarder.js';
import { Journal } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';
import mqttSink from '@sensegate/sink-mqtt';
import { createSink } from '../src/sinks/create.js';
import { sinkSchemaFor } from '../src/sinks/sink-schema.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const BATCH = 1000;
const WINDOW = 32;

const reachable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const reading = (i: number) =>
  `{"device":"pump-${i % 50}","point":"p${i % 200}","ts":${1764380000000 + i},"value":${(i % 1000) / 10},"quality":"good","unit":"m3/h"}`;

/**
 * mqtt.js at QoS 1 with the same window and message size, nothing else. `build`: the readings'
 * JSON is generated for every message, as any forwarder must (the limit sensegate is compared
 * with); otherwise one prebuilt payload is sent again and again (the broker link alone).
 */
async function rawLimit(url: string, build: boolean): Promise<number> {
  const client = await mqtt.connectAsync(url, { clean: true, clientId: `bench-raw-${process.pid}` });
  const prebuilt = Array.from({ length: BATCH }, (_, i) => reading(i)).join(',');
  let next = 0;
  const itemsFor = () => {
    if (!build) return prebuilt;
    const parts: string[] = [];
    for (let n = 0; n < BATCH; n++) parts.push(reading(next++));
    return parts.join(',');
  };
  let acked = 0;
  let seq = 1;
  const end = Date.now() + SECONDS * 1000;
  await new Promise<void>((resolve) => {
    let inFlight = 0;
    const pump = () => {
      while (inFlight < WINDOW && Date.now() < end) {
        inFlight++;
        const payload = `{"v":1,"gateway":"raw","seq":${seq},"historical":false,"sent":${Date.now()},"readings":[${itemsFor()}]}`;
        seq += BATCH;
        client.publish('bench/raw/data', payload, { qos: 1 }, () => {
          inFlight--;
          acked += BATCH;
          if (Date.now() >= end && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  await client.endAsync();
  return acked / SECONDS;
}

async function sensegate(url: string, dir: string, sync: 'full' | 'normal'): Promise<{ rate: number; backlog: number }> {
  const metrics = new Metrics();
  const journal = await Journal.open({ path: join(dir, `forward-${sync}.db`), ...journalConfigSchema.parse({ sync }), log: silentLogger, metrics });
  const config = sinkSchemaFor(mqttSink).parse({ type: 'mqtt', url, name: 'bench', clientId: `bench-sg-${process.pid}-${sync}`, inFlight: WINDOW, batch: { maxEntries: BATCH } });
  const sink = createSink(mqttSink, config, { gatewayId: 'bench', version: 'bench', log: silentLogger, metrics, baseDir: dir, env: process.env, devices: [] });
  const forwarder = new Forwarder({ journal, sink, options: config, log: silentLogger, metrics });
  await forwarder.start();
  await sink.start({ gateway: 'bench', version: 'bench', session: 1, startedAt: Date.now(), devices: [] });
  while (!sink.connected) await new Promise((r) => setTimeout(r, 10));

  // Offer far more than can be delivered, in the chunks a busy poll loop would append, and count
  // what the broker acknowledged.
  let i = 0;
  let producing = true;
  const produce = () => {
    if (!producing) return;
    // Stay within what the journal holds uncommitted (appended - committed), so nothing is dropped.
    if (i - journal.lastSeq < 200_000 && forwarder.backlog < 2_000_000) for (let n = 0; n < 5000; n++) journal.append('reading', reading(i++));
    setImmediate(produce);
  };
  const start = forwarder.cursor;
  produce();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const delivered = forwarder.cursor - start;
  producing = false;
  const backlog = forwarder.backlog;
  await forwarder.stop();
  await sink.stop();
  await journal.close();
  return { rate: delivered / SECONDS, backlog };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const dir = await mkdtemp(join(tmpdir(), 'sensegate-bench-forward-'));
let url = process.env.MQTT_URL;
let embedded: Awaited<ReturnType<typeof startEmbeddedBroker>> | undefined;
if (!url && (await reachable(1883))) url = 'mqtt://127.0.0.1:1883';
if (!url) {
  embedded = await startEmbeddedBroker({ port: 0 });
  url = embedded.url;
}
try {
  console.log(`broker ${url}, ${SECONDS} s per run, messages of ${BATCH} readings (~${reading(1).length} bytes each), ${WINDOW} in flight`);
  const link = await rawLimit(url, false);
  console.log(`broker link (mqtt.js QoS 1, one prebuilt payload)  ${fmt(link).padStart(10)} readings/s`);
  const raw = await rawLimit(url, true);
  console.log(`RAW LIMIT (build readings' JSON, mqtt.js QoS 1)    ${fmt(raw).padStart(10)} readings/s`);
  for (const sync of ['full', 'normal'] as const) {
    const { rate, backlog } = await sensegate(url, dir, sync);
    console.log(
      `journal (sync ${sync.padEnd(6)}) -> forwarder -> sink  ${fmt(rate).padStart(10)} readings/s acknowledged = ${(rate / raw).toFixed(2)} x RAW LIMIT (backlog left ${fmt(backlog)})`,
    );
  }
} finally {
  await embedded?.close();
  await rm(dir, { recursive: true, force: true });
}
