/**
 * Journal write rate, beside the raw limit measured in the same run.
 *
 * For each sync mode (`full`, `normal`):
 * - the journal, saturated: realistic reading JSON (~110 bytes) appended as fast as the journal
 *   commits it (at most WINDOW entries uncommitted), with the default settings (commitInterval
 *   20 ms, 256 entries per block) and one sink that acknowledges every commit, so trimming runs
 *   as in a gateway whose uplink keeps up;
 * - the journal at a fixed 100,000 readings/s, for the append-to-commit latency of a gateway that
 *   is not saturated;
 * - RAW LIMIT: the same readings inserted into a bare WAL table with the same package (`sqlite3`)
 *   and the same synchronous setting, in big transactions (65,536 readings each), every statement
 *   queued at once: once as one row per reading, once as rows of 256 readings like the journal's
 *   blocks (this one is the limit the journal is compared with);
 * - the same two raw runs with better-sqlite3 (synchronous, on the main thread), for
 *   docs/decisions/0001-journal-sqlite-package.md.
 *
 * Figures only; nothing here is asserted. About 25 s in all.
 *   node --import tsx --conditions=source gateway/bench/journal.ts
 * Environment: BENCH_SECONDS (saturated journal run per mode, default 4), BENCH_DIR (folder for the
 * database files, default the OS temp folder: put it on the disk the gateway's data lives on).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@sensegate/sdk';
import sqlite3 from 'sqlite3';
import type { JournalBlock } from '../src/feed/entry.js';
import { Journal } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';

const SATURATED_S = Number(process.env.BENCH_SECONDS ?? 4);
const FIXED_RATE = 100_000;
const FIXED_S = 1.5;
const RAW_S = 2;
/** Most entries appended and not yet committed while saturating: four commits' worth at the default settings. */
const WINDOW = 65_536;
const APPEND_BATCH = 256;
const TX_READINGS = 65_536;
const BLOCK = 256;
const ROWS_PER_STATEMENT = 64;
const POOL = 4096;

const require = createRequire(import.meta.url);

/** The part of better-sqlite3's API used here (the package ships no types and none are installed). */
interface BetterDatabase {
  pragma(sql: string): unknown;
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown };
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}
const BetterSqlite3 = require('better-sqlite3') as new (file: string) => BetterDatabase;

/** Realistic readings: 64 devices x 64 points, each about 110 bytes of JSON. */
const readings: string[] = Array.from({ length: POOL }, (_, i) => {
  const device = `pump-${(i % 64) + 1}`;
  const point = ['flow', 'pressure', 'level', 'temperature'][i % 4]! + `-${Math.floor(i / 64) + 1}`;
  const value = Math.round(Math.random() * 100_000) / 100;
  return `{"device":"${device}","point":"${point}","ts":${1_764_380_000_000 + i},"value":${value},"quality":"good","unit":"m3/h"}`;
});
const meanBytes = readings.reduce((n, r) => n + Buffer.byteLength(r), 0) / POOL;

interface Row {
  sync: string;
  path: string;
  readingsPerSecond: number;
  commitsPerSecond?: number;
  p99Ms?: number;
  cpuPercent: number;
  /** better-sqlite3 only: the longest a transaction held the event loop. */
  stallMs?: number;
}

const rows: Row[] = [];
const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'sensegate-bench-journal-'));
let fileNo = 0;
const newFile = () => join(dir, `bench-${++fileNo}.db`);
/**
 * Deletes the previous run's files: their dirty pages are dropped instead of being written back
 * while the next run measures (the kernel's writeback would otherwise slow whichever run comes later).
 */
async function fresh<T>(run: () => T | Promise<T>): Promise<T> {
  for (const file of await readdir(dir)) await rm(join(dir, file), { force: true });
  return run();
}

/** Wall time and CPU time (all threads, so SQLite's thread pool counts) of one run. */
function meter(): () => { seconds: number; cpuPercent: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { seconds, cpuPercent: ((c.user + c.system) / 1e6 / seconds) * 100 };
  };
}

/** Append-to-commit latencies in 0.1 ms buckets, weighted by entries. */
class Latency {
  private readonly buckets = new Float64Array(200_000);
  private total = 0;
  add(ms: number, entries: number): void {
    this.buckets[Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms * 10)))]! += entries;
    this.total += entries;
  }
  quantile(q: number): number {
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= q * this.total) return i / 10;
    }
    return Infinity;
  }
}

async function openJournal(sync: 'full' | 'normal'): Promise<Journal> {
  return Journal.open({
    ...journalConfigSchema.parse({ sync }),
    maxBytes: 64 * 1024 ** 3, // never the bound here: the run measures writing, not overflow
    path: newFile(),
    log: silentLogger,
    metrics: new Metrics(),
  });
}

/**
 * Drives a fresh journal: `next(appended, committed, elapsedMs)` says how many entries may be
 * appended now. Entry n (from 1) gets seq n, so the append time of each seq is known.
 */
async function driveJournal(
  sync: 'full' | 'normal',
  seconds: number,
  allowance: (appended: number, committed: number, elapsedMs: number) => number,
): Promise<{ readingsPerSecond: number; commitsPerSecond: number; p99Ms: number; cpuPercent: number }> {
  const journal = await openJournal(sync);
  await journal.openCursor('platform');
  const appendedAt: number[] = []; // per APPEND_BATCH entries
  const latency = new Latency();
  let committed = 0;
  let commits = 0;
  let wake: (() => void) | undefined;
  journal.on('commit', (blocks: JournalBlock[]) => {
    const now = performance.now();
    for (const b of blocks) {
      for (let seq = b.seq; seq < b.seq + b.count; ) {
        const batch = Math.floor((seq - 1) / APPEND_BATCH);
        const batchEnd = Math.min(b.seq + b.count, (batch + 1) * APPEND_BATCH + 1);
        latency.add(now - appendedAt[batch]!, batchEnd - seq);
        seq = batchEnd;
      }
    }
    const last = blocks.at(-1)!;
    committed = last.seq + last.count - 1;
    commits++;
    journal.ack('platform', committed); // a sink that keeps up
    wake?.();
  });

  const done = meter();
  const start = performance.now();
  let appended = 0;
  let i = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= seconds * 1000) break;
    let allowed = allowance(appended, committed, elapsed);
    while (allowed >= APPEND_BATCH) {
      appendedAt.push(performance.now());
      for (let k = 0; k < APPEND_BATCH; k++) journal.append('reading', readings[i++ % POOL]!);
      appended += APPEND_BATCH;
      allowed -= APPEND_BATCH;
      if (appended % (APPEND_BATCH * 16) === 0) break; // let commits complete between bursts
    }
    if (appended - committed >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    else if (allowed >= APPEND_BATCH) await new Promise((resolve) => setImmediate(resolve));
    else await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const measuredUntil = committed;
  const { seconds: took, cpuPercent } = done();
  const result = {
    readingsPerSecond: measuredUntil / took,
    commitsPerSecond: commits / took,
    p99Ms: latency.quantile(0.99),
    cpuPercent,
  };
  await journal.close();
  if (journal.stats().dropped) throw new Error(`the journal dropped ${journal.stats().dropped} entries during the benchmark`);
  return result;
}

/** The RAW LIMIT with `sqlite3`: every statement of a transaction queued at once on one connection. */
async function rawSqlite3(sync: 'full' | 'normal', perRow: number): Promise<{ readingsPerSecond: number; cpuPercent: number }> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(newFile(), (err) => (err ? reject(err) : resolve(d)));
  });
  const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
  await exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${sync.toUpperCase()};
    CREATE TABLE raw (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL)`);
  const statement = db.prepare(`INSERT INTO raw (seq, payload) VALUES ${new Array(ROWS_PER_STATEMENT).fill('(?,?)').join(',')}`);
  const rowsPerTx = TX_READINGS / perRow;
  let seq = 0;
  let i = 0;
  const done = meter();
  const start = performance.now();
  let written = 0;
  while (performance.now() - start < RAW_S * 1000) {
    await new Promise<void>((resolve, reject) => {
      db.serialize(() => {
        db.run('BEGIN');
        for (let r = 0; r < rowsPerTx; r += ROWS_PER_STATEMENT) {
          const params: unknown[] = [];
          for (let k = 0; k < ROWS_PER_STATEMENT; k++) {
            let payload = readings[i++ % POOL]!;
            for (let e = 1; e < perRow; e++) payload += ',' + readings[i++ % POOL]!;
            params.push(++seq, payload);
          }
          statement.run(params);
        }
        db.run('COMMIT', (err) => (err ? reject(err) : resolve()));
      });
    });
    written += TX_READINGS;
  }
  const { seconds, cpuPercent } = done();
  await new Promise<void>((resolve) => statement.finalize(() => db.close(() => resolve())));
  return { readingsPerSecond: written / seconds, cpuPercent };
}

/** The same with better-sqlite3: one prepared statement per row, synchronous, on this thread. */
function rawBetterSqlite3(sync: 'full' | 'normal', perRow: number): { readingsPerSecond: number; cpuPercent: number; stallMs: number } {
  const db = new BetterSqlite3(newFile());
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync.toUpperCase()}`);
  db.exec('CREATE TABLE raw (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO raw (seq, payload) VALUES (?, ?)');
  let seq = 0;
  let i = 0;
  const rowsPerTx = TX_READINGS / perRow;
  const transaction = db.transaction(() => {
    for (let r = 0; r < rowsPerTx; r++) {
      let payload = readings[i++ % POOL]!;
      for (let e = 1; e < perRow; e++) payload += ',' + readings[i++ % POOL]!;
      insert.run(++seq, payload);
    }
  });
  const done = meter();
  const start = performance.now();
  let written = 0;
  let stallMs = 0;
  while (performance.now() - start < RAW_S * 1000) {
    const t0 = performance.now();
    transaction();
    stallMs = Math.max(stallMs, performance.now() - t0);
    written += TX_READINGS;
  }
  const { seconds, cpuPercent } = done();
  const result = { readingsPerSecond: written / seconds, cpuPercent, stallMs };
  db.close();
  return result;
}

const sqliteVersion = await new Promise<string>((resolve) => {
  const db = new sqlite3.Database(':memory:', () => db.get('SELECT sqlite_version() AS v', (_e, row: { v: string }) => db.close(() => resolve(row.v))));
});
const betterVersion = (() => {
  const db = new BetterSqlite3(':memory:');
  const v = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return v;
})();

try {
  for (const sync of ['full', 'normal'] as const) {
    const saturated = await fresh(() => driveJournal(sync, SATURATED_S, (appended, committed) => WINDOW - (appended - committed)));
    rows.push({ sync, path: 'journal, saturated (sink acking)', ...saturated });
    const fixed = await fresh(() => driveJournal(sync, FIXED_S, (appended, _committed, elapsed) => (FIXED_RATE * elapsed) / 1000 - appended));
    rows.push({ sync, path: `journal at ${FIXED_RATE.toLocaleString('en')} readings/s`, ...fixed });
    rows.push({ sync, path: `RAW LIMIT sqlite3, ${BLOCK} readings per row`, ...(await fresh(() => rawSqlite3(sync, BLOCK))) });
    rows.push({ sync, path: 'raw sqlite3, one row per reading', ...(await fresh(() => rawSqlite3(sync, 1))) });
    rows.push({ sync, path: `raw better-sqlite3, ${BLOCK} readings per row`, ...(await fresh(() => rawBetterSqlite3(sync, BLOCK))) });
    rows.push({ sync, path: 'raw better-sqlite3, one row per reading', ...(await fresh(() => rawBetterSqlite3(sync, 1))) });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '' : n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
console.log(`journal write rate, ${new Date().toISOString().slice(0, 10)}`);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; files in ${process.env.BENCH_DIR ?? tmpdir()}`);
console.log(`sqlite3 ${require('sqlite3/package.json').version} (SQLite ${sqliteVersion}); better-sqlite3 ${require('better-sqlite3/package.json').version} (SQLite ${betterVersion})`);
console.log(`readings: ${meanBytes.toFixed(0)} bytes of JSON each; raw transactions of ${TX_READINGS.toLocaleString('en')} readings\n`);
const header = ['sync', 'path', 'readings/s', 'commits/s', 'p99 ms', 'CPU %', 'loop stall ms', 'x RAW LIMIT'];
const table = rows.map((r) => {
  const limit = rows.find((x) => x.sync === r.sync && x.path.startsWith('RAW LIMIT'))!.readingsPerSecond;
  const ratio = r.path.includes(' at ') ? '' : (r.readingsPerSecond / limit).toFixed(2); // a fixed rate is not a limit
  return [r.sync, r.path, fmt(r.readingsPerSecond), fmt(r.commitsPerSecond), fmt(r.p99Ms, 1), fmt(r.cpuPercent), fmt(r.stallMs, 1), ratio];
});
const widths = header.map((h, c) => Math.max(h.length, ...table.map((t) => t[c]!.length)));
const line = (cells: string[]) => cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const t of table) console.log(line(t));
console.log('\nCPU % is of one core, all threads (sqlite3 runs statements on the libuv pool). p99 is append to commit event:');
console.log(`saturated, it is queueing behind a ${WINDOW.toLocaleString('en')}-entry window; at a fixed rate it is what a gateway below`);
console.log(`saturation sees (commitInterval ${journalConfigSchema.parse({}).commitInterval} ms). Loop stall: the longest one better-sqlite3 transaction of`);
console.log(`${TX_READINGS.toLocaleString('en')} readings held the event loop (sqlite3 holds it for none of the SQL work).`);
for (const sync of ['full', 'normal']) {
  const journal = rows.find((r) => r.sync === sync && r.path.startsWith('journal, saturated'))!;
  const limit = rows.find((r) => r.sync === sync && r.path.startsWith('RAW LIMIT'))!;
  console.log(`${sync}: journal ${fmt(journal.readingsPerSecond)} readings/s = ${(journal.readingsPerSecond / limit.readingsPerSecond).toFixed(2)} x the raw limit of ${fmt(limit.readingsPerSecond)}`);
}
