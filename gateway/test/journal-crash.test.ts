// The gateway process dies with kill -9 while it is appending, committing and trimming. After a
// restart every entry it saw committed is in the journal, no block is half written, nothing a sink
// had not acknowledged was trimmed, and numbering goes on from the last commit: no number is
// skipped or reused, however many times it is killed. In `normal` sync mode a process crash loses
// nothing either (the OS keeps the writes); only a power cut can, and after one the journal skips
// ahead rather than reuse a number (simulated below; a real power cut cannot be staged by killing
// a process, see docs/durability.md).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { Logger } from '@sensegate/sdk';
import sqlite3 from 'sqlite3';
import type { JournalBlock } from '../src/feed/entry.js';
import { Journal } from '../src/journal/journal.js';
import { Metrics } from '../src/metrics.js';
import { waitFor } from '@sensegate/sdk/testing';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WRITER = fileURLToPath(new URL('./support/journal-writer.ts', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-journal-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}

/** What one writer process reported before it was killed. */
interface WriterRun {
  run: number;
  /** lastSeq when it opened the journal: its first entry got `openedAt + 1`. */
  openedAt: number;
  /** Highest seq a commit event announced. */
  committed: number;
  /** Highest seq the sink acknowledged. */
  acked: number;
}

/**
 * Runs support/journal-writer.ts until it has reported `entries` committed entries of its own and
 * has been open for `aliveMs` (long enough for the journal's once-a-second trim to have run), lets
 * it run on for a random moment (so the kill lands anywhere in a commit or a trim), then kills it
 * with SIGKILL.
 */
async function writeThenKill(path: string, sync: 'full' | 'normal', run: number, entries: number, aliveMs = 0): Promise<WriterRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', WRITER, path, sync, String(run)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const report: WriterRun = { run, openedAt: -1, committed: 0, acked: 0 };
  let openedTime = Infinity;
  let stderr = '';
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [what, value] = line.split(' ');
      const n = Number(value);
      if (what === 'open') {
        report.openedAt = n;
        openedTime = Date.now();
      }
      else if (what === 'committed') report.committed = Math.max(report.committed, n);
      else if (what === 'acked') report.acked = Math.max(report.acked, n);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await waitFor(
    `writer run ${run} to commit ${entries} entries`,
    () => {
      if (child.exitCode !== null) throw new Error(`the writer exited with ${child.exitCode}: ${stderr}`);
      return report.committed >= report.openedAt + entries && Date.now() >= openedTime + aliveMs;
    },
    { timeout: 60_000, interval: 10 },
  );
  await new Promise((r) => setTimeout(r, Math.random() * 40));
  child.kill('SIGKILL'); // while it keeps appending, committing and trimming
  assert.equal(await exited, 'SIGKILL');
  // Lines already in the pipe were written before the kill: they count.
  await new Promise((r) => setImmediate(r));
  return report;
}

async function reopen(path: string, sync: 'full' | 'normal', log: Logger = quietLogger([])): Promise<Journal> {
  return Journal.open({
    path,
    sync,
    commitInterval: 5,
    maxBlockEntries: 50,
    maxBytes: 1e10,
    maxAge: 864e5,
    overflow: 'drop-oldest',
    log,
    metrics: new Metrics(),
  });
}

/**
 * Checks the stored blocks against what the writers appended: contiguous from the first stored
 * block to `lastSeq`, each block whole and of one kind, and each entry the one its sequence number
 * stands for (entry `i` of run `r` at `runs[r].openedAt + i`).
 */
function assertIntact(blocks: JournalBlock[], lastSeq: number, runs: WriterRun[]): void {
  assert.ok(blocks.length > 0, 'the journal holds entries');
  let expected = blocks[0]!.seq;
  for (const block of blocks) {
    assert.equal(block.seq, expected, `block ${block.seq} follows the previous one without a gap`);
    const items = JSON.parse(`[${block.payload}]`) as Array<{ run: number; i: number }>;
    assert.equal(items.length, block.count, `block ${block.seq} is whole`);
    items.forEach((item, k) => {
      const seq = block.seq + k;
      const run = runs.find((r) => r.run === item.run)!;
      assert.equal(run.openedAt + item.i, seq, `entry ${seq} is entry ${item.i} of run ${item.run}, appended in that position`);
      assert.equal(block.kind, item.i % 13 === 0 ? 'event' : 'reading');
    });
    expected += block.count;
  }
  assert.equal(expected - 1, lastSeq, 'the blocks end at lastSeq');
}

for (const sync of ['full', 'normal'] as const) {
  describe(`journal after kill -9 (sync ${sync})`, () => {
    it('keeps every committed entry and never reuses a number, across three kills in a row', async () => {
      const path = await tempFile();
      const runs: WriterRun[] = [];
      let storedLast = 0;
      for (let run = 1; run <= 3; run++) {
        const report = await writeThenKill(path, sync, run, 5000, 1300);
        assert.equal(report.openedAt, storedLast, `run ${run} numbers on right after the last stored entry: nothing skipped, nothing reused`);
        // Looked at without the journal, as the crash left the file: every announced commit is there.
        storedLast = Number(await sqlValue(path, 'SELECT max(seq + count - 1) FROM blocks'));
        assert.ok(storedLast >= report.committed, `run ${run}: the file holds up to ${storedLast}, at least the ${report.committed} announced committed`);
        runs.push(report);
      }

      const journal = await reopen(path, sync);
      try {
        const last = runs.at(-1)!;
        assert.ok(journal.lastSeq >= last.committed, `lastSeq ${journal.lastSeq} covers the ${last.committed} announced committed`);
        assert.equal(journal.lastSeq, storedLast);
        const blocks = await journal.read(0, Number.MAX_SAFE_INTEGER);
        assertIntact(blocks, journal.lastSeq, runs);
        // Trimming only ever removed what the sink had acknowledged, and its cursor is not ahead of its acks.
        const cursor = journal.cursor('platform');
        assert.ok(cursor <= Math.max(...runs.map((r) => r.acked)), `cursor ${cursor} was acknowledged`);
        assert.ok(journal.firstSeq <= cursor + 1, `nothing above the cursor ${cursor} was trimmed (first stored ${journal.firstSeq})`);
        assert.ok(journal.firstSeq > 1, 'the writers trimmed what the sink acknowledged, so trimming was under test too');

        const lastSeq = journal.lastSeq;
        journal.append('reading', `{"run":4,"i":1}`);
        await journal.flush();
        const [block] = await journal.read(lastSeq + 1, 10);
        assert.equal(block?.seq, lastSeq + 1, 'the next entry gets the next number');
      } finally {
        await journal.close();
      }
    });
  });
}

describe('journal after a power cut (sync normal)', () => {
  it('never reuses a sequence number: numbering resumes after the durable reservation', async () => {
    const path = await tempFile();
    const killed = await writeThenKill(path, 'normal', 1, 3000);
    // A kill -9 cannot lose what the OS holds, so a real power cut cannot be staged here. What the
    // next start sees after one is the boot id it recorded no longer being current, and possibly
    // fewer commits than were announced; the reservation must cover them all.
    await sql(path, `UPDATE meta SET value = 'a-previous-boot' WHERE key = 'bootId'`);
    const reserved = Number(await sqlValue(path, `SELECT value FROM meta WHERE key = 'reservedSeq'`));
    assert.ok(reserved >= killed.committed, `the reservation ${reserved} covers every number announced (${killed.committed})`);

    const lines: string[] = [];
    const journal = await reopen(path, 'normal', quietLogger(lines));
    try {
      const stored = await journal.read(0, Number.MAX_SAFE_INTEGER);
      const storedLast = stored.at(-1)!.seq + stored.at(-1)!.count - 1;
      assert.ok(reserved > storedLast, 'the reservation runs ahead of what was committed');
      assert.equal(journal.lastSeq, reserved, 'numbering resumes after every number that may have been sent');
      assert.equal(lines.filter((l) => l.startsWith('warn') && l.includes(`resumes at ${reserved + 1}`)).length, 1);
      journal.append('reading', '{"n":0}');
      await journal.flush();
      assert.equal((await journal.read(storedLast + 1, 10))[0]?.seq, reserved + 1);
    } finally {
      await journal.close();
    }

    // A clean close followed by a reboot is not a power cut: no skip.
    await sql(path, `UPDATE meta SET value = 'yet-another-boot' WHERE key = 'bootId'`);
    const again = await reopen(path, 'normal');
    assert.equal(again.lastSeq, reserved + 1);
    await again.close();
  });
});

function quietLogger(lines: string[]): Logger {
  const at =
    (level: string) =>
    (a: unknown, b?: string): void => {
      lines.push(`${level} ${typeof a === 'string' ? a : (b ?? '')}`);
    };
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

function sql(path: string, statement: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (err) => {
      if (err) return reject(err);
      db.run(statement, (runErr) => db.close(() => (runErr ? reject(runErr) : resolve())));
    });
  });
}

function sqlValue(path: string, query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.get(query, (getErr, row: Record<string, unknown> | undefined) => db.close(() => (getErr ? reject(getErr) : resolve(row && Object.values(row)[0]))));
    });
  });
}
