/**
 * End to end: Modbus simulator -> gateway (the built CLI, its own process) -> journal -> Mosquitto ->
 * a counting subscriber, beside the raw ceiling (raw-loop.ts) against the same simulator and broker,
 * in the same run. Prints readings/s, the ratio to the raw ceiling, the gateway's CPU and RSS at a
 * fixed 100,000 readings/s, and p99 poll-to-publish latency at 10,000 readings/s.
 *
 * Environment: BENCH_SECONDS (per phase), BENCH_PHASES (max,100k,10k), BENCH_GATEWAY_NODE_ARGS
 * (options for the gateway process, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
 * Needs a broker: MQTT_URL, else Mosquitto on 127.0.0.1:1883, else a private `mosquitto` process.
 * Run with `npm run bench` (builds first) or: node --import tsx --conditions=source gateway/bench/end-to-end.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerUrl, measureGateway, readingCounter, reachable, sleep } from './support.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'distribution/dist/cli.js');
const SIM_CLI = join(REPO, 'simulators/modbus/dist/cli.js');
const POINTS_PER_DEVICE = 2000;
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_S = 5;

/** Extra Node.js options for the gateway process, e.g. `--cpu-prof` to profile it under load. */
const GATEWAY_NODE_ARGS = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** Phases to run (max, 100k, 10k); all by default. */
const PHASES = (process.env.BENCH_PHASES ?? 'max,100k,10k').split(',');

function benchProfile(): string {
  const points = Array.from({ length: POINTS_PER_DEVICE }, (_, i) => `  - { id: r${i}, table: holding, address: ${i}, type: uint16 }`);
  return `name: bench\ndescription: ${POINTS_PER_DEVICE} contiguous uint16 holding registers\npoints:\n${points.join('\n')}\nsimulate:\n  r0: { kind: counter, start: 0, step: 1, interval: 100ms }\n`;
}

interface Phase {
  name: string;
  devices: number;
  interval: number;
  latency?: boolean;
}

async function runPhase(phase: Phase, ctx: { dir: string; simPort: number; url: string; profile: string }) {
  const gateway = `bench-${phase.name}`;
  const config = join(ctx.dir, `${gateway}.yaml`);
  const devices = Array.from(
    { length: phase.devices },
    (_, i) => `  - id: d${i + 1}
    driver: modbus
    profile: ${ctx.profile}
    pollInterval: ${phase.interval}ms
    timeout: 2s
    connection: { host: 127.0.0.1, port: ${ctx.simPort}, unitId: ${i + 1}, maxRegisters: 125 }`,
  );
  await writeFile(
    config,
    `gateway: { id: ${gateway} }\nlog: { level: warn }\ndevices:\n${devices.join('\n')}\nsinks:\n  - type: mqtt\n    url: ${ctx.url}\n`,
  );
  const run = await measureGateway({
    cli: CLI,
    config,
    gateway,
    dataDir: join(ctx.dir, gateway),
    url: ctx.url,
    warmupSeconds: WARMUP_S,
    measureSeconds: MEASURE_S,
    nodeArgs: GATEWAY_NODE_ARGS,
    sampleLatency: phase.latency ?? false,
  });
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
  return {
    offered: Math.round((phase.devices * POINTS_PER_DEVICE * 1000) / phase.interval),
    delivered: run.delivered,
    cpu: run.cpu,
    rss: run.rss,
    p50: pct(50),
    p99: pct(99),
  };
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-bench-'));
  try {
    const url = await brokerUrl(children);
    const profile = join(dir, 'bench-profile.yaml');
    await writeFile(profile, benchProfile());
    const units = 12;
    const simPort = 25020 + Math.floor(Math.random() * 1000);
    const simArgs = ['--port', String(simPort)];
    for (let u = 1; u <= units; u++) simArgs.push('--profile', profile, '--unit', String(u));
    const sim = spawn(process.execPath, [SIM_CLI, ...simArgs], { stdio: ['pipe', 'ignore', 'inherit'] });
    children.push(sim);
    for (let i = 0; i < 100 && !(await reachable(simPort)); i++) await sleep(100);

    console.log(`broker ${url}; simulator pid ${sim.pid} on :${simPort} with ${units} units x ${POINTS_PER_DEVICE} registers; ${MEASURE_S} s per phase after ${WARMUP_S} s warm-up`);

    // The broker delivers to a subscriber in both runs, so both pay for the same fan-out.
    const rawSub = await readingCounter(url, 'sensegate/v1/raw/data', false);
    const raw = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'gateway/bench/raw-loop.ts'), String(simPort), String(units), url, String(MEASURE_S)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let rawOut = '';
    raw.stdout!.on('data', (d: Buffer) => (rawOut += d.toString()));
    await new Promise((r) => raw.once('exit', r));
    await rawSub.close();
    const ceiling = (JSON.parse(rawOut.trim().split('\n').pop()!) as { readingsPerSecond: number }).readingsPerSecond;

    const ctx = { dir, simPort, url, profile };
    const skipped = { offered: 0, delivered: 0, cpu: 0, rss: 0, p50: NaN, p99: NaN };
    const max = PHASES.includes('max') ? await runPhase({ name: 'max', devices: units, interval: 20 }, ctx) : skipped;
    const at100k = PHASES.includes('100k') ? await runPhase({ name: '100k', devices: 5, interval: 100 }, ctx) : skipped;
    const at10k = PHASES.includes('10k') ? await runPhase({ name: '10k', devices: 1, interval: 200, latency: true }, ctx) : skipped;

    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    const pctCore = (c: number) => `${(c * 100).toFixed(0)}% of a core`;
    console.log('');
    console.log(`raw ceiling (modbus-serial read + mqtt publish, no journal): ${ceiling.toLocaleString('en')} readings/s`);
    console.log(
      `end to end, journaled (offered ${max.offered.toLocaleString('en')}/s): ${max.delivered.toLocaleString('en')} readings/s = ${((100 * max.delivered) / ceiling).toFixed(0)}% of the raw ceiling; gateway ${pctCore(max.cpu)}, RSS ${mb(max.rss)}`,
    );
    console.log(`at ${at100k.offered.toLocaleString('en')} readings/s: delivered ${at100k.delivered.toLocaleString('en')}/s, gateway ${pctCore(at100k.cpu)}, RSS ${mb(at100k.rss)}`);
    console.log(`at ${at10k.offered.toLocaleString('en')} readings/s: poll-to-delivery latency p50 ${at10k.p50} ms, p99 ${at10k.p99} ms (gateway ${pctCore(at10k.cpu)}, RSS ${mb(at10k.rss)})`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
