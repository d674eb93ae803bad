/**
 * 1,000 HJ 212 stations connected at once (a fleet in a child process, one TCP connection and one
 * MN each) sending real-time air-quality packets as fast as the driver takes them: packets decoded
 * and published per second on the driver's one core, its CPU, and its RSS idle, with the
 * connections open, and under load. Beside it, the raw limit measured in the same run: the codec
 * alone (frame decoder, packet and CP parsing) over the same packets in a loop.
 *
 *   node --import tsx --conditions=source drivers/hj212/bench/stations.ts [stations, default 1000] [seconds, default 10]
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { silentLogger, type DriverContext } from '@sensegate/sdk';
import { testDevice } from '@sensegate/sdk/testing';
import hj212 from '../src/index.js';
import { cpRecords, encodeFrame, FrameDecoder, formatDataTime, formatQn, formatSegment, parseCp, parseSegment } from '../src/protocol/index.js';
import { mnOf } from './fleet-ids.js';

const STATIONS = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 10);
const PASSWORD = '123456';
const CODES: Array<[string, string]> = [
  ['pm25', 'a34004'], ['pm10', 'a34002'], ['so2', 'a21026'], ['no2', 'a21004'], ['o3', 'a05024'],
  ['co', 'a21005'], ['temperature', 'a01001'], ['humidity', 'a01002'], ['windSpeed', 'a01007'], ['windDirection', 'a01008'],
];

const mb = (bytes: number) => Math.round(bytes / 1048576);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The codec alone: how many packets per second one core decodes and parses, nothing published. */
function rawLimit(): number {
  const frames: Buffer[] = [];
  for (let n = 0; n < 2000; n++) {
    const ts = Date.now() + n;
    const cp =
      `DataTime=${formatDataTime(ts)};` + CODES.map(([, code], i) => `${code}-Rtd=${(20 + i + (n % 7)).toFixed(1)},${code}-Flag=N`).join(';');
    frames.push(encodeFrame(formatSegment({ qn: formatQn(ts), st: '22', cn: '2011', pw: PASSWORD, mn: mnOf(n % STATIONS), flag: 4, cp })));
  }
  const chunk = Buffer.concat(frames);
  const decoder = new FrameDecoder();
  let packets = 0;
  let sink = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    // 1 KiB reads, as a socket delivers them.
    for (let at = 0; at < chunk.length; at += 1024) {
      for (const result of decoder.push(chunk.subarray(at, at + 1024))) {
        if (!result.ok) continue;
        const packet = parseSegment(result.segment);
        for (const record of cpRecords(parseCp(packet.cp))) for (const v of record.values) sink += Number(v.value);
        packets++;
      }
    }
  }
  if (sink === 0) throw new Error('nothing decoded');
  return packets / ((performance.now() - started) / 1000);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const raw = rawLimit();
console.log(`raw limit (codec alone, one core): ${fmt(raw)} packets/s`);

let published = 0;
const context: DriverContext = {
  driver: 'hj212',
  gatewayId: 'bench',
  log: silentLogger,
  dataDir: process.cwd(),
  publish: () => void published++,
  event: () => {},
  health: () => {},
};
const port = await freePort();
const instance = hj212.create(context);
for (let i = 0; i < STATIONS; i++) {
  await instance.addDevice(
    testDevice(hj212, {
      id: `station-${i}`,
      connection: { host: '127.0.0.1', port, mn: mnOf(i), password: PASSWORD, maxConnections: STATIONS + 10 },
      points: CODES.map(([id, code]) => ({ id, code })),
    }),
  );
}
await new Promise((r) => setTimeout(r, 500));
const idleRss = process.memoryUsage().rss;

const fleet = fork(fileURLToPath(new URL('./station-fleet.ts', import.meta.url)), [String(port), String(STATIONS), PASSWORD], {
  execArgv: ['--import', 'tsx', '--conditions=source'],
});
const next = <T>() => new Promise<T>((resolve) => fleet.once('message', (m) => resolve(m as T)));
await next();
fleet.send({ cmd: 'connect' });
await next();
await new Promise((r) => setTimeout(r, 1000));
const connectedRss = process.memoryUsage().rss;
const stats = () => (instance as unknown as { stats(): { framesAccepted: number; connections: number; framesMalformed: number } }).stats();
console.log(`${STATIONS} stations connected (${stats().connections} connections): RSS ${mb(idleRss)} MB idle -> ${mb(connectedRss)} MB (+${mb(connectedRss - idleRss)} MB)`);

fleet.send({ cmd: 'send' });
await new Promise((r) => setTimeout(r, 2000)); // warm-up
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
const frames0 = stats().framesAccepted;
const values0 = published;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const frames = stats().framesAccepted - frames0;
const values = published - values0;
clearInterval(sampler);
fleet.send({ cmd: 'pause' });
await next();

const rate = frames / elapsed;
const core = (cpu.user + cpu.system) / 1e6 / elapsed;
console.log(
  `${STATIONS} stations sending: ${fmt(rate)} packets/s decoded (${fmt(values / elapsed)} values/s published) = ${(rate / raw).toFixed(2)}x the raw limit; ` +
    `driver process ${Math.round(core * 100)}% of a core; RSS peak ${mb(peakRss)} MB (+${mb(peakRss - idleRss)} MB over idle); malformed ${stats().framesMalformed}`,
);
fleet.send({ cmd: 'close' });
await instance.stop();
process.exit(0);
