/**
 * The HJ 212 relay: station readings' JSON appended to the journal -> forwarder -> hj212 sink ->
 * a platform on loopback that decodes every packet and answers 9014. Beside it, the raw limit
 * measured in the same run: the same packets built from the same readings (parse the JSON, group,
 * format, CRC) and written to the same platform with the same acknowledgement rule, no journal.
 * Readings relayed and acknowledged per second, and the ratio to the raw limit.
 *
 * Run: npm run bench relay   or   node --import tsx --conditions=source gateway/bench/hj212-relay.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataAck, encodeFrame, FrameDecoder, formatQn, formatSegment, makeFlag, needsAck, parseSegment } from '@sensegate/driver-hj212/protocol';
import { silentLogger, type Reading } from '@sensegate/sdk';
import type { DeviceConfig } from '../src/config/load.js';
import { Forwarder } from '../src/forward/forwarder.js';
import { Journal } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';
import hj212Relay, { relayPackets, relayStations } from '@sensegate/driver-hj212/sink';
import { createSink, sinkContext } from '../src/sinks/create.js';
import { sinkSchemaFor } from '../src/sinks/sink-schema.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const STATIONS = 100;
const CODES = ['a34004', 'a34002', 'a21026', 'a21004', 'a05024', 'a21005', 'a01001', 'a01002', 'a01007', 'a01008'];
const BATCH = 1000;
const WINDOW = 32;

const devices: DeviceConfig[] = Array.from({ length: STATIONS }, (_, s) => ({
  id: `air-${s}`,
  driver: 'hj212',
  enabled: true,
  connection: { mn: `BENCHRELAY${String(s).padStart(14, '0')}`, password: '123456', timeZone: 'Asia/Shanghai' },
  points: CODES.map((code) => ({ id: code, code, data: 'realtime', enabled: true, writable: false, scale: 1, offset: 0 })),
})) as unknown as DeviceConfig[];

/** Reading i: station i/10 % STATIONS, one of its ten codes, one DataTime per ten readings. */
const reading = (i: number) => {
  const station = Math.floor(i / CODES.length) % STATIONS;
  return `{"device":"air-${station}","point":"${CODES[i % CODES.length]}","ts":${1764380000000 + Math.floor(i / CODES.length) * 1000},"value":${(i % 1000) / 10},"quality":"good","status":"hj212:flag:N"}`;
};

/** A platform: decodes every packet and answers 9014 to those that ask. */
async function platform(): Promise<{ server: Server; port: number; packets: () => number }> {
  let packets = 0;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      socket.cork();
      for (const r of decoder.push(chunk)) {
        if (!r.ok) continue;
        const packet = parseSegment(r.segment);
        packets++;
        if (packet.flag !== undefined && needsAck(packet.flag)) socket.write(encodeFrame(formatSegment(buildDataAck(packet))));
      }
      socket.uncork();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, packets: () => packets };
}

/** The packets built and sent with a 9014 for each, the same window, nothing journaled. */
async function rawLimit(port: number): Promise<number> {
  const stations = relayStations(
    hj212Relay.config.parse({ host: '127.0.0.1', port }),
    devices,
    sinkContext('hj212', { gatewayId: 'bench', version: 'bench', log: silentLogger, metrics: new Metrics(), baseDir: '.', env: {}, devices }),
  );
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise((r) => socket.once('connect', r));
  const waiting = new Map<string, () => void>();
  const decoder = new FrameDecoder();
  socket.on('data', (chunk) => {
    for (const r of decoder.push(chunk)) if (r.ok) waiting.get(parseSegment(r.segment).qn!)?.();
  });
  let next = 0;
  let acked = 0;
  let lastQn = 0;
  const end = Date.now() + SECONDS * 1000;
  const message = async () => {
    const items: string[] = [];
    for (let n = 0; n < BATCH; n++) items.push(reading(next++));
    const packets = relayPackets(JSON.parse(`[${items.join(',')}]`) as Reading[], stations);
    await Promise.all(
      packets.map((p) => {
        lastQn = Math.max(Date.now(), lastQn + 1);
        const qn = formatQn(lastQn, 'Asia/Shanghai');
        return new Promise<void>((resolve) => {
          waiting.set(qn, () => (waiting.delete(qn), resolve()));
          socket.write(encodeFrame(formatSegment({ qn, st: '22', cn: p.cn, pw: p.station.password, mn: p.station.mn, flag: makeFlag({ ack: true }), cp: p.cp })));
        });
      }),
    );
    acked += BATCH;
  };
  await new Promise<void>((resolve) => {
    let inFlight = 0;
    const pump = () => {
      while (inFlight < WINDOW && Date.now() < end) {
        inFlight++;
        void message().then(() => {
          inFlight--;
          if (Date.now() >= end && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  socket.destroy();
  return acked / SECONDS;
}

async function sensegate(port: number, dir: string): Promise<{ rate: number }> {
  const metrics = new Metrics();
  const journal = await Journal.open({ path: join(dir, 'relay.db'), ...journalConfigSchema.parse({}), log: silentLogger, metrics });
  const config = sinkSchemaFor(hj212Relay).parse({ type: 'hj212', name: 'bench', host: '127.0.0.1', port, inFlight: WINDOW, batch: { maxEntries: BATCH } });
  const sink = createSink(hj212Relay, config, { gatewayId: 'bench', version: 'bench', log: silentLogger, metrics, baseDir: dir, env: {}, devices });
  const forwarder = new Forwarder({ journal, sink, options: config, log: silentLogger, metrics });
  await forwarder.start();
  await sink.start({ gateway: 'bench', version: 'bench', session: 1, startedAt: Date.now(), devices: [] });
  while (!sink.connected) await new Promise((r) => setTimeout(r, 10));
  let i = 0;
  let producing = true;
  const produce = () => {
    if (!producing) return;
    if (i - journal.lastSeq < 200_000 && forwarder.backlog < 500_000) for (let n = 0; n < 5000; n++) journal.append('reading', reading(i++));
    setImmediate(produce);
  };
  const start = forwarder.cursor;
  produce();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const delivered = forwarder.cursor - start;
  producing = false;
  await forwarder.stop();
  await sink.stop();
  await journal.close();
  return { rate: delivered / SECONDS };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const dir = await mkdtemp(join(tmpdir(), 'sensegate-bench-relay-'));
const upstream = await platform();
try {
  console.log(`platform on 127.0.0.1:${upstream.port}, ${SECONDS} s per run, ${STATIONS} stations x ${CODES.length} codes, messages of ${BATCH} readings, ${WINDOW} in flight, 9014 for every packet`);
  const raw = await rawLimit(upstream.port);
  console.log(`RAW LIMIT (build packets, send, await 9014, no journal)  ${fmt(raw).padStart(10)} readings/s`);
  const { rate } = await sensegate(upstream.port, dir);
  console.log(`journal -> forwarder -> hj212 relay sink -> platform     ${fmt(rate).padStart(10)} readings/s acknowledged = ${(rate / raw).toFixed(2)} x RAW LIMIT`);
} finally {
  upstream.server.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
