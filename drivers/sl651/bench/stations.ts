/**
 * SL 651 stations connected at once (a fleet in a child process, one TCP connection each) sending
 * timed reports at fixed offered rates: reports decoded, confirmed and published per second, the
 * driver's CPU and what that makes per core, and its RSS. Beside it, the raw limit measured in the same
 * run: the codec alone (frame decoder and body decoding) over the same reports in a loop.
 *
 *   node --import tsx --conditions=source drivers/sl651/bench/stations.ts [stations, default 1000] [seconds per phase, default 5]
 *   BENCH_RATES=10000,50000,100000 sets the offered loads (reports/s across all stations).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { discardMetrics, silentLogger, type DriverContext } from '@sensegate/sdk';
import { freePort, testDevice } from '@sensegate/sdk/testing';
import sl651 from '../src/index.js';
import { decodeBody, FrameDecoder } from '../src/protocol/index.js';
import { addressOf, PASSWORD } from './fleet-ids.js';
import { timedReport } from './report.js';

const STATIONS = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.argv[3] ?? 5);
/** Offered loads, reports per second across all stations. */
const RATES = (process.env.BENCH_RATES ?? '10000,50000,100000').split(',').map(Number);
const mb = (bytes: number) => Math.round(bytes / 1048576);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The codec alone: reports per second one core decodes, nothing published or confirmed. */
function rawLimit(): number {
  const frames: Buffer[] = [];
  for (let n = 0; n < 2000; n++) frames.push(timedReport(addressOf(n % STATIONS), n, Date.now()));
  const chunk = Buffer.concat(frames);
  const decoder = new FrameDecoder();
  let reports = 0;
  let elements = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    for (let at = 0; at < chunk.length; at += 1024) {
      for (const result of decoder.push(chunk.subarray(at, at + 1024))) {
        if (!result.ok) continue;
        elements += decodeBody(result.frame.functionCode, result.frame.body).elements.length;
        reports++;
      }
    }
  }
  if (elements === 0) throw new Error('nothing decoded');
  return reports / ((performance.now() - started) / 1000);
}


const raw = rawLimit();
console.log(`raw limit (codec alone, one core): ${fmt(raw)} reports/s`);

let published = 0;
const context: DriverContext = {
  driver: 'sl651',
  gatewayId: 'bench',
  log: silentLogger,
  metrics: discardMetrics,
  dataDir: process.cwd(),
  configDir: process.cwd(),
  publish: () => void published++,
  event: () => {},
  health: () => {},
  describe: () => {},
  media: () => {},
  secret: () => {
    throw new Error('this benchmark configures no secrets');
  },
};
const port = await freePort();
const instance = sl651.create(context);
const devices: Array<Parameters<typeof instance.addDevice>[0]> = [];
for (let i = 0; i < STATIONS; i++) {
  const device = testDevice(sl651, {
    id: `station-${i}`,
    connection: { host: '127.0.0.1', port, address: addressOf(i), password: PASSWORD, maxConnections: STATIONS + 10, maxConnectionsPerAddress: STATIONS + 10 },
    points: [
      { id: 'rainCurrent', element: '20' },
      { id: 'rainTotal', element: '26' },
      { id: 'waterLevel', element: '39' },
      { id: 'batteryVoltage', element: '38' },
    ],
  });
  devices.push(device);
  await instance.addDevice(device);
}
for (const device of devices) await instance.startDevice!(device);
await new Promise((r) => setTimeout(r, 500));
const idleRss = process.memoryUsage().rss;
const stats = () => (instance as unknown as { stats(): { framesAccepted: number; connections: number; framesMalformed: number; duplicates: number } }).stats();

const fleet = fork(fileURLToPath(new URL('./station-fleet.ts', import.meta.url)), [String(port), String(STATIONS)], {
  execArgv: ['--import', 'tsx', '--conditions=source'],
});
const next = <T>() => new Promise<T>((resolve) => fleet.once('message', (m) => resolve(m as T)));
await next();
fleet.send({ cmd: 'connect' });
await next();
await new Promise((r) => setTimeout(r, 1000));
const connectedRss = process.memoryUsage().rss;
console.log(`${STATIONS} stations connected (${stats().connections} connections): RSS ${mb(idleRss)} MB idle -> ${mb(connectedRss)} MB (+${mb(connectedRss - idleRss)} MB)`);

/** One phase: the fleet offers `rate` reports/s; what the driver decodes, its CPU and RSS. */
async function phase(rate: number): Promise<void> {
  fleet.send({ cmd: 'send', rate });
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
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
  await new Promise((r) => setTimeout(r, 500)); // let the queues drain between phases
  const decoded = frames / elapsed;
  const core = (cpu.user + cpu.system) / 1e6 / elapsed;
  const perCore = decoded / Math.max(core, 0.01);
  console.log(
    `offered ${fmt(rate)} reports/s: ${fmt(decoded)} decoded and confirmed (${fmt(values / elapsed)} values/s published), ` +
      `driver ${Math.round(core * 100)}% of a core, so ${fmt(perCore)} reports/s per core = ${(perCore / raw).toFixed(2)}x the raw limit; ` +
      `RSS peak ${mb(peakRss)} MB (+${mb(peakRss - idleRss)} MB over idle)`,
  );
}

for (const rate of RATES) await phase(rate);
const final = stats();
console.log(`malformed ${final.framesMalformed}, duplicates ${final.duplicates}, connections ${final.connections}`);
fleet.send({ cmd: 'close' });
await instance.stop();
process.exit(0);
