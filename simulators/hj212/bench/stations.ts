/**
 * How many HJ 212 stations one simulator process carries: the CLI with `--count N` in its own
 * process (as benchmarks run it) dials a counting platform here that decodes every frame with the
 * driver's codec. Prints the time until every station is connected, frames/s received, decode
 * failures, and the simulator's CPU and resident memory (per station).
 *
 * Run: node --import tsx --conditions=source simulators/hj212/bench/stations.ts
 * Memory per station is the growth of resident memory over the first phase (one station), which
 * holds the runtime and the compiled sources.
 * Env: BENCH_SECONDS (measured time, default 10), BENCH_COUNTS (default "1,100,1000"), BENCH_REALTIME
 * (real-time interval, default 1s: N stations send N frames/s).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { FrameDecoder } from '@sensegate/driver-hj212/protocol';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const COUNTS = (process.env.BENCH_COUNTS ?? '1,100,1000').split(',').map(Number);
const REALTIME = process.env.BENCH_REALTIME ?? '1s';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cpuSeconds(pid: number): Promise<number> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

let baseline: { count: number; rss: number } | undefined;

async function phase(count: number): Promise<void> {
  let open = 0;
  let frames = 0;
  let failures = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    open++;
    sockets.add(socket);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const r of decoder.push(chunk)) r.ok ? frames++ : failures++;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      open--;
      sockets.delete(socket);
    });
  });
  server.maxConnections = count + 100;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const port = (server.address() as { port: number }).port;

  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', CLI, '--port', String(port), '--count', String(count), '--realtime', REALTIME, '--quiet', '--report', '1h'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  let connectedAfter = NaN;
  for (let waited = 0; waited < 60_000; waited += 10) {
    if (open >= count) {
      connectedAfter = Date.now() - started;
      break;
    }
    await sleep(10);
  }
  // Let the start-up settle (module loading, connection bursts) before measuring.
  await sleep(2000);
  const cpu0 = await cpuSeconds(child.pid!);
  const frames0 = frames;
  const t0 = Date.now();
  await sleep(SECONDS * 1000);
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = (await cpuSeconds(child.pid!)) - cpu0;
  const rss = await rssMiB(child.pid!);
  const rate = (frames - frames0) / elapsed;
  baseline ??= { count, rss };
  const perStation = count > baseline.count ? `, +${(((rss - baseline.rss) * 1024) / (count - baseline.count)).toFixed(1)} KiB/station` : '';
  console.log(
    `| ${count} | ${Number.isNaN(connectedAfter) ? 'not all' : `${connectedAfter} ms`} | ${open} | ${rate.toFixed(0)} | ${failures} | ` +
      `${((cpu / elapsed) * 100).toFixed(1)}% | ${rss.toFixed(0)} MiB${perStation} |`,
  );
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

console.log(`HJ 212 stations from one simulator process, real-time every ${REALTIME}, measured over ${SECONDS} s`);
console.log('| stations | all connected after | connected | frames/s received | decode failures | simulator CPU | simulator RSS |');
console.log('|---|---|---|---|---|---|---|');
for (const count of COUNTS) await phase(count);
