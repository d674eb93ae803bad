/**
 * The journal's metrics, registered once and bound to their series so that updating one on the
 * append path is a property increment.
 */
import type { EntryKind } from '../feed/entry.js';
import type { Counter, Metrics } from '../metrics.js';

type Series = ReturnType<Counter['bind']>;

/**
 * Why entries were dropped: the byte or age bound, the disk too full to hold them (drop-oldest),
 * commits failing for too long, or an append after close.
 */
export type DropReason = 'bytes' | 'age' | 'disk' | 'commit' | 'closed';

export class JournalMetrics {
  readonly appended: Record<EntryKind, Series>;
  readonly committed: Record<EntryKind, Series>;
  readonly trimmed: Record<EntryKind, Series>;
  readonly commits: Series;
  readonly commitErrors: Series;
  readonly commitSeconds: Series;
  readonly lastCommitSeconds: Series;
  readonly bytes: Series;
  readonly blocks: Series;
  readonly entries: Series;
  readonly uncommitted: Series;
  readonly oldestAge: Series;
  readonly lastSeq: Series;
  readonly firstSeq: Series;
  readonly fileBytes: Series;
  private readonly dropped: Counter;
  private readonly deadLettered: Counter;
  /** Dead letters removed to keep the newest MAX_DEAD_LETTERS. */
  readonly deadLettersDiscarded: Series;
  readonly diskFree: Series;
  readonly diskFull: Series;
  readonly diskFullEpisodes: Series;
  /** Total dropped, all reasons and kinds. */
  droppedTotal = 0;

  constructor(metrics: Metrics) {
    const appended = metrics.counter('sensegate_journal_appended_total', 'Entries appended to the journal, by kind.');
    const committed = metrics.counter('sensegate_journal_committed_total', 'Entries committed to the journal (durable per the sync mode), by kind.');
    const trimmed = metrics.counter('sensegate_journal_trimmed_total', 'Entries removed after every sink acknowledged them, by kind.');
    this.appended = { reading: appended.bind({ kind: 'reading' }), event: appended.bind({ kind: 'event' }) };
    this.committed = { reading: committed.bind({ kind: 'reading' }), event: committed.bind({ kind: 'event' }) };
    this.trimmed = { reading: trimmed.bind({ kind: 'reading' }), event: trimmed.bind({ kind: 'event' }) };
    this.commits = metrics.counter('sensegate_journal_commits_total', 'Journal transactions committed.').bind();
    this.commitErrors = metrics.counter('sensegate_journal_commit_errors_total', 'Journal commits that failed and were retried.').bind();
    this.commitSeconds = metrics
      .counter('sensegate_journal_commit_seconds_total', 'Time spent in journal commits, in seconds (divide by sensegate_journal_commits_total for the mean).')
      .bind();
    this.lastCommitSeconds = metrics.gauge('sensegate_journal_last_commit_seconds', 'Duration of the last journal commit, in seconds.').bind();
    this.bytes = metrics.gauge('sensegate_journal_bytes', 'Bytes of entry JSON stored in the journal (the byte bound, journal.maxBytes, counts these).').bind();
    this.fileBytes = metrics
      .gauge('sensegate_journal_file_bytes', 'Bytes the journal takes on disk: its SQLite file with the -wal and -shm files, read at the scrape.')
      .bind();
    this.blocks = metrics.gauge('sensegate_journal_blocks', 'Blocks (rows) stored in the journal.').bind();
    this.entries = metrics.gauge('sensegate_journal_entries', 'Entries stored in the journal.').bind();
    this.uncommitted = metrics.gauge('sensegate_journal_uncommitted_entries', 'Entries appended and not yet committed.').bind();
    this.oldestAge = metrics
      .gauge('sensegate_journal_oldest_entry_age_seconds', 'Age of the oldest stored entry since its commit, in seconds (0 when empty); the figure journal.maxAge bounds.')
      .bind();
    this.lastSeq = metrics.gauge('sensegate_journal_last_seq', 'Sequence number of the last committed entry.').bind();
    this.firstSeq = metrics.gauge('sensegate_journal_first_seq', 'Sequence number of the oldest stored entry (last_seq + 1 when the journal is empty).').bind();
    this.dropped = metrics.counter(
      'sensegate_journal_dropped_total',
      'Entries lost by the journal before every sink had them, by reason (bytes, age: the bound and overflow policy; disk: stored entries removed because the disk was full; commit: commits failed too long; closed: appended after close) and kind.',
    );
    this.trimmedEarlyCounter = metrics.counter(
      'sensegate_journal_trimmed_early_total',
      'Entries every sink had already acknowledged, removed by the byte or age bound or a full disk before trimming got to them (not lost; drops count what was lost), by reason and kind.',
    );
    this.deadLettered = metrics.counter(
      'sensegate_sink_dead_letters_total',
      'Entries a sink\'s endpoint refused for good, moved to the journal\'s dead letters (`sensegate dead-letters` lists them), by sink.',
    );
    this.deadLettersDiscarded = metrics
      .counter('sensegate_journal_dead_letters_discarded_total', 'Dead letters removed to keep only the newest 10,000.')
      .bind();
    this.diskFree = metrics.gauge('sensegate_journal_disk_free_bytes', 'Free bytes on the file system that holds the journal, at the last check.').bind();
    this.diskFull = metrics
      .gauge('sensegate_journal_disk_full', '1 while the disk holding the journal is too full to commit (entries wait in memory), else 0.')
      .bind();
    this.diskFullEpisodes = metrics
      .counter('sensegate_journal_disk_full_episodes_total', 'Times the disk holding the journal became too full to commit.')
      .bind();
    // Present from the start, so a dashboard shows 0 rather than no data.
    for (const reason of ['bytes', 'age'] as const) for (const kind of ['reading', 'event'] as const) this.dropped.inc({ reason, kind }, 0);
  }

  private readonly trimmedEarlyCounter: Counter;

  /** Delivered entries a bound removed before trimming would have: not lost, counted apart from drops. */
  trimmedEarly(reason: 'bytes' | 'age' | 'disk', kind: EntryKind): { value: number } {
    return this.trimmedEarlyCounter.bind({ reason, kind });
  }

  /** Bound series per reason and kind: a full journal drops entry by entry, so this is a hot path. */
  private readonly droppedSeries = new Map<string, { value: number }>();

  deadLetters(sink: string): Series {
    return this.deadLettered.bind({ sink });
  }

  drop(reason: DropReason, kind: EntryKind, count: number): void {
    const key = `${reason}/${kind}`;
    let series = this.droppedSeries.get(key);
    if (!series) this.droppedSeries.set(key, (series = this.dropped.bind({ reason, kind })));
    series.value += count;
    this.droppedTotal += count;
  }
}
