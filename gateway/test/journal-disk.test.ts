// The journal on a full disk, against real SQLite files on a small real file system (a tmpfs, or
// a loop-mounted ext4 where tmpfs is refused): a ballast file fills the disk and is freed again.
// Commits wait and drain in bounded transactions once there is room, the reserve keeps room to trim,
// each overflow policy does what it says on a full disk, and a start on a full disk works.
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSensegateError, type Logger } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import type { JournalBlock } from '../src/feed/entry.js';
import { Journal, type JournalOptions } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';
import { smallDisk, type SmallDisk } from './support/small-disk.js';

const MiB = 1024 * 1024;
let disk: SmallDisk | undefined;
let skip: string | false = false;
const open: Journal[] = [];
let folders = 0;

before(async () => {
  const mounted = await smallDisk(32);
  if (typeof mounted === 'string') skip = mounted;
  else disk = mounted;
});
after(async () => {
  await Promise.all(open.map((j) => j.close().catch(() => {})));
  await disk?.close();
});

/** A new data folder on the small disk; earlier tests' folders are removed, so each test starts with the disk empty. */
async function dataFolder(keep = false): Promise<string> {
  if (!keep) for (let i = 1; i <= folders; i++) await rm(join(disk!.dir, `data-${i}`), { recursive: true, force: true });
  const dir = join(disk!.dir, `data-${++folders}`);
  await mkdir(dir);
  return dir;
}

async function openJournal(dir: string, options: Partial<JournalOptions> = {}): Promise<Journal> {
  const journal = await Journal.open({
    ...journalConfigSchema.parse({}),
    commitInterval: 5,
    path: join(dir, 'journal.db'),
    log: recordingLogger([]),
    metrics: new Metrics(),
    reserveBytes: 4 * MiB,
    ...options,
  });
  open.push(journal);
  return journal;
}

/** A reading of about 1 KiB, so a few MiB are a few thousand entries. */
const reading = (n: number) => `{"device":"meter-1","point":"flow","ts":${1_700_000_000_000 + n},"value":${n},"quality":"good","note":"${'x'.repeat(1000)}"}`;

function seqsOf(blocks: JournalBlock[]): number[] {
  return blocks.flatMap((b) => Array.from({ length: b.count }, (_, i) => b.seq + i));
}

function valuesOf(blocks: JournalBlock[]): number[] {
  return blocks.flatMap((b) => (JSON.parse(`[${b.payload}]`) as Array<{ value: number }>).map((r) => r.value));
}

describe('journal on a full disk', () => {
  it('commits what waited in bounded transactions once space is freed, though it is more than the disk holds at once', async (t) => {
    if (skip) return t.skip(skip);
    await disk!.release();
    const dir = await dataFolder();
    const lines: string[] = [];
    const metrics = new Metrics();
    const journal = await openJournal(dir, { log: recordingLogger(lines), metrics });
    // A sink that acknowledges every commit, so what it has is trimmed and the disk is reused.
    await journal.openCursor('mqtt');
    const announced: JournalBlock[] = [];
    journal.on('commit', (blocks) => {
      announced.push(...blocks);
      journal.ack('mqtt', blocks.at(-1)!.seq + blocks.at(-1)!.count - 1);
    });

    await disk!.fill(0);
    // 40 MiB of readings wait in memory: more than the whole 32 MiB disk.
    const total = 40_000;
    for (let n = 1; n <= total; n++) journal.append('reading', reading(n));
    await assert.rejects(journal.flush(), (err: unknown) => isSensegateError(err) && err.code === 'SG_JOURNAL_DISK_FULL' && err.message.includes(dir));
    assert.equal(journal.lastSeq, 0, 'nothing is committed on a full disk');
    assert.equal(metrics.get('sensegate_journal_disk_full')!.value(), 1);
    assert.equal(journal.stats().disk.full, true);

    await disk!.release();
    const commitsBefore = metrics.get('sensegate_journal_commits_total')!.value();
    await waitFor('every waiting entry to be committed', () => journal.lastSeq === total, { timeout: 120_000 });
    assert.deepEqual(seqsOf(announced), Array.from({ length: total }, (_, i) => i + 1), 'announced once each, in order');
    assert.deepEqual(valuesOf(announced), Array.from({ length: total }, (_, i) => i + 1), 'each entry under the number its position gives it');
    assert.ok(metrics.get('sensegate_journal_commits_total')!.value() - commitsBefore >= 15, 'in many bounded transactions, not one');
    assert.equal(metrics.get('sensegate_journal_dropped_total')!.value({ reason: 'disk', kind: 'reading' }), 0, 'every sink had what was removed');
    await waitFor('the episode to end', () => metrics.get('sensegate_journal_disk_full')!.value() === 0);
    assert.equal(lines.filter((l) => l.startsWith('warn SG_JOURNAL_DISK_FULL')).length, 1, 'one warning for the episode');
    assert.equal(lines.filter((l) => l.startsWith('info SG_JOURNAL_DISK_FULL')).length, 1, 'one summary when it ends');
    assert.equal(lines.filter((l) => l.startsWith('error')).length, 0, 'a full disk is not logged as an I/O error');
    assert.equal(metrics.get('sensegate_journal_disk_full_episodes_total')!.value(), 1);
    await journal.close();
  });

  it('drop-oldest: keeps the reserve free and drops the oldest unsent entries to make room, counted', async (t) => {
    if (skip) return t.skip(skip);
    await disk!.release();
    const dir = await dataFolder();
    const lines: string[] = [];
    const metrics = new Metrics();
    const journal = await openJournal(dir, { log: recordingLogger(lines), metrics, overflow: 'drop-oldest' });
    await journal.openCursor('mqtt'); // an uplink that is down: nothing is acknowledged
    await disk!.fill(16 * MiB);
    const total = 30_000;
    for (let n = 1; n <= total; n++) {
      journal.append('reading', reading(n));
      if (n % 2000 === 0) await journal.flush();
    }
    await journal.flush();
    assert.equal(journal.lastSeq, total, 'every entry was committed');
    const dropped = metrics.get('sensegate_journal_dropped_total')!.value({ reason: 'disk', kind: 'reading' });
    assert.ok(dropped > 0, 'the oldest were dropped to make room');
    const stored = seqsOf(await journal.read(0, Number.MAX_SAFE_INTEGER));
    assert.equal(stored.length, total - dropped, 'every entry is either stored or counted as dropped');
    assert.deepEqual(stored, Array.from({ length: stored.length }, (_, i) => dropped + 1 + i), 'what is kept is the newest, contiguous');
    assert.ok((await disk!.free()) >= 2 * MiB, `the reserve is kept free (${await disk!.free()} bytes free)`);
    assert.equal(journal.cursor('mqtt'), dropped, 'the sink skips past what was dropped');
    assert.equal(lines.filter((l) => l.startsWith('warn') && l.includes('dropping the oldest stored entries')).length, 1, lines.join('\n'));
    await journal.close();
  });

  it('drop-newest: keeps what is stored, new entries wait; once the sink catches up the space inside the file is reused', async (t) => {
    if (skip) return t.skip(skip);
    await disk!.release();
    const dir = await dataFolder();
    const metrics = new Metrics();
    const journal = await openJournal(dir, { metrics, overflow: 'drop-newest' });
    await journal.openCursor('mqtt');
    await disk!.fill(16 * MiB);
    let n = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 1000; i++) journal.append('reading', reading(++n));
      const ok = await journal.flush().then(
        () => true,
        (err: unknown) => {
          assert.ok(isSensegateError(err) && err.code === 'SG_JOURNAL_DISK_FULL', String(err));
          return false;
        },
      );
      if (!ok) break;
    }
    const kept = journal.lastSeq;
    assert.ok(kept > 0 && kept < n, `${kept} of ${n} committed before the disk was full`);
    assert.deepEqual(seqsOf(await journal.read(0, Number.MAX_SAFE_INTEGER)), Array.from({ length: kept }, (_, i) => i + 1), 'nothing stored was dropped');
    assert.equal(metrics.get('sensegate_journal_dropped_total')!.value({ reason: 'disk', kind: 'reading' }), 0);
    assert.ok((await disk!.free()) >= 2 * MiB, 'the reserve is kept free');

    // The uplink returns: the sink acknowledges everything; the trim frees pages inside the file and
    // the waiting entries are committed there, on the same full disk.
    journal.ack('mqtt', kept);
    await waitFor('the waiting entries to be committed', () => journal.lastSeq === n, { timeout: 60_000 });
    const values = valuesOf(await journal.read(kept + 1, Number.MAX_SAFE_INTEGER));
    assert.deepEqual(values, Array.from({ length: n - kept }, (_, i) => kept + 1 + i));
    await journal.close();
  });

  it('starts read-only on a full disk, serves what it holds, and becomes writable once there is room, without a restart', async (t) => {
    if (skip) return t.skip(skip);
    await disk!.release();
    const dir = await dataFolder();
    const first = await openJournal(dir);
    for (let n = 1; n <= 100; n++) first.append('reading', reading(n));
    await first.flush();
    await first.close();

    await disk!.fill(0);
    const lines: string[] = [];
    const metrics = new Metrics();
    const journal = await openJournal(dir, { log: recordingLogger(lines), metrics });
    assert.equal(journal.stats().disk.readOnly, true);
    assert.equal(journal.lastSeq, 100);
    assert.deepEqual(valuesOf(await journal.read(1, 1000)), Array.from({ length: 100 }, (_, i) => i + 1), 'what is stored can be replayed');
    assert.equal(await journal.openCursor('mqtt'), 0, 'a sink opens its cursor');
    for (let n = 101; n <= 150; n++) journal.append('reading', reading(n));
    await assert.rejects(journal.flush(), (err: unknown) => isSensegateError(err) && err.code === 'SG_JOURNAL_DISK_FULL');
    assert.equal(journal.lastSeq, 100);
    const warning = lines.filter((l) => l.startsWith('warn SG_JOURNAL_DISK_FULL'));
    assert.equal(warning.length, 1, 'said once');
    assert.match(warning[0]!, /read-only/);
    assert.match(warning[0]!, new RegExp(`free space on ${dir}`));

    await disk!.release();
    await waitFor('the waiting entries to be committed', () => journal.lastSeq === 150, { timeout: 30_000 });
    assert.equal(journal.stats().disk.readOnly, false);
    assert.deepEqual(valuesOf(await journal.read(101, 1000)), Array.from({ length: 50 }, (_, i) => 101 + i), 'numbered on from what was stored');
    assert.equal(lines.filter((l) => l.startsWith('warn SG_JOURNAL_DISK_FULL')).length, 1);
    assert.ok(lines.some((l) => l.startsWith('info') && l.includes('open for writing')));
    await journal.close();

    // And a new data folder on a full disk: an empty journal, read-only, numbering from 1 once there is room.
    const fresh = await dataFolder(true);
    await disk!.fill(0);
    const empty = await openJournal(fresh);
    assert.equal(empty.stats().disk.readOnly, true);
    assert.equal(empty.lastSeq, 0);
    empty.append('reading', reading(1));
    await disk!.release();
    await waitFor('the first entry to be committed', () => empty.lastSeq === 1, { timeout: 30_000 });
    await empty.close();
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
