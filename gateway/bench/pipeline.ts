/**
 * Edge pipeline throughput, two ways, in one run:
 *
 * 1. In process, on one core: readings through the Pipeline the gateway uses, against the same
 *    loop with no pipeline configured (the raw limit: a map lookup and the hand-off to the journal
 *    writer), with five steps per point in two arrangements:
 *    - condensing (the order a station uses): deadband, range, 1-minute average, alarm on the
 *      average, and a derived point computed from the average;
 *    - computing on every reading (the dearest): deadband, range and alarm on the point, and a
 *      derived point computed from every reading by an expression, then averaged over a minute.
 * 2. End to end, at a fixed offered load (default 300,000 readings/s): the built gateway polling a
 *    Modbus simulator into the journal and Mosquitto, once without a pipeline and once with five
 *    steps on every point: deadband, range and alarm on the point, a 1-minute average of a copy of
 *    its readings (`from:`), and a derived point computed from that average. Every reading passes
 *    the deadband (`maxSilence: 0`), so both runs journal and publish the same readings (and the
 *    averages) and the CPU difference is the pipeline's work.
 *
 * Environment: BENCH_SECONDS (per end-to-end phase, default 15), BENCH_RATE (offered readings/s,
 * default 300000), BENCH_POINTS (in-process points, default 10000), BENCH_PHASES (inproc,e2e).
 * Run with `npm run bench -- pipeline` (builds first) or:
 *   node --import tsx --conditions=source gateway/bench/pipeline.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlSource, silentLogger, type DeviceEvent, type Reading } from '@sensegate/sdk';
import type { DeviceConfig, PointConfig } from '../src/config/load.js';
import { resolveDerived, resolvePipeline } from '../src/config/pipeline.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { StepRegistry } from '../src/pipeline/registry.js';
import { derivedSchema } from '../src/pipeline/schema.js';
import { PointNormalizer } from '../src/runtime/normalize.js';
import { brokerUrl, measureGateway, reachable, sleep } from './support.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'distribution/dist/cli.js');
const SIM_CLI = join(REPO, 'simulators/modbus/dist/cli.js');
const PHASES = (process.env.BENCH_PHASES ?? 'inproc,e2e').split(',');
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_S = 5;
const RATE = Number(process.env.BENCH_RATE ?? 300_000);
const INPROC_POINTS = Number(process.env.BENCH_POINTS ?? 10_000);
const POINTS_PER_DEVICE = 2000;

/** The five steps, as a site would write them: condensing (the point's feed is its minute averages). */
const CONDENSING = {
  pipeline: `[ { deadband: { absolute: 0.5 } }, { range: { min: -1000, max: 100000 } }, { window: { size: 1m, function: avg } }, { alarm: { above: 90000, hysteresis: 10, onDelay: 10s } } ]`,
  derived: (point: string) => [`{ id: ${point}.flow, expression: '${point} * 0.25 + 1.5', unit: m3/h, decimals: 2 }`],
};
/** Computing on every reading: every reading is journaled, and feeds an expression and a window. */
const EVERY_READING = {
  pipeline: `[ { deadband: { absolute: 0.5, maxSilence: 0 } }, { range: { min: -1000, max: 100000 } }, { alarm: { above: 90000, hysteresis: 10, onDelay: 10s } } ]`,
  derived: (point: string) => [`{ id: ${point}.flow, expression: '${point} * 0.25 + 1.5', unit: m3/h, decimals: 2, pipeline: [ { window: { size: 1m, function: avg } } ] }`],
};
/**
 * End to end: every reading still journaled (so the CPU difference is the steps' work alone), the
 * minute average taken on a copy of the readings, and a derived point computed from the average.
 */
const E2E = {
  pipeline: EVERY_READING.pipeline,
  derived: (point: string) => [
    `{ id: ${point}.avg, from: ${point}, pipeline: [ { window: { size: 1m, function: avg } } ] }`,
    `{ id: ${point}.flow, expression: '${point}.avg * 0.25 + 1.5', unit: m3/h, decimals: 2 }`,
  ],
};
type Arrangement = typeof CONDENSING;

// --- 1. in process --------------------------------------------------------------------------

async function buildInProcess(points: number, arrangement: Arrangement | undefined) {
  const withPipeline = arrangement !== undefined;
  const devices: DeviceConfig[] = [];
  const normalizers = new Map<string, Map<string, PointNormalizer>>();
  const steps = new StepRegistry();
  const perDevice = 1000;
  for (let d = 0; d < points / perDevice; d++) {
    const id = `d${d}`;
    const text = arrangement
      ? `pipeline: ${arrangement.pipeline}\nderived:\n${Array.from({ length: perDevice }, (_, i) => arrangement.derived(`p${i}`).map((d) => `  - ${d}`).join('\n')).join('\n')}\n`
      : 'pipeline: []\nderived: []\n';
    const source = parseYamlSource(`${id}.yaml`, text);
    const scope = { source, steps, issues: [] };
    const data = source.data as { pipeline: Array<Record<string, unknown>>; derived: unknown[] };
    const pipeline = withPipeline ? await resolvePipeline(data.pipeline, ['pipeline'], { device: id, point: '*' }, scope) : undefined;
    const pts: PointConfig[] = Array.from({ length: perDevice }, (_, i) => ({ id: `p${i}`, scale: 1, offset: 0, writable: false, enabled: true }) as PointConfig);
    const derived = [];
    if (withPipeline) {
      for (let i = 0; i < data.derived.length; i++) derived.push((await resolveDerived(derivedSchema.parse(data.derived[i]), id, ['derived', i], scope))!);
    }
    if (scope.issues.length) throw new Error(JSON.stringify(scope.issues));
    devices.push({ id, driver: 'bench', enabled: true, points: pts, ...(pipeline ? { pipeline } : {}), derived } as unknown as DeviceConfig);
    normalizers.set(id, new Map(pts.map((p) => [p.id, new PointNormalizer(id, p)])));
  }
  let out = 0;
  let events = 0;
  const feed = { reading: (_r: Reading, _n: PointNormalizer) => void out++, event: (_e: DeviceEvent) => void events++ };
  const pipeline = new Pipeline({ out: feed, log: silentLogger });
  pipeline.build(devices, (id) => normalizers.get(id)!);
  return { devices, normalizers, pipeline, outputs: () => out };
}

/** Feeds `rounds` polls of every point (1 s apart in reading time) and returns readings/s of CPU. */
async function runInProcess(points: number, arrangement: Arrangement | undefined, seconds: number) {
  const { devices, normalizers, pipeline, outputs } = await buildInProcess(points, arrangement);
  const groups = devices.map((d) => ({ list: [...normalizers.get(d.id)!.values()], id: d.id }));
  let ts = Date.UTC(2026, 0, 1);
  let readings = 0;
  let value = 0;
  const round = async () => {
    for (const g of groups) {
      for (let i = 0; i < g.list.length; i++) {
        const n = g.list[i]!;
        value = (value + 7.3) % 1000;
        pipeline.reading({ device: g.id, point: n.point, ts, value, quality: 'good' }, n);
      }
      readings += g.list.length;
      await Promise.resolve(); // a poll ends: derived points settle, as after each poll in the gateway
    }
    ts += 1000;
  };
  const warmEnd = performance.now() + 2000;
  while (performance.now() < warmEnd) await round();
  readings = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) await round();
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { perCore: readings / cpuSeconds, nsPerReading: (cpuSeconds * 1e9) / readings, outputs: outputs() };
}

// --- 2. end to end ----------------------------------------------------------------------------

async function runEndToEnd(
  name: string,
  arrangement: Arrangement | undefined,
  ctx: { dir: string; url: string; simPort: number; profile: string; devices: number; interval: number },
) {
  const gateway = `bench-pipeline-${name}`;
  const config = join(ctx.dir, `${gateway}.yaml`);
  const withPipeline = arrangement !== undefined;
  const derived = arrangement ? Array.from({ length: POINTS_PER_DEVICE }, (_, i) => arrangement.derived(`r${i}`).map((d) => `      - ${d}`).join('\n')).join('\n') : '';
  const devices = Array.from(
    { length: ctx.devices },
    (_, i) => `  - id: d${i + 1}
    driver: modbus
    profile: ${ctx.profile}
    pollInterval: ${ctx.interval}ms
    timeout: 2s
    connection: { host: 127.0.0.1, port: ${ctx.simPort}, unitId: ${i + 1}, maxRegisters: 125 }
${withPipeline ? `    pipeline: ${arrangement.pipeline}\n    derived:\n${derived}` : ''}`,
  );
  await writeFile(config, `gateway: { id: ${gateway} }\nlog: { level: warn }\ndevices:\n${devices.join('\n')}\nsinks:\n  - type: mqtt\n    url: ${ctx.url}\n`);
  return measureGateway({ cli: CLI, config, gateway, dataDir: join(ctx.dir, gateway), url: ctx.url, warmupSeconds: WARMUP_S, measureSeconds: MEASURE_S });
}

async function main(): Promise<void> {
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  if (PHASES.includes('inproc')) {
    const raw = await runInProcess(INPROC_POINTS, undefined, 5);
    console.log(`in process, ${INPROC_POINTS.toLocaleString('en')} points, one core:`);
    console.log(`  raw limit (no pipeline configured): ${fmt(raw.perCore)} readings/s per core (${raw.nsPerReading.toFixed(0)} ns each)`);
    for (const [name, arrangement] of [
      ['condensing: deadband, range, 1-minute average, alarm, derived from the average', CONDENSING],
      ['computing on every reading: deadband, range, alarm, derived from every reading, 1-minute average of it', EVERY_READING],
      ['as end to end: deadband, range, alarm; 1-minute average of a copy; derived from the average', E2E],
    ] as const) {
      const piped = await runInProcess(INPROC_POINTS, arrangement, 5);
      const share = (RATE * (piped.nsPerReading - raw.nsPerReading)) / 1e9;
      console.log(
        `  ${name}: ${fmt(piped.perCore)} readings/s per core (${piped.nsPerReading.toFixed(0)} ns each) = ${(piped.perCore / raw.perCore).toFixed(3)}x the raw limit; at ${fmt(RATE)} readings/s: ${(share * 100).toFixed(1)}% of one core`,
      );
    }
  }
  if (!PHASES.includes('e2e')) return;
  const children: ChildProcess[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-bench-pipeline-'));
  try {
    const url = await brokerUrl(children);
    const profile = join(dir, 'bench-profile.yaml');
    const regs = Array.from({ length: POINTS_PER_DEVICE }, (_, i) => `  - { id: r${i}, table: holding, address: ${i}, type: uint16 }`);
    await writeFile(profile, `name: bench\ndescription: ${POINTS_PER_DEVICE} registers\npoints:\n${regs.join('\n')}\nsimulate:\n  r0: { kind: counter, start: 0, step: 1, interval: 100ms }\n`);
    // RATE readings/s from devices of 2,000 points each, polled every `interval` ms.
    const interval = 40;
    const devices = Math.max(1, Math.round((RATE * interval) / 1000 / POINTS_PER_DEVICE));
    const simPort = 26020 + Math.floor(Math.random() * 1000);
    const simArgs = ['--port', String(simPort)];
    for (let u = 1; u <= devices; u++) simArgs.push('--profile', profile, '--unit', String(u));
    children.push(spawn(process.execPath, [SIM_CLI, ...simArgs], { stdio: ['pipe', 'ignore', 'inherit'] }));
    for (let i = 0; i < 100 && !(await reachable(simPort)); i++) await sleep(100);
    const ctx = { dir, url, simPort, profile, devices, interval };
    const off = await runEndToEnd('off', undefined, ctx);
    const on = await runEndToEnd('all', E2E, ctx);
    const condensing = await runEndToEnd('condensing', CONDENSING, ctx);
    const offered = (devices * POINTS_PER_DEVICE * 1000) / interval;
    const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
    console.log(`end to end at ${fmt(offered)} readings/s offered (${devices} devices x ${POINTS_PER_DEVICE} points every ${interval} ms), broker ${url}:`);
    console.log(`  without pipeline: delivered ${fmt(off.delivered)}/s, gateway ${(off.cpu * 100).toFixed(0)}% of a core, RSS ${mb(off.rss)}`);
    console.log(`  with five steps per point (deadband, range, alarm; a 1-minute average of a copy; a derived point from the average): delivered ${fmt(on.delivered)}/s, gateway ${(on.cpu * 100).toFixed(0)}% of a core, RSS ${mb(on.rss)}`);
    const cost = on.cpu - off.cpu;
    console.log(
      `  the pipeline costs ${(cost * 100).toFixed(1)}% of a core = ${((100 * cost) / off.cpu).toFixed(0)}% of the end-to-end CPU at this rate (target: under 20%)${on.delivered < 0.95 * off.delivered ? '; the gateway could not keep up, so the cost is larger than this difference shows' : ''}`,
    );
    console.log(
      `  condensing (deadband, range, 1-minute average, alarm, derived from the average; only averages journaled): delivered ${fmt(condensing.delivered)}/s, gateway ${(condensing.cpu * 100).toFixed(0)}% of a core, RSS ${mb(condensing.rss)}`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
