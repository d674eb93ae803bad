/**
 * What the HTTP API costs a busy gateway: a site of 10,000 readings/s (one Modbus device of 2,000
 * points read every 200 ms; the built CLI in its own process, forwarding to the broker), measured
 * three ways in the same run:
 *   - the API off (`api.enabled: false`): the baseline, the limit the others are compared with;
 *   - the API on and idle: the in-memory latest values and trends it keeps;
 *   - the API on with 10 live-stream clients (every device) and a console on a device page (its
 *     own stream of that device, the device and its points every second, a trend every 5 s).
 * Prints the gateway's CPU (share of a core) and RSS for each, and the differences.
 *
 * Environment: BENCH_SECONDS (per phase, default 15). Needs a broker: MQTT_URL, else Mosquitto on
 * 127.0.0.1:1883, else a private `mosquitto` process.
 * Run with `npm run bench api` (builds first) or: node --import tsx --conditions=source gateway/bench/api.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerUrl, measureGateway, reachable, sleep } from './support.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'distribution/dist/cli.js');
const SIM_CLI = join(REPO, 'simulators/modbus/dist/cli.js');
const POINTS = 2000;
const INTERVAL = 200;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_S = 10;
const STREAMS = 10;

/** A live-stream client that reads everything and counts the bytes. */
function stream(port: number, query = ''): { bytes: () => number; close: () => void } {
  let bytes = 0;
  const req = request({ host: '127.0.0.1', port, path: `/api/v1/stream${query}` }, (res) => {
    if (res.statusCode !== 200) console.error(`GET /api/v1/stream${query}: ${res.statusCode}`);
    res.on('data', (d: Buffer) => (bytes += d.length));
  });
  req.on('error', (err) => console.error(`GET /api/v1/stream${query}: ${err.message}`));
  req.end();
  return { bytes: () => bytes, close: () => req.destroy() };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => (n += d.length));
      res.on('end', () => resolve(n));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Ten streams and a console on device d1's page. */
function consoleAndStreams(port: number, counted: { bytes: number }) {
  return async () => {
    for (let i = 0; i < 200 && !(await reachable(port)); i++) await sleep(100);
    const streams = Array.from({ length: STREAMS }, () => stream(port));
    const page = stream(port, '?device=d1');
    let open = true;
    const poll = (async () => {
      for (let tick = 0; open; tick++) {
        await get(port, '/api/v1/devices/d1');
        if (tick % 5 === 0) await get(port, '/api/v1/devices/d1/points/r0/history');
        await sleep(1000);
      }
    })();
    return {
      async stop() {
        open = false;
        await poll;
        counted.bytes = streams.reduce((n, s) => n + s.bytes(), 0) / STREAMS;
        for (const s of [...streams, page]) s.close();
      },
    };
  };
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-bench-api-'));
  try {
    const url = await brokerUrl(children);
    const profile = join(dir, 'bench-profile.yaml');
    const points = Array.from({ length: POINTS }, (_, i) => `  - { id: r${i}, table: holding, address: ${i}, type: uint16 }`);
    await writeFile(profile, `name: bench\ndescription: ${POINTS} registers\npoints:\n${points.join('\n')}\nsimulate:\n  r0: { kind: counter, start: 0, step: 1, interval: 100ms }\n`);
    const simPort = 26020 + Math.floor(Math.random() * 1000);
    const sim = spawn(process.execPath, [SIM_CLI, '--port', String(simPort), '--profile', profile, '--unit', '1'], { stdio: ['pipe', 'ignore', 'inherit'] });
    children.push(sim);
    for (let i = 0; i < 100 && !(await reachable(simPort)); i++) await sleep(100);
    console.log(`broker ${url}; ${POINTS} points every ${INTERVAL} ms = ${((POINTS * 1000) / INTERVAL).toLocaleString('en')} readings/s; ${MEASURE_S} s per phase after ${WARMUP_S} s warm-up`);

    const run = async (name: string, api: string, clients?: (port: number) => () => Promise<{ stop(): Promise<void> }>) => {
      const apiPort = 27020 + Math.floor(Math.random() * 1000);
      const config = join(dir, `${name}.yaml`);
      await writeFile(
        config,
        `gateway: { id: bench-api-${name} }
log: { level: warn }
devices:
  - id: d1
    driver: modbus
    profile: ${profile}
    pollInterval: ${INTERVAL}ms
    connection: { host: 127.0.0.1, port: ${simPort}, unitId: 1, maxRegisters: 125 }
sinks:
  - type: mqtt
    url: ${url}
api: ${api.replace('PORT', String(apiPort))}
`,
      );
      return measureGateway({
        cli: CLI,
        config,
        gateway: `bench-api-${name}`,
        dataDir: join(dir, name),
        url,
        warmupSeconds: WARMUP_S,
        measureSeconds: MEASURE_S,
        ...(clients ? { clients: clients(apiPort) } : {}),
      });
    };

    const counted = { bytes: 0 };
    const off = await run('off', '{ enabled: false }');
    const idle = await run('idle', '{ port: PORT }');
    const busy = await run('busy', '{ port: PORT }', (port) => consoleAndStreams(port, counted));

    const core = (c: number) => `${(c * 100).toFixed(1)}% of a core`;
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    const delta = (a: number, b: number, f: (x: number) => string) => `${a >= b ? '+' : '-'}${f(Math.abs(a - b))}`;
    console.log('');
    console.log(`API off (the baseline): delivered ${off.delivered.toLocaleString('en')}/s, gateway ${core(off.cpu)}, RSS ${mb(off.rss)}`);
    console.log(`API on, idle: delivered ${idle.delivered.toLocaleString('en')}/s, gateway ${core(idle.cpu)} (${delta(idle.cpu, off.cpu, core)}), RSS ${mb(idle.rss)} (${delta(idle.rss, off.rss, mb)})`);
    console.log(
      `API on, ${STREAMS} live streams + a console device page: delivered ${busy.delivered.toLocaleString('en')}/s, gateway ${core(busy.cpu)} (${delta(busy.cpu, off.cpu, core)} over off, ${delta(busy.cpu, idle.cpu, core)} over idle), ` +
        `RSS ${mb(busy.rss)} (${delta(busy.rss, off.rss, mb)} over off, ${delta(busy.rss, idle.rss, mb)} over idle); each stream received ${(counted.bytes / 1024).toFixed(0)} KB while measured`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
