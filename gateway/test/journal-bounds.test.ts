// The uplink is gone and the journal fills up. With drop-oldest it makes room by dropping the oldest
// entries, with drop-newest it keeps what it has and refuses new ones; either way every dropped
// entry is counted exactly, each episode is logged once when it starts (and summed up when it
// ends), and the sequence numbers of what is kept stay contiguous.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Logger } from '@sensegate/sdk';
import type { JournalBlock } from '../src/feed/entry.js';
import { Journal, type JournalOptions } from '../src/journal/journal.js';
import { JournalStore, type StoredBlock } from '../src/journal/store.js';
import { Metrics } from '../src/metrics.js';
import { waitFor } from '@sensegate/sdk/testing';

const dirs: string[] = [];
const open: Journal[] = [];
after(async () => {
  await Promise.all(open.map((j) => j.close().catch(() => {})));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Harness {
  journal: Journal;
  metrics: Metrics;
  lines: string[];
  dropped(reason: 'bytes' | 'age', kind?: 'reading' | 'event'): number;
  warnings(): string[];
  summaries(): string[];
}

async function openJournal(options: Partial<JournalOptions>): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-journal-'));
  dirs.push(dir);
  const metrics = new Metrics();
  const lines: string[] = [];
  const journal = await Journal.open({
    path: join(dir, 'journal.db'),
    sync: 'normal',
    commitInterval: 5,
    maxBlockEntries: 10,
    maxBytes: 1024 ** 3,
    maxAge: 7 * 86_400_000,
    overflow: 'drop-oldest',
    log: recordingLogger(lines),
    metrics,
    ...options,
  });
  open.push(journal);
  const counter = metrics.get('sensegate_journal_dropped_total')!;
  return {
    journal,
    metrics,
    lines,
    dropped: (reason, kind = 'reading') => counter.value({ reason, kind }),
    warnings: () => lines.filter((l) => l.startsWith('warn SG_JOURNAL_OVERFLOW')),
    summaries: () => lines.filter((l) => l.startsWith('info SG_JOURNAL_OVERFLOW')),
  };
}

let counter = 0;
/** About 100 bytes of reading JSON; `n` makes each one identifiable. */
const reading = () => {
  counter++;
  return `{"device":"meter-1","point":"flow","ts":${1_700_000_000_000 + counter},"value":${counter},"quality":"good"}`;
};

async function appendInCommits(journal: Journal, commits: number, perCommit: number): Promise<number> {
  for (let c = 0; c < commits; c++) {
    for (let i = 0; i < perCommit; i++) journal.append('reading', reading());
    await journal.flush();
  }
  return commits * perCommit;
}

/** Every stored entry's sequence number, checking each block's payload holds `count` entries. */
async function storedSeqs(journal: Journal): Promise<number[]> {
  const blocks: JournalBlock[] = await journal.read(0, Number.MAX_SAFE_INTEGER);
  return blocks.flatMap((b) => {
    assert.equal((JSON.parse(`[${b.payload}]`) as unknown[]).length, b.count);
    return Array.from({ length: b.count }, (_, i) => b.seq + i);
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('journal bounds: bytes', () => {
  it('drop-oldest: makes room by dropping the oldest entries, counted exactly, and moves sinks past them', async () => {
    const h = await openJournal({ maxBytes: 5000, overflow: 'drop-oldest' });
    await h.journal.openCursor('platform'); // the platform is unreachable: it never acknowledges
    const appended = await appendInCommits(h.journal, 20, 10);

    const stats = h.journal.stats();
    assert.equal(h.journal.lastSeq, appended, 'every entry was committed and numbered');
    assert.ok(stats.bytes <= 5000, `${stats.bytes} bytes stored, bound 5000`);
    assert.equal(h.dropped('bytes'), appended - stats.entries, 'every entry not stored is counted as dropped');
    assert.equal(stats.dropped, h.dropped('bytes'));
    assert.ok(h.dropped('bytes') > 0);
    assert.deepEqual(await storedSeqs(h.journal), range(h.dropped('bytes') + 1, appended), 'the newest entries are kept, contiguous');
    assert.equal(h.journal.firstSeq, h.dropped('bytes') + 1);
    assert.equal(h.journal.cursor('platform'), h.dropped('bytes'), 'the sink skips what was dropped');
    assert.equal(h.warnings().length, 1, 'one warning for the whole episode');
    assert.match(h.warnings()[0]!, /drop-oldest/);

    // The platform comes back and acknowledges everything: the episode ends with one summary.
    h.journal.ack('platform', h.journal.lastSeq);
    await waitFor('the overflow episode to end', () => h.summaries().length === 1);
    assert.match(h.summaries()[0]!, new RegExp(`${h.dropped('bytes')} readings \\(bytes\\)`));

    // A second outage is a second episode, with its own warning.
    const droppedBefore = h.dropped('bytes');
    assert.equal(h.journal.stats().entries, 0, 'everything acknowledged was trimmed');
    const second = await appendInCommits(h.journal, 20, 10);
    assert.equal(h.warnings().length, 2);
    assert.equal(h.dropped('bytes') - droppedBefore, second - h.journal.stats().entries);
  });

  it('drop-oldest: counts delivered entries it removes early apart from the undelivered ones it loses', async () => {
    // Maintenance (the trim of delivered entries) never runs during this test: the bound alone removes.
    const h = await openJournal({ maxBytes: 5000, overflow: 'drop-oldest', maxAge: 86_400_000 });
    await h.journal.openCursor('platform');
    const first = await appendInCommits(h.journal, 4, 10); // about 4,000 bytes, under the bound
    h.journal.ack('platform', 30); // the platform has the first 30, not yet trimmed
    const more = await appendInCommits(h.journal, 6, 10);
    const total = first + more;
    const gone = total - h.journal.stats().entries;
    const early = h.metrics.get('sensegate_journal_trimmed_early_total')!;
    assert.ok(gone > 30, `${gone} entries removed by the bound`);
    assert.equal(early.value({ reason: 'bytes', kind: 'reading' }), 30, 'the 30 delivered entries are counted as removed early');
    assert.equal(h.dropped('bytes'), gone - 30, 'only undelivered entries count as dropped');
    assert.equal(h.journal.stats().dropped, gone - 30);
    h.journal.ack('platform', h.journal.lastSeq);
    await waitFor('the overflow episode to end', () => h.summaries().length === 1);
    assert.match(h.summaries()[0]!, new RegExp(`; ${gone - 30} readings \\(bytes\\) dropped \\(never delivered\\) in \\d+s`));
  });

  it('drop-newest: keeps what is stored and refuses new entries until sinks catch up', async () => {
    const h = await openJournal({ maxBytes: 5000, overflow: 'drop-newest' });
    await h.journal.openCursor('platform');
    const appended = await appendInCommits(h.journal, 20, 10);

    const stats = h.journal.stats();
    assert.ok(stats.bytes <= 5000, `${stats.bytes} bytes stored, bound 5000`);
    assert.equal(h.journal.lastSeq, stats.entries, 'refused entries get no sequence number');
    assert.deepEqual(await storedSeqs(h.journal), range(1, stats.entries), 'the oldest entries are kept, contiguous from 1');
    assert.equal(h.dropped('bytes'), appended - stats.entries);
    assert.equal(h.journal.cursor('platform'), 0, 'nothing the sink has not seen was dropped');
    assert.equal(h.warnings().length, 1);
    assert.match(h.warnings()[0]!, /drop-newest/);

    const kept = h.journal.lastSeq;
    h.journal.ack('platform', kept);
    await waitFor('the journal to accept entries again', () => h.summaries().length === 1);
    assert.match(h.summaries()[0]!, new RegExp(`${h.dropped('bytes')} readings \\(bytes\\)`));
    await appendInCommits(h.journal, 1, 10);
    assert.deepEqual(await storedSeqs(h.journal), range(kept + 1, kept + 10), 'numbering goes on without a gap');
  });
});

describe('journal bounds: a trim and a commit that makes room, back to back', () => {
  it('drops only what the bound still requires once the trim before it has freed room', async () => {
    // The journal's maintenance trims while commits keep coming; when the trim's transaction runs
    // just before a commit at the bound, the commit must see the room the trim freed.
    const dir = await mkdtemp(join(tmpdir(), 'sensegate-journal-'));
    dirs.push(dir);
    const store = await JournalStore.open(join(dir, 'journal.db'), 'normal');
    try {
      await store.summary();
      const payload = 'x'.repeat(100);
      const block = (seq: number): StoredBlock => ({ seq, count: 1, kind: 'reading', ts: Date.now(), bytes: 100, payload });
      await store.commit(range(1, 10).map(block), 10, 1000); // 1000 bytes: at the bound

      // Both queued at once, as the journal's timers do: trim 1-5, then commit 11-13.
      const trim = store.remove({ through: 5 });
      const commit = store.commit(range(11, 13).map(block), 13, 1000);
      assert.equal((await trim)?.entries.reading, 5);
      assert.equal(await commit, undefined, 'the trim freed 500 bytes, the commit needs 300: nothing dropped');

      const more = await store.commit(range(14, 16).map(block), 16, 1000); // 800 + 300 bytes: 100 over
      assert.equal(more?.entries.reading, 1, 'exactly one 100-byte entry dropped');
      assert.equal(more?.throughSeq, 6);
    } finally {
      await store.close();
    }
  });
});

describe('journal bounds: age', () => {
  it('drop-oldest: drops entries older than maxAge, counted, and moves sinks past them', async () => {
    const h = await openJournal({ maxAge: 300, overflow: 'drop-oldest' });
    await h.journal.openCursor('platform');
    h.journal.append('event', '{"type":"device.state","state":"online"}');
    await appendInCommits(h.journal, 3, 10);

    await waitFor('the old entries to be dropped', () => h.journal.stats().entries === 0);
    assert.equal(h.dropped('age', 'reading'), 30);
    assert.equal(h.dropped('age', 'event'), 1);
    assert.equal(h.journal.cursor('platform'), 31);
    assert.equal(h.journal.firstSeq, 32);
    assert.equal(h.warnings().length, 1);
    await waitFor('the episode summary', () => h.summaries().length === 1);
    assert.match(h.summaries()[0]!, /30 readings and 1 event \(age\)/);
  });

  it('drop-newest: refuses new entries while the oldest is older than maxAge', async () => {
    const h = await openJournal({ maxAge: 300, overflow: 'drop-newest' });
    await h.journal.openCursor('platform');
    let appended = await appendInCommits(h.journal, 3, 10);

    // Keep appending, one every few ms, until the journal starts refusing.
    await waitFor(
      'new entries to be refused',
      () => {
        h.journal.append('reading', reading());
        appended++;
        return h.dropped('age') > 0;
      },
      { interval: 10 },
    );
    await h.journal.flush();
    assert.equal(h.journal.lastSeq, appended - h.dropped('age'));
    assert.deepEqual(await storedSeqs(h.journal), range(1, h.journal.lastSeq), 'the oldest entries are kept');
    assert.equal(h.warnings().length, 1);

    const kept = h.journal.lastSeq;
    h.journal.ack('platform', kept);
    await waitFor('the journal to accept entries again', () => h.summaries().length === 1);
    await appendInCommits(h.journal, 1, 5);
    assert.deepEqual(await storedSeqs(h.journal), range(kept + 1, kept + 5));
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
