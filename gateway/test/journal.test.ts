// The journal as the forwarder sees it: entries appended, committed in order with contiguous
// sequence numbers that survive restarts, read back in ranges, and trimmed only once every sink's
// cursor is past them. Everything runs against real SQLite files in temporary folders.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isSensegateError, silentLogger, type Logger } from '@sensegate/sdk';
import sqlite3 from 'sqlite3';
import type { JournalBlock } from '../src/feed/entry.js';
import { Journal, type JournalOptions } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';
import { waitFor } from '@sensegate/sdk/testing';

const dirs: string[] = [];
const open: Journal[] = [];
after(async () => {
  await Promise.all(open.map((j) => j.close().catch(() => {})));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-journal-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}

async function openJournal(path: string, options: Partial<JournalOptions> = {}): Promise<Journal> {
  const journal = await Journal.open({
    ...journalConfigSchema.parse({}),
    commitInterval: 5,
    maxBlockEntries: 10,
    path,
    log: silentLogger,
    metrics: new Metrics(),
    ...options,
  });
  open.push(journal);
  return journal;
}

const reading = (n: number) => `{"device":"meter-1","point":"flow","ts":${1_700_000_000_000 + n},"value":${n},"quality":"good"}`;
const event = (n: number) => `{"device":"meter-1","type":"device.state","state":"online","n":${n}}`;

/** Every entry of the blocks, in order, with the sequence number its block gives it. */
function entriesOf(blocks: JournalBlock[]): Array<{ seq: number; kind: string; entry: Record<string, unknown> }> {
  return blocks.flatMap((b) => {
    const items = JSON.parse(`[${b.payload}]`) as Array<Record<string, unknown>>;
    assert.equal(items.length, b.count, `block ${b.seq} holds ${b.count} entries`);
    return items.map((entry, i) => ({ seq: b.seq + i, kind: b.kind, entry }));
  });
}

async function readAll(journal: Journal): Promise<JournalBlock[]> {
  return journal.read(0, Number.MAX_SAFE_INTEGER);
}

describe('journal: sequence numbers and commits', () => {
  it('numbers entries from 1, contiguously, in append order, cutting blocks by kind and size', async () => {
    const journal = await openJournal(await tempFile());
    const announced: JournalBlock[] = [];
    journal.on('commit', (blocks) => announced.push(...blocks));
    assert.equal(journal.lastSeq, 0);
    assert.equal(journal.firstSeq, 1);

    for (let n = 1; n <= 25; n++) journal.append('reading', reading(n));
    journal.append('event', event(26));
    for (let n = 27; n <= 30; n++) journal.append('reading', reading(n));
    await journal.flush();

    assert.equal(journal.lastSeq, 30);
    assert.deepEqual(
      announced.map((b) => [b.seq, b.count, b.kind]),
      [
        [1, 10, 'reading'],
        [11, 10, 'reading'],
        [21, 5, 'reading'],
        [26, 1, 'event'],
        [27, 4, 'reading'],
      ],
    );
    const entries = entriesOf(announced);
    assert.deepEqual(
      entries.map((e) => e.seq),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    for (const e of entries) assert.equal(e.entry.value ?? e.entry.n, e.seq, `entry ${e.seq} is the one appended in that position`);
    assert.deepEqual(await readAll(journal), announced.map(({ seq, count, kind, ts, payload }) => ({ seq, count, kind, ts, payload, bytes: Buffer.byteLength(payload) })));
  });

  it('commits on its own within commitInterval, and announces each commit once, in order', async () => {
    const journal = await openJournal(await tempFile(), { commitInterval: 20 });
    const commits: JournalBlock[][] = [];
    journal.on('commit', (blocks) => commits.push(blocks));
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 7; i++) journal.append('reading', reading(round * 7 + i + 1));
      const expected = (round + 1) * 7;
      await waitFor(`a commit up to seq ${expected}`, () => journal.lastSeq >= expected);
    }
    const seqs = entriesOf(commits.flat()).map((e) => e.seq);
    assert.deepEqual(seqs, Array.from({ length: 35 }, (_, i) => i + 1), 'no entry announced twice or out of order');
    for (let i = 1; i < commits.length; i++) {
      const previous = commits[i - 1]!.at(-1)!;
      assert.equal(commits[i]![0]!.seq, previous.seq + previous.count, 'each commit starts where the previous one ended');
    }
  });

  it('commits at once when maxPendingEntries are waiting, without waiting for the interval', async () => {
    const journal = await openJournal(await tempFile(), { commitInterval: 60_000, maxPendingEntries: 50 });
    for (let n = 1; n <= 50; n++) journal.append('reading', reading(n));
    await waitFor('the 50 pending entries to be committed', () => journal.lastSeq === 50);
  });

  it('continues the sequence after a restart, even when every row has been trimmed', async () => {
    const path = await tempFile();
    const first = await openJournal(path);
    await first.openCursor('platform');
    for (let n = 1; n <= 30; n++) first.append('reading', reading(n));
    await first.flush();
    first.ack('platform', 30);
    await waitFor('everything acknowledged to be trimmed', () => first.stats().blocks === 0);
    assert.equal(first.firstSeq, 31, 'an empty journal starts after its last seq');
    await first.close();

    const second = await openJournal(path);
    assert.equal(second.lastSeq, 30);
    assert.equal(second.firstSeq, 31);
    assert.equal(await second.openCursor('platform'), 30, 'the cursor survived the restart');
    second.append('reading', reading(31));
    await second.flush();
    const [block] = await readAll(second);
    assert.equal(block!.seq, 31);
    assert.equal(second.lastSeq, 31);
  });

  it('keeps what was committed before close and numbers on from there', async () => {
    const path = await tempFile();
    const first = await openJournal(path);
    for (let n = 1; n <= 12; n++) first.append('reading', reading(n));
    await first.close(); // close commits what is pending
    const second = await openJournal(path);
    assert.equal(second.lastSeq, 12);
    assert.equal(entriesOf(await readAll(second)).length, 12);
    assert.deepEqual(second.stats(), { ...second.stats(), blocks: 2, entries: 12, lastSeq: 12, firstSeq: 1, dropped: 0 });
  });
});

describe('journal: reading ranges', () => {
  it('returns whole blocks from a seq, stopping once maxEntries is reached', async () => {
    const journal = await openJournal(await tempFile());
    for (let n = 1; n <= 45; n++) journal.append('reading', reading(n));
    await journal.flush(); // blocks 1-10, 11-20, 21-30, 31-40, 41-45

    const seqsOf = (blocks: JournalBlock[]) => blocks.map((b) => b.seq);
    assert.deepEqual(seqsOf(await journal.read(1, 20)), [1, 11]);
    assert.deepEqual(seqsOf(await journal.read(1, 21)), [1, 11, 21], 'the block that reaches maxEntries is included whole');
    assert.deepEqual(seqsOf(await journal.read(11, 1)), [11], 'at least one block');
    assert.deepEqual(seqsOf(await journal.read(31, 1000)), [31, 41]);
    assert.deepEqual(seqsOf(await journal.read(45, 10)), [41], 'the last block, from inside it');
    assert.deepEqual(await journal.read(46, 10), [], 'nothing beyond lastSeq');
  });

  it('returns the block that holds fromSeq, so a cursor inside a block loses none of its entries', async () => {
    const journal = await openJournal(await tempFile());
    for (let n = 1; n <= 45; n++) journal.append('reading', reading(n));
    await journal.flush(); // blocks 1-10, 11-20, 21-30, 31-40, 41-45

    const seqsOf = (blocks: JournalBlock[]) => blocks.map((b) => b.seq);
    assert.deepEqual(seqsOf(await journal.read(12, 1)), [11], 'entries 12-20 are in the block that starts at 11');
    assert.deepEqual(seqsOf(await journal.read(12, 9)), [11], 'entries 12-20 are nine: one block covers them');
    assert.deepEqual(seqsOf(await journal.read(12, 10)), [11, 21], 'the tenth entry from 12 is 21');
    assert.deepEqual(seqsOf(await journal.read(12, 15)), [11, 21]);
    const fromTwelve = entriesOf(await journal.read(12, 1000)).filter((e) => e.seq >= 12);
    assert.deepEqual(
      fromTwelve.map((e) => e.seq),
      Array.from({ length: 34 }, (_, i) => i + 12),
      'slicing below fromSeq leaves every entry from 12 on',
    );
  });

  it('skips what was trimmed: the reader sees a jump in sequence numbers', async () => {
    const journal = await openJournal(await tempFile());
    await journal.openCursor('platform');
    for (let n = 1; n <= 30; n++) journal.append('reading', reading(n));
    await journal.flush();
    journal.ack('platform', 20);
    await waitFor('the acknowledged blocks to be trimmed', () => journal.firstSeq === 21);
    assert.deepEqual(
      (await journal.read(1, 10)).map((b) => b.seq),
      [21],
    );
  });
});

describe('journal: cursors and trimming', () => {
  it('counts the dead letters it keeps by sink, across a restart', async () => {
    const path = await tempFile();
    let journal = await openJournal(path);
    await journal.deadLetter('platform', { kind: 'reading', seq: 7, json: '{"n":7}' }, 'refused for good');
    await journal.deadLetter('platform', { kind: 'reading', seq: 9, json: '{"n":9}' }, 'refused for good');
    await journal.deadLetter('relay', { kind: 'reading', seq: 9, json: '{"n":9}' }, 'refused for good');
    assert.deepEqual([journal.deadLetterCount('platform'), journal.deadLetterCount('relay'), journal.deadLetterCount('other')], [2, 1, 0]);
    await journal.close();
    journal = await openJournal(path);
    assert.deepEqual([journal.deadLetterCount('platform'), journal.deadLetterCount('relay')], [2, 1], 'read back at the next start');
  });

  it('starts a new sink before the stored backlog: it is sent every entry the journal still holds', async () => {
    const path = await tempFile();
    const journal = await openJournal(path);
    await journal.openCursor('platform');
    for (let n = 1; n <= 30; n++) journal.append('reading', reading(n));
    await journal.flush();
    journal.ack('platform', 10);
    await waitFor('the acknowledged block to be trimmed', () => journal.firstSeq === 11);

    // A sink added while 11-30 are stored (say, during an outage) starts at 10: it gets 11-30.
    assert.equal(await journal.openCursor('late-sink'), 10);
    assert.equal(journal.cursor('late-sink'), 10);
    assert.equal(await journal.openCursor('late-sink'), 10, 'opening again returns the same cursor');
    journal.ack('platform', 30);
    // The pass that saves platform's ack is the pass that would have trimmed: the new cursor holds it back.
    await waitFor('the ack to be saved', async () => (await sqlValue(path, `SELECT acked FROM cursors WHERE sink = 'platform'`)) === 30);
    assert.equal(journal.firstSeq, 11);
    assert.deepEqual(
      entriesOf(await journal.read(journal.cursor('late-sink') + 1, 1000)).map((e) => e.seq),
      Array.from({ length: 20 }, (_, i) => i + 11),
    );
    await journal.close();

    // On an empty journal a new sink starts at lastSeq: there is no backlog.
    const reopened = await openJournal(path);
    assert.equal(await reopened.openCursor('archive'), 10, 'the backlog 11-30 is still stored for late-sink');
    reopened.ack('late-sink', 30);
    reopened.ack('archive', 30);
    await waitFor('everything to be trimmed', () => reopened.stats().entries === 0);
    assert.equal(await reopened.openCursor('third'), 30);
  });

  it('trims a block only when every sink has acknowledged all of it', async () => {
    const path = await tempFile();
    const journal = await openJournal(path);
    await journal.openCursor('mqtt');
    await journal.openCursor('archive');
    for (let n = 1; n <= 60; n++) journal.append('reading', reading(n));
    await journal.flush(); // six blocks of 10

    journal.ack('mqtt', 50);
    journal.ack('archive', 20);
    await waitFor('blocks up to the slowest sink to be trimmed', () => journal.firstSeq === 21);
    assert.equal(journal.stats().entries, 40);

    journal.ack('archive', 35); // in the middle of block 31-40: that block stays
    await waitFor('the archive sink\'s acknowledged blocks to be trimmed', () => journal.firstSeq === 31);
    journal.ack('archive', 40);
    await waitFor('block 31-40 to be trimmed', () => journal.firstSeq === 41);
    assert.equal(journal.stats().entries, 20, 'mqtt has not acknowledged 51-60, archive not 41-60');

    journal.ack('mqtt', 20);
    assert.equal(journal.cursor('mqtt'), 50, 'a cursor never moves back');
    await journal.close();

    const reopened = await openJournal(path);
    assert.equal(reopened.cursor('mqtt'), 50, 'cursors are saved on close');
    assert.equal(reopened.cursor('archive'), 40);
    assert.deepEqual(reopened.cursorNames().sort(), ['archive', 'mqtt']);
  });

  it('stops holding back trimming for a removed sink', async () => {
    const journal = await openJournal(await tempFile());
    await journal.openCursor('kept');
    await journal.openCursor('removed');
    for (let n = 1; n <= 20; n++) journal.append('reading', reading(n));
    await journal.flush();
    journal.ack('kept', 20);
    await journal.removeCursor('removed');
    await waitFor('the journal to be trimmed to the remaining sink', () => journal.stats().blocks === 0);
    assert.deepEqual(journal.cursorNames(), ['kept']);
  });

  it('keeps the ranges acknowledged above a cursor across a restart, and trims nothing above the cursor', async () => {
    const file = await tempFile();
    const journal = await openJournal(file);
    await journal.openCursor('platform');
    for (let n = 1; n <= 100; n++) journal.append('reading', reading(n));
    await journal.flush();
    // A replay from 1 got as far as 10 while live data 61..100 and 41..50 were acknowledged.
    journal.ack('platform', 10, [[41, 50], [61, 100]]);
    await journal.close();

    const again = await openJournal(file);
    assert.equal(again.cursor('platform'), 10);
    assert.deepEqual(again.ackedRanges('platform'), [[41, 50], [61, 100]]);
    assert.ok(again.firstSeq <= 11, 'entries above the cursor stay, acknowledged or not');
    // Once the cursor passes a range, it is no longer kept.
    again.ack('platform', 55, [[61, 100]]);
    assert.deepEqual(again.ackedRanges('platform'), [[61, 100]]);
    again.ack('platform', 100, []);
    assert.deepEqual(again.ackedRanges('platform'), []);
  });

  it('reads saved ranges leniently: a damaged list is dropped from where it stops making sense', async () => {
    const file = await tempFile();
    const journal = await openJournal(file);
    await journal.openCursor('platform');
    await journal.close();
    await new Promise<void>((resolve, reject) => {
      const db = new sqlite3.Database(file);
      db.run(`UPDATE cursors SET acked = 5, ranges = '[[20,30],[25,40],[50,60]]'`, (err) => db.close(() => (err ? reject(err) : resolve())));
    });
    const again = await openJournal(file);
    assert.deepEqual(again.ackedRanges('platform'), [[20, 30]], 'an overlapping range and all after it are sent again rather than trusted');
  });

  it('refuses an ack from a sink that never opened its cursor', async () => {
    const journal = await openJournal(await tempFile());
    assert.throws(() => journal.ack('unknown', 1), /openCursor\("unknown"\)/);
  });
});

describe('journal: storage settings and failures', () => {
  it('runs SQLite in WAL mode with the synchronous level of the sync mode', async () => {
    const full = await openJournal(await tempFile(), { sync: 'full' });
    assert.deepEqual(
      { ...(await full.storage()), file: '', sqlite: '' },
      { file: '', journalMode: 'wal', synchronous: 'full', sqlite: '' },
    );
    const normal = await openJournal(await tempFile(), { sync: 'normal' });
    for (let n = 1; n <= 20; n++) normal.append('reading', reading(n));
    await normal.flush(); // its first commit reserves sequence numbers with a synced transaction
    const settings = await normal.storage();
    assert.equal(settings.journalMode, 'wal');
    assert.equal(settings.synchronous, 'normal', 'back to NORMAL after the synced reservation');
  });

  it('fails to open with SG_JOURNAL_IO naming the file', async () => {
    const path = join(await tempFile(), 'no-such-folder', 'journal.db');
    await assert.rejects(
      Journal.open({ ...journalConfigSchema.parse({}), path, log: silentLogger, metrics: new Metrics() }),
      (err: unknown) => isSensegateError(err) && err.code === 'SG_JOURNAL_IO' && err.message.includes(path) && err.source === path,
    );
  });

  it('keeps entries whose commit failed and commits them, in order, once writing works again', async () => {
    const path = await tempFile();
    const lines: string[] = [];
    const metrics = new Metrics();
    const journal = await openJournal(path, { log: recordingLogger(lines), metrics });
    const announced: JournalBlock[] = [];
    journal.on('commit', (blocks) => announced.push(...blocks));
    for (let n = 1; n <= 5; n++) journal.append('reading', reading(n));
    await journal.flush();

    // Another connection makes every insert fail, as a full disk would.
    await sql(path, `CREATE TRIGGER refuse BEFORE INSERT ON blocks BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END`);
    for (let n = 6; n <= 20; n++) journal.append('reading', reading(n));
    await assert.rejects(journal.flush(), (err: unknown) => isSensegateError(err) && err.code === 'SG_JOURNAL_IO' && err.message.includes(path));
    for (let n = 21; n <= 30; n++) journal.append('event', event(n));
    assert.equal(journal.lastSeq, 5, 'nothing is committed while inserts fail');
    assert.ok(metrics.get('sensegate_journal_commit_errors_total')!.value() >= 1);

    await sql(path, 'DROP TRIGGER refuse');
    await waitFor('the retried commit to succeed', () => journal.lastSeq === 30, { timeout: 30_000 });
    const entries = entriesOf(announced);
    assert.deepEqual(
      entries.map((e) => e.seq),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    for (const e of entries) assert.equal(e.entry.value ?? e.entry.n, e.seq);
    assert.equal(lines.filter((l) => l.startsWith('error')).length, 1, 'one error line for the whole failure');
    assert.ok(lines.some((l) => l.startsWith('info') && l.includes('commits succeed again')));
  });

  it('drops and counts new entries once the uncommitted backlog reaches its bound', async () => {
    const path = await tempFile();
    const lines: string[] = [];
    const metrics = new Metrics();
    const journal = await openJournal(path, { log: recordingLogger(lines), metrics, maxUncommittedBytes: 2000 });
    await sql(path, `CREATE TRIGGER refuse BEFORE INSERT ON blocks BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END`);
    let appended = 0;
    for (let n = 1; n <= 100; n++, appended++) journal.append('reading', reading(n));
    await journal.flush().catch(() => {});
    const dropped = metrics.get('sensegate_journal_dropped_total')!.value({ reason: 'commit', kind: 'reading' });
    assert.ok(dropped > 0 && dropped < appended, `${dropped} of ${appended} dropped`);
    assert.equal(lines.filter((l) => l.startsWith('warn') && l.includes('SG_JOURNAL_OVERFLOW')).length, 1, 'one warning for the episode');

    await sql(path, 'DROP TRIGGER refuse');
    await waitFor('the kept entries to be committed', () => journal.lastSeq === appended - dropped, { timeout: 30_000 });
    assert.equal(journal.stats().dropped, dropped);
    assert.ok(lines.some((l) => l.startsWith('info') && l.includes(`${dropped} readings (commit)`)), 'the episode ends with its count');
  });
});

/** A logger that keeps `level code message` lines. */
function recordingLogger(lines: string[]): Logger {
  const at =
    (level: string) =>
    (a: unknown, b?: string): void => {
      const fields = typeof a === 'string' ? {} : (a as Record<string, unknown>);
      lines.push(`${level} ${String(fields.code ?? '-')} ${typeof a === 'string' ? a : (b ?? '')}`);
    };
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

/** Runs one statement on the journal file through a separate connection. */
function sql(path: string, statement: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (err) => {
      if (err) return reject(err);
      db.configure('busyTimeout', 10_000);
      db.run(statement, (runErr) => db.close(() => (runErr ? reject(runErr) : resolve())));
    });
  });
}

/** Reads one value through a separate, read-only connection. */
function sqlValue(path: string, query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.get(query, (getErr, row: Record<string, unknown> | undefined) => db.close(() => (getErr ? reject(getErr) : resolve(row && Object.values(row)[0]))));
    });
  });
}
