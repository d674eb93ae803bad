/**
 * The camera video relay: N simulated 1280x720 15 fps cameras (one libx264 ffmpeg each, in a
 * child process with the simulator's RTSP server), each pulled by the relay in this process and
 * played by one HTTP-FLV viewer (a raw socket reader in another child process, counting bytes).
 *
 * 1. The relay: this process's CPU (% of one core) and RSS over the measured window, and the
 *    bytes its viewers received.
 * 2. Raw limit, in the same run and process: a bare RTSP client per camera (DESCRIBE, SETUP,
 *    PLAY, no auth) whose socket is piped unchanged to a TCP sink: the cost of just moving the
 *    same bytes, which no relay can avoid. The ratio of the two is printed.
 * The encoders' load (CPU of the ffmpeg processes, load average) is printed too: on a small box
 * they, not the relay, are the limit, and starved encoders deliver fewer bytes.
 *
 * Usage: node --import tsx --conditions=source gateway/bench/video-relay.ts [--streams N]
 * Environment: BENCH_SECONDS (measured, default 20).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@sensegate/sdk';
import { VideoRelay } from '../src/video/relay/index.js';
import { sleep, usage } from './support.js';

const SELF = fileURLToPath(import.meta.url);
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const STREAMS = Number(arg('--streams') ?? 16);
const MEASURE_S = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_S = 5;
const fmt = (n: number, d = 1) => n.toFixed(d);

// ── child roles ────────────────────────────────────────────────────────────────────────────

/** `--role cameras`: the simulated cameras; prints their RTSP port, then runs until killed. */
async function camerasRole(): Promise<void> {
  const { startCameraStreams } = await import('@sensegate/sim-onvif');
  const cameras = await startCameraStreams({
    cameras: Array.from({ length: STREAMS }, (_, i) => ({ id: `cam-${i}`, width: 1280, height: 720, fps: 15 })),
    rtspPort: 0,
    host: '127.0.0.1',
  });
  console.log(JSON.stringify({ rtspPort: cameras.rtspPort }));
  process.on('SIGTERM', () => void cameras.close().then(() => process.exit(0)));
}

/** `--role readers`: a TCP sink and one raw HTTP reader per `--urls` entry; prints bytes received each second. */
async function readersRole(): Promise<void> {
  let bytes = 0;
  const sink = createServer((s) => s.on('data', (d: Buffer) => (bytes += d.length)).on('error', () => {}));
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  for (const url of (arg('--urls') ?? '').split(',').filter(Boolean)) {
    const u = new URL(url);
    const s = connect(Number(u.port), u.hostname, () => s.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`));
    s.on('data', (d: Buffer) => (bytes += d.length)).on('error', () => {});
  }
  console.log(JSON.stringify({ sinkPort: (sink.address() as { port: number }).port }));
  setInterval(() => console.log(JSON.stringify({ bytes })), 1000);
}

// ── parent ─────────────────────────────────────────────────────────────────────────────────

function child(args: string[]): { proc: ChildProcess; lines: AsyncIterableIterator<string>; last: { bytes: number } } {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: proc.stdout! });
  const last = { bytes: 0 };
  const lines = rl[Symbol.asyncIterator]();
  return { proc, lines, last };
}

async function firstJson<T>(c: ReturnType<typeof child>): Promise<T> {
  const { value } = await c.lines.next();
  const parsed = JSON.parse(value as string) as T;
  // Keep reading the byte counts in the background.
  void (async () => {
    for await (const line of { [Symbol.asyncIterator]: () => c.lines }) {
      const m = JSON.parse(line) as { bytes?: number };
      if (m.bytes !== undefined) c.last.bytes = m.bytes;
    }
  })();
  return parsed;
}

/** Every ffmpeg below a process (the encoders), by pid. */
async function encoders(root: number): Promise<number[]> {
  const out: number[] = [];
  const walk = async (pid: number) => {
    for (const task of await readdir(`/proc/${pid}/task`).catch(() => [])) {
      const kids = (await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean).map(Number);
      for (const k of kids) {
        if ((await readFile(`/proc/${k}/comm`, 'utf8').catch(() => '')).trim() === 'ffmpeg') out.push(k);
        await walk(k);
      }
    }
  };
  await walk(root);
  return out;
}

async function encoderCpu(pids: number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += (await usage(pid).catch(() => ({ cpu: 0 }))).cpu;
  return total;
}

/** Measures this process (and the encoders and the readers' byte count) over the window. */
async function measure(readers: ReturnType<typeof child>, ffmpegs: number[]) {
  await sleep(WARMUP_S * 1000);
  const cpu0 = process.cpuUsage();
  const enc0 = await encoderCpu(ffmpegs);
  const bytes0 = readers.last.bytes;
  const t0 = Date.now();
  let rssMax = 0;
  for (let i = 0; i < MEASURE_S; i++) {
    await sleep(1000);
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    cpu: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    rss: rssMax / 1024 / 1024,
    mbit: ((readers.last.bytes - bytes0) * 8) / elapsed / 1e6,
    encoders: (((await encoderCpu(ffmpegs)) - enc0) / elapsed) * 100,
    load: loadavg()[0]!,
  };
}

/** A bare RTSP client: DESCRIBE, SETUP (TCP interleaved), PLAY; then its socket is piped to `out`. */
async function rawPull(url: string, out: Socket): Promise<Socket> {
  const s = connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  let cseq = 0;
  let buffered = '';
  const request = (method: string, uri: string, headers: string) =>
    new Promise<string>((resolve) => {
      const onData = (d: Buffer) => {
        buffered += d.toString('latin1');
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        s.off('data', onData);
        const answer = buffered.slice(0, end + 4 + length);
        buffered = '';
        resolve(answer);
      };
      s.on('data', onData);
      s.write(`${method} ${uri} RTSP/1.0\r\nCSeq: ${++cseq}\r\n${headers}\r\n`);
    });
  const sdp = await request('DESCRIBE', url, 'Accept: application/sdp\r\n');
  const control = /a=control:(\S+)/g;
  let track = url;
  for (const m of sdp.matchAll(control)) if (m[1] !== '*') track = m[1]!.startsWith('rtsp://') ? m[1]! : `${url}/${m[1]}`;
  const setup = await request('SETUP', track, 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n');
  const session = /Session: ([^;\r\n]+)/i.exec(setup)?.[1] ?? '';
  s.write(`PLAY ${url} RTSP/1.0\r\nCSeq: ${++cseq}\r\nSession: ${session}\r\n\r\n`);
  s.pipe(out);
  return s;
}

async function main(): Promise<void> {
  const cameras = child(['--role', 'cameras', '--streams', String(STREAMS)]);
  const started = Date.now();
  const { rtspPort } = await firstJson<{ rtspPort: number }>(cameras);
  const ffmpegs = await encoders(cameras.proc.pid!);
  console.log(`${STREAMS} cameras at 1280x720, 15 fps (libx264, ${ffmpegs.length} encoders up in ${((Date.now() - started) / 1000).toFixed(1)} s), one HTTP-FLV viewer each, ${MEASURE_S} s measured on ${(await readFile('/proc/cpuinfo', 'utf8')).match(/^processor/gm)?.length ?? '?'} cores`);
  const urls = Array.from({ length: STREAMS }, (_, i) => `rtsp://127.0.0.1:${rtspPort}/cam-${i}/main`);
  const dataDir = await mkdtemp(join(tmpdir(), 'sensegate-bench-relay-'));
  const children: ChildProcess[] = [cameras.proc];
  try {
    // 1. The relay.
    const relay = await VideoRelay.start({ httpPort: 0, rtmpPort: 0, dataDir, log: silentLogger });
    urls.forEach((url, i) => relay.addStream({ path: `cam-${i}/main`, url }));
    for (let i = 0; i < 60 && relay.streams().some((s) => s.state !== 'up'); i++) await sleep(500);
    const flv = relay.streams().map((s) => relay.urls(s.path).flv);
    const viewers = child(['--role', 'readers', '--urls', flv.join(',')]);
    children.push(viewers.proc);
    await firstJson(viewers);
    const r = await measure(viewers, ffmpegs);
    const streams = relay.streams();
    const up = streams.filter((s) => s.state === 'up').length;
    const inMbit = streams.reduce((a, s) => a + s.bitrate, 0) / 1000;
    const watched = streams.reduce((a, s) => a + s.viewers, 0);
    await relay.stop();
    viewers.proc.kill();

    // 2. Raw limit: the same bytes through bare sockets.
    const sinkChild = child(['--role', 'readers']);
    children.push(sinkChild.proc);
    const { sinkPort } = await firstJson<{ sinkPort: number }>(sinkChild);
    const pulls: Socket[] = [];
    for (const url of urls) {
      const out = connect(sinkPort, '127.0.0.1');
      await new Promise((res) => out.once('connect', res));
      pulls.push(await rawPull(url, out), out);
    }
    const raw = await measure(sinkChild, ffmpegs);
    for (const s of pulls) s.destroy();
    sinkChild.proc.kill();

    console.log(`  relay: ${up}/${STREAMS} streams up, ${watched} viewers, ${fmt(inMbit, 2)} Mbit/s in (measured by the relay), ${fmt(r.mbit, 2)} Mbit/s delivered to viewers`);
    console.log(`         ${fmt(r.cpu)}% of one core, max RSS ${fmt(r.rss, 0)} MB (this process)`);
    console.log(`  raw limit (bare RTSP pull piped to a socket): ${fmt(raw.mbit, 2)} Mbit/s at ${fmt(raw.cpu)}% of one core`);
    const perMbit = (x: { cpu: number; mbit: number }) => x.cpu / Math.max(x.mbit, 1e-9);
    console.log(`  ratio relay/raw: ${fmt(r.cpu / Math.max(raw.cpu, 1e-9))}x CPU; per Mbit/s moved ${fmt(perMbit(r) / Math.max(perMbit(raw), 1e-9))}x`);
    console.log(`  encoders: ${fmt(r.encoders)}% of one core in total during the relay run (${fmt(raw.encoders)}% during the raw run), load average ${fmt(r.load, 2)} / ${fmt(raw.load, 2)}`);
    if (r.encoders > 150) console.log('  note: the encoders use most of this box; the relay figures are what runs beside them, not a saturation limit of the relay');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sleep(500);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}

const role = arg('--role');
if (role === 'cameras') await camerasRole();
else if (role === 'readers') await readersRole();
else await main();
