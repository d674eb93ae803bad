/**
 * How much the Modbus simulator serves: 125-register holding reads (FC 3) over Modbus TCP from
 * N client connections, each keeping D requests in flight, against the simulator CLI in its own
 * process (as benchmarks run it). Prints requests/s, registers/s and the simulator's CPU use per
 * phase, then the simulator's CPU at a fixed 3,000 requests/s (the gateway benchmark's load).
 *
 * Run: node --import tsx --conditions=source simulators/modbus/bench/capacity.ts
 * Env: BENCH_SECONDS (per phase, default 5), BENCH_PHASES (e.g. "1x1,1x16,16x8,100x4": clients x depth).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PHASES = (process.env.BENCH_PHASES ?? '1x1,1x16,4x8,16x8,100x4').split(',').map((p) => p.split('x').map(Number) as [number, number]);
const UNITS = 12;
const REGISTERS = 2000;
const COUNT = 125;
const FIXED_RATE = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cpuSeconds(pid: number): Promise<number> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

/** D pre-built read requests (distinct transaction ids, units and addresses), sent again as answers come back. */
function requests(depth: number, seed: number): Buffer {
  const out = Buffer.alloc(depth * 12);
  for (let i = 0; i < depth; i++) {
    const at = i * 12;
    out.writeUInt16BE(i + 1, at);
    out.writeUInt16BE(0, at + 2);
    out.writeUInt16BE(6, at + 4);
    out[at + 6] = ((seed + i) % UNITS) + 1;
    out[at + 7] = 3;
    out.writeUInt16BE((((seed + i) * COUNT) % REGISTERS), at + 8);
    out.writeUInt16BE(COUNT, at + 10);
  }
  return out;
}

interface Client {
  answers: number;
  registers: number;
  errors: number;
  socket: Socket;
  /** Requests allowed to go out now (rate-limited phase); Infinity when closed-loop. */
  credit: number;
  owed: number;
}

function openClient(port: number, depth: number, seed: number, limited: boolean): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const batch = requests(depth, seed);
    const client: Client = { answers: 0, registers: 0, errors: 0, socket, credit: limited ? 0 : Infinity, owed: 0 };
    let rest: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      const data = rest ? Buffer.concat([rest, chunk]) : chunk;
      let off = 0;
      let done = 0;
      while (data.length - off >= 9) {
        const end = off + 6 + data.readUInt16BE(off + 4);
        if (end > data.length) break;
        if (data[off + 7] === 3) client.registers += data[off + 8]! >> 1;
        else client.errors++;
        done++;
        off = end;
      }
      rest = off < data.length ? data.subarray(off) : undefined;
      client.answers += done;
      client.owed += done;
      send(client, batch);
    });
    socket.once('connect', () => {
      client.owed = depth;
      send(client, batch);
      resolve(client);
    });
    socket.once('error', reject);
  });
}

/** Sends as many of the owed requests as the credit allows, in one write. */
function send(client: Client, batch: Buffer): void {
  const n = Math.min(client.owed, client.credit);
  if (n <= 0 || client.socket.destroyed) return;
  client.owed -= n;
  client.credit -= n;
  for (let sent = 0; sent < n; ) {
    const k = Math.min(n - sent, batch.length / 12);
    client.socket.write(batch.subarray(0, k * 12));
    sent += k;
  }
}

async function phase(port: number, sim: ChildProcess, clients: number, depth: number, rate?: number) {
  const list = await Promise.all(Array.from({ length: clients }, (_, i) => openClient(port, depth, i * 7, rate !== undefined)));
  const batches = list.map((_, i) => requests(depth, i * 7));
  let pacer: NodeJS.Timeout | undefined;
  if (rate !== undefined) {
    // Hand out credit every 10 ms so the offered load is `rate` requests/s in total.
    const perTick = rate / 100 / clients;
    let carry = 0;
    pacer = setInterval(() => {
      carry += perTick;
      const whole = Math.floor(carry);
      carry -= whole;
      list.forEach((c, i) => {
        c.credit = Math.min(c.credit + whole, depth);
        send(c, batches[i]!);
      });
    }, 10);
  }
  await sleep(1000); // warm-up
  const a0 = list.reduce((s, c) => s + c.answers, 0);
  const r0 = list.reduce((s, c) => s + c.registers, 0);
  const cpu0 = await cpuSeconds(sim.pid!);
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = ((await cpuSeconds(sim.pid!)) - cpu0) / seconds;
  const answers = list.reduce((s, c) => s + c.answers, 0) - a0;
  const registers = list.reduce((s, c) => s + c.registers, 0) - r0;
  const errors = list.reduce((s, c) => s + c.errors, 0);
  clearInterval(pacer);
  for (const c of list) c.socket.destroy();
  return { requestsPerSecond: Math.round(answers / seconds), registersPerSecond: Math.round(registers / seconds), simulatorCpu: cpu, errors };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-modbus-bench-'));
  let sim: ChildProcess | undefined;
  try {
    const profile = join(dir, 'bench.yaml');
    const points = Array.from({ length: REGISTERS }, (_, i) => `  - { id: r${i}, address: ${i}, type: uint16 }`).join('\n');
    await writeFile(profile, `name: bench\npoints:\n${points}\nsimulate:\n  r0: { kind: counter, start: 0, step: 1, interval: 100ms }\n  r1: { kind: sine, min: 0, max: 1000, period: 10s }\n`);
    const args = ['--port', '0'];
    for (let u = 1; u <= UNITS; u++) args.push('--profile', profile, '--unit', String(u));
    sim = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', CLI, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const banner = await new Promise<string>((resolve) => sim!.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    const port = Number(/:(\d+):/.exec(banner)![1]);
    console.log(`simulator pid ${sim.pid}: ${UNITS} units x ${REGISTERS} registers on :${port}; FC 3 reads of ${COUNT} registers; ${SECONDS} s per phase`);
    console.log('clients x in-flight   requests/s   registers/s   simulator CPU');
    for (const [clients, depth] of PHASES) {
      const r = await phase(port, sim, clients, depth);
      console.log(
        `${`${clients} x ${depth}`.padEnd(20)}${String(r.requestsPerSecond).padStart(11)}${String(r.registersPerSecond).padStart(14)}${`${Math.round(r.simulatorCpu * 100)}%`.padStart(16)}${r.errors ? `  (${r.errors} errors)` : ''}`,
      );
    }
    const fixed = await phase(port, sim, 16, 8, FIXED_RATE);
    console.log(`fixed ${FIXED_RATE} requests/s (16 clients): served ${fixed.requestsPerSecond}/s, ${fixed.registersPerSecond} registers/s, simulator CPU ${Math.round(fixed.simulatorCpu * 100)}%`);
    // The simulator's own count, as a cross-check of the client-side figures.
    sim.stdin!.write('status\n');
    const status = await new Promise<string>((resolve) => sim!.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    console.log(`simulator says: ${status}`);
  } finally {
    sim?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
