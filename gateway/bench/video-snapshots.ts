/**
 * Camera snapshots: time from `take()` to the stored file, by the snapshot URL and from the RTSP
 * stream, against the raw limit measured in the same run on the same simulated camera.
 *
 * 1. Snapshot URL. Raw limit: a plain HTTP GET of the URL (Node's fetch, no auth, nothing
 *    stored). Then `take()` on the same camera (GET, JPEG checks, atomic write, prune), and
 *    `take()` on a camera that requires Digest (one more round trip for the 401).
 * 2. RTSP stream. Raw limit: ffmpeg with the same arguments as `grabFrame`, writing the frame to
 *    /dev/null. Then `take()` of a camera that has only a stream (spawn, grab, checks, store).
 *
 * Each figure is the median and p95 of BENCH_TAKES takes (default 20) after 2 warm-up takes; raw
 * and gateway takes alternate so that a slower moment hits both. Camera: BENCH_SIZE (default
 * 640x360) at 10 fps.
 * Run with `npm run bench -- video-snapshots` (builds first) or:
 *   node --import tsx --conditions=source gateway/bench/video-snapshots.ts
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg, type MediaSource } from '@sensegate/sdk';
import { startCameraStreams, type CameraStreams } from '@sensegate/sim-onvif';
import { grabArgs, SnapshotStore, Snapshotter } from '../src/video/snapshots/index.js';

const TAKES = Number(process.env.BENCH_TAKES ?? 20);
const WARMUP = 2;
const [WIDTH, HEIGHT] = (process.env.BENCH_SIZE ?? '640x360').split('x').map(Number) as [number, number];
const ACCOUNT = { user: 'bench', password: 'bench-secret' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Figures {
  median: number;
  p95: number;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const show = (f: Figures) => `median ${ms(f.median)}, p95 ${ms(f.p95)}`;
const ratio = (f: Figures, raw: Figures) => `${(f.median / raw.median).toFixed(2)}x the raw median, ${(f.p95 / raw.p95).toFixed(2)}x the raw p95`;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Alternates the given runs TAKES times after warming up; the samples of each run. */
async function alternate(runs: Array<() => Promise<unknown>>): Promise<number[][]> {
  const samples = runs.map(() => [] as number[]);
  for (let i = 0; i < WARMUP + TAKES; i++) {
    for (const [k, run] of runs.entries()) {
      const took = await timed(run);
      if (i >= WARMUP) samples[k]!.push(took);
    }
  }
  return samples;
}

async function rawGet(url: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  await response.arrayBuffer();
}

function rawGrab(ffmpeg: string, url: string): Promise<void> {
  const args = grabArgs(url, 10_000);
  args.splice(args.length - 1, 1, '-y', '/dev/null');
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr}`))));
  });
}

function media(streams: CameraStreams, id: string, options: { auth?: typeof ACCOUNT; snapshotUrl: boolean }): MediaSource {
  return {
    id: 'main',
    url: streams.rtspUrl(id),
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.snapshotUrl ? { snapshotUrl: streams.snapshotUrl(id) } : {}),
    width: WIDTH,
    height: HEIGHT,
  };
}

async function main(): Promise<void> {
  const camera = { id: 'bench', width: WIDTH, height: HEIGHT, fps: 10 };
  const ffmpeg = resolveFfmpeg().path;
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-bench-snapshots-'));
  const open = await startCameraStreams({ cameras: [camera], rtspPort: 0, httpPort: 0 });
  const locked = await startCameraStreams({ cameras: [camera], rtspPort: 0, httpPort: 0, credentials: ACCOUNT });
  const store = await SnapshotStore.open({ dir: join(dir, 'store'), maxBytes: 64 * 1024 * 1024, maxAge: 3_600_000 });
  const snapshotter = new Snapshotter({ store, ffmpeg });
  try {
    console.log(`one simulated camera, ${WIDTH}x${HEIGHT} at 10 fps; ${TAKES} takes per figure after ${WARMUP} warm-up takes; ffmpeg ${ffmpeg}`);

    const [getRaw, uriTake, uriDigest] = await alternate([
      () => rawGet(open.snapshotUrl('bench')),
      () => snapshotter.take('uri-cam', media(open, 'bench', { snapshotUrl: true }), 'bench'),
      () => snapshotter.take('uri-digest-cam', media(locked, 'bench', { auth: ACCOUNT, snapshotUrl: true }), 'bench'),
    ]);
    const raw1 = figures(getRaw!);
    const uri = figures(uriTake!);
    const digest = figures(uriDigest!);
    console.log('  snapshot URL');
    console.log(`    raw limit (plain HTTP GET, nothing stored):      ${show(raw1)}`);
    console.log(`    take() to stored file:                           ${show(uri)} = ${ratio(uri, raw1)}`);
    console.log(`    take() to stored file, Digest auth:              ${show(digest)} = ${ratio(digest, raw1)}`);

    const [grabRaw, streamTake] = await alternate([
      () => rawGrab(ffmpeg, open.rtspUrl('bench')),
      () => snapshotter.take('stream-cam', media(open, 'bench', { snapshotUrl: false }), 'bench'),
    ]);
    const raw2 = figures(grabRaw!);
    const stream = figures(streamTake!);
    console.log('  RTSP stream');
    console.log(`    raw limit (ffmpeg grab to /dev/null, same args): ${show(raw2)}`);
    console.log(`    take() to stored file:                           ${show(stream)} = ${ratio(stream, raw2)}`);
    const stats = store.stats();
    console.log(`  stored ${stats.count} pictures, ${(stats.bytes / stats.count / 1024).toFixed(1)} KiB each on average; snapshotter ${JSON.stringify(snapshotter.stats())}`);
  } finally {
    await snapshotter.close();
    store.close();
    await Promise.all([open.close(), locked.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
