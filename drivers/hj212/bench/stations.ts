/**
 * 1,000 HJ 212 stations connected at once (a fleet in a child process, one TCP connection and one
 * MN each) sending real-time air-quality packets as fast as the driver takes them: packets decoded
 * and published per second on the driver's one core, its CPU, and its RSS idle, with the
 * connections open, and under load. Beside it, what the fleet sent per second and its own CPU, so
 * that a fleet at the limit of its core shows (then the figure is the fleet's, not the driver's),
 * and the raw limit measured in the same run: the codec alone (frame decoder, packet, CP and
 * DataTime parsing, as the driver runs them) over the same kind of packets in a loop.
 *
 *   node --import tsx --conditions=source drivers/hj212/bench/stations.ts [stations, default 1000] [seconds, default 10]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { discardMetrics, silentLogger, type DriverContext } from '@sensegate/sdk';
import { freePort, testDevice } from '@sensegate/sdk/testing';
import hj212 from '../src/index.js';
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


let published = 0;
const context: DriverContext = {
  driver: 'hj212',
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
const instance = hj212.create(context);
const devices: Array<Parameters<typeof instance.addDevice>[0]> = [];
for (let i = 0; i < STATIONS; i++) {
  const device = testDevice(hj212, {
    id: `station-${i}`,
    connection: { host: '127.0.0.1', port, mn: mnOf(i), password: PASSWORD, maxConnections: STATIONS + 10, maxConnectionsPerAddress: STATIONS + 10 },
    points: CODES.map(([id, code]) => ({ id, code })),
  });
  devices.push(device);
  await instance.addDevice(device);
}
for (const device of devices) await instance.startDevice!(device);
await new Promise((r) => setTimeout(r, 500));
// Idle: the stations configured and listening, before any connection. (The raw loop runs last, in
// its own process, so that its garbage inflates none of these figures.)
const idleRss = process.memoryUsage().rss;

const fleet = fork(fileURLToPath(new URL('./station-fleet.ts', import.meta.url)), [String(port), String(STATIONS), PASSWORD], {
  execArgv: ['--import', 'tsx', '--conditions=source'],
});
const next = <T>() => new Promise<T>((resolve) => fleet.once('message', (m) => resolve(m as T)));
const fleetCount = async () => {
  fleet.send({ cmd: 'count' });
  return next<{ sent: number; cpuMicros: number; at: number }>();
};
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
const fleet0 = await fleetCount();
const frames0 = stats().framesAccepted;
const values0 = published;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const frames = stats().framesAccepted - frames0;
const values = published - values0;
const fleet1 = await fleetCount();
clearInterval(sampler);
fleet.send({ cmd: 'pause' });
await next();
fleet.send({ cmd: 'close' });
const fleetExited = new Promise((resolve) => fleet.once('exit', resolve));

const rate = frames / elapsed;
const core = (cpu.user + cpu.system) / 1e6 / elapsed;
const fleetElapsed = (fleet1.at - fleet0.at) / 1000;
const sentRate = (fleet1.sent - fleet0.sent) / fleetElapsed;
const fleetCore = (fleet1.cpuMicros - fleet0.cpuMicros) / 1e6 / fleetElapsed;
console.log(
  `${STATIONS} stations sending: ${fmt(rate)} packets/s decoded (${fmt(values / elapsed)} values/s published); driver process ${Math.round(core * 100)}% of a core; ` +
    `RSS peak ${mb(peakRss)} MB (+${mb(peakRss - idleRss)} MB over idle); malformed ${stats().framesMalformed}`,
);
// Which side limited the figure: a process near 100% of a core is at its limit.
const verdict =
  core >= 0.9
    ? 'the driver is at the limit of its core: the figure above is the driver\'s own'
    : fleetCore >= 0.9
      ? 'the fleet is at the limit of its core and the driver is not: the figure above is a lower bound for the driver'
      : 'neither process is at the limit of its core: something else (other load on the machine, loopback TCP) limited the figure';
console.log(
  `fleet (load generator): ${fmt(sentRate)} packets/s handed to its sockets (the kernel's socket buffers hold the difference to decoded), ` +
    `${Math.round(fleetCore * 100)}% of a core; ${verdict}`,
);
await instance.stop();
await fleetExited;
await new Promise((r) => setTimeout(r, 2000)); // the kernel tears down 1,000 connections and their buffers meanwhile

const rawChild = fork(fileURLToPath(new URL('./raw-limit.ts', import.meta.url)), [String(SECONDS), String(STATIONS), PASSWORD, CODES.map(([, code]) => code).join(',')], {
  execArgv: ['--import', 'tsx', '--conditions=source'],
});
const raw = (await new Promise<{ packetsPerSecond: number }>((resolve) => rawChild.once('message', (m) => resolve(m as { packetsPerSecond: number })))).packetsPerSecond;
console.log(`raw limit (codec alone, one core): ${fmt(raw)} packets/s; the driver decoded ${(rate / raw).toFixed(2)}x that`);
process.exit(0);
