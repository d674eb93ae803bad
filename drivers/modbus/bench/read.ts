/**
 * How many points per second the Modbus driver reads from the simulator (in a child process) with
 * plans of full 125-register requests, beside a bare modbus-serial loop reading the same blocks on
 * the same kind of connection, and the ratio. The driver decodes every point into a batch; the bare
 * loop only receives the registers, so the ratio is what planning, queueing and decoding cost.
 *
 *   node --import tsx --conditions=source drivers/modbus/bench/read.ts [seconds per run, default 3]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type DeviceRef, type PointRef, type Quality, type ReadBatch, type ReadPlan, type SensegateError, type Value } from '@sensegate/sdk';
import { createTestContext } from '@sensegate/sdk/testing';
import modbusSerial from 'modbus-serial';
import modbus, { type ModbusConnection, type ModbusPointFields } from '../src/index.js';

const SECONDS = Number(process.argv[2] ?? 3);
const IN_FLIGHT = 8;
const FLOATS = 62 * 16; // 16 requests of 124 registers
const WORDS = 125 * 16; // 16 requests of 125 registers

/** A ReadBatch like the gateway's: preallocated arrays, nothing allocated per point. */
class BenchBatch implements ReadBatch<ModbusPointFields> {
  readonly values: Value[];
  goodCount = 0;
  badCount = 0;
  readonly signal = new AbortController().signal;
  readonly time = Date.now();
  constructor(
    readonly points: readonly PointRef<ModbusPointFields>[],
    readonly plan: ReadPlan | undefined,
  ) {
    this.values = new Array<Value>(points.length).fill(null);
  }
  good(index: number, value: Value): void {
    this.values[index] = value;
    this.goodCount++;
  }
  set(index: number, value: Value, _quality: Quality): void {
    this.good(index, value);
  }
  fail(_index: number, _error: SensegateError): void {
    this.badCount++;
  }
}

function profileYaml(): string {
  const lines = ['name: bench', 'points:'];
  for (let i = 0; i < FLOATS; i++) lines.push(`  - { id: f${i}, table: holding, address: ${i * 2}, type: float32 }`);
  for (let i = 0; i < WORDS; i++) lines.push(`  - { id: w${i}, table: input, address: ${i}, type: uint16 }`);
  lines.push('simulate:');
  for (let i = 0; i < FLOATS; i += 50) lines.push(`  f${i}: { kind: sine, min: 0, max: 100, period: 1m }`);
  return lines.join('\n') + '\n';
}

async function startSimulator(profile: string): Promise<{ port: number; stop(): void }> {
  const child = fork(fileURLToPath(new URL('./sim-child.ts', import.meta.url)), [profile], {
    execArgv: ['--import', 'tsx', '--conditions=source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { port, stop: () => child.disconnect() };
}

function devicePoints(prefix: 'f' | 'w'): PointRef<ModbusPointFields>[] {
  const n = prefix === 'f' ? FLOATS : WORDS;
  return Array.from({ length: n }, (_, i) => {
    const spec = {
      id: `${prefix}${i}`,
      table: prefix === 'f' ? 'holding' : 'input',
      address: prefix === 'f' ? i * 2 : i,
      type: prefix === 'f' ? 'float32' : 'uint16',
      byteOrder: 'ABCD',
      scale: 1,
      offset: 0,
      writable: false,
      enabled: true,
    } as const;
    return { id: spec.id, spec: spec as unknown as PointRef<ModbusPointFields>['spec'] };
  });
}

/** Polls `pollers` devices back to back for SECONDS; returns points/s and requests/s. */
async function runDriver(port: number, prefix: 'f' | 'w', pollers: number): Promise<{ points: number; requests: number }> {
  const instance = modbus.create(createTestContext());
  const connection: ModbusConnection = modbus.connection.parse({ host: '127.0.0.1', port, maxConcurrentRequests: IN_FLIGHT });
  const points = devicePoints(prefix);
  const devices: DeviceRef<ModbusConnection, ModbusPointFields>[] = Array.from({ length: pollers }, (_, i) => ({
    id: `bench-${i}`,
    connection,
    points,
    timeout: 5000,
    pollInterval: 1000,
    reconnect: { initialDelay: 100, maxDelay: 1000 },
    tags: {},
    log: silentLogger,
  }));
  for (const d of devices) await instance.addDevice(d);
  const plan = instance.planRead!(devices[0]!, points);
  const requestsPerPoll = plan.describe().length;
  let good = 0;
  let polls = 0;
  let measuring = false;
  const stopAt = Date.now() + 500 + SECONDS * 1000;
  const loop = async (device: DeviceRef<ModbusConnection, ModbusPointFields>) => {
    const batch = new BenchBatch(points, instance.planRead!(device, points));
    while (Date.now() < stopAt) {
      batch.goodCount = 0;
      await instance.read!(device, batch);
      if (batch.badCount > 0) throw new Error(`${batch.badCount} points failed during the benchmark`);
      if (measuring) {
        good += batch.goodCount;
        polls++;
      }
    }
  };
  const running = devices.map(loop);
  await new Promise((r) => setTimeout(r, 500));
  measuring = true;
  const started = Date.now();
  await Promise.all(running);
  const elapsed = (Date.now() - started) / 1000;
  await instance.stop();
  return { points: good / elapsed, requests: (polls * requestsPerPoll) / elapsed };
}

/** The same blocks read with modbus-serial directly, IN_FLIGHT requests at a time on one connection. */
async function runRaw(port: number, prefix: 'f' | 'w'): Promise<{ points: number; requests: number }> {
  const Client = (modbusSerial as unknown as { default: new () => RawClient }).default;
  interface RawClient {
    connectTCP(host: string, options: { port: number }): Promise<void>;
    setID(id: number): void;
    setTimeout(ms: number): void;
    readHoldingRegisters(address: number, count: number): Promise<{ buffer: Buffer }>;
    readInputRegisters(address: number, count: number): Promise<{ buffer: Buffer }>;
    close(cb: () => void): void;
  }
  const client = new Client();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  client.setTimeout(5000);
  const blocks = 16;
  const perBlock = prefix === 'f' ? 62 : 125;
  const count = prefix === 'f' ? 124 : 125;
  let points = 0;
  let requests = 0;
  let measuring = false;
  const stopAt = Date.now() + 500 + SECONDS * 1000;
  const loop = async (lane: number) => {
    for (let b = lane; Date.now() < stopAt; b = (b + IN_FLIGHT) % blocks) {
      if (prefix === 'f') await client.readHoldingRegisters(b * count, count);
      else await client.readInputRegisters(b * count, count);
      if (measuring) {
        points += perBlock;
        requests++;
      }
    }
  };
  const running = Array.from({ length: IN_FLIGHT }, (_, lane) => loop(lane));
  await new Promise((r) => setTimeout(r, 500));
  measuring = true;
  const started = Date.now();
  await Promise.all(running);
  const elapsed = (Date.now() - started) / 1000;
  await new Promise<void>((r) => client.close(() => r()));
  return { points: points / elapsed, requests: requests / elapsed };
}

const dir = mkdtempSync(join(tmpdir(), 'sg-modbus-bench-'));
const profile = join(dir, 'bench.yaml');
writeFileSync(profile, profileYaml());
const sim = await startSimulator(profile);
try {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
  console.log(`Modbus TCP read benchmark: ${SECONDS} s per run, simulator in a child process, ${IN_FLIGHT} requests in flight`);
  console.log('plan                                 driver pts/s   raw pts/s  ratio  driver req/s  raw req/s');
  for (const [label, prefix] of [
    ['float32, 16 x 124-register requests', 'f'],
    ['uint16, 16 x 125-register requests ', 'w'],
  ] as const) {
    const driver = await runDriver(sim.port, prefix, 2);
    const raw = await runRaw(sim.port, prefix);
    console.log(`${label} ${fmt(driver.points)}  ${fmt(raw.points)}  ${(driver.points / raw.points).toFixed(2).padStart(5)}  ${fmt(driver.requests)}  ${fmt(raw.requests)}`);
  }
} finally {
  sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
