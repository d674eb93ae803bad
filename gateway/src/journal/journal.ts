/**
 * The durable journal: every reading and event is committed here before any sink may send it.
 * `append` is synchronous and cheap; appended entries are committed together, in append order, at
 * most `commitInterval` later, get their sequence numbers then, and are announced with the `commit`
 * event. Each sink has a cursor; a block is trimmed once every cursor is past it. The journal is
 * bounded by bytes and by age, and every entry it drops is counted and each episode logged.
 * Commits are bounded transactions (COMMIT_CHUNK_BYTES), checked against the disk's free space
 * first, so after any outage the waiting entries drain chunk by chunk and a full disk always
 * leaves `reserveBytes` for trimming; on a full disk at start the journal opens read-only and
 * becomes writable by itself once there is room.
 * See docs/durability.md for what a crash, a power cut or a full disk can lose.
 */
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Backoff, SensegateError, type Logger } from '@sensegate/sdk';
import type { EntryKind, JournalBlock } from '../feed/entry.js';
import type { Metrics } from '../metrics.js';
import { Cursors, type AckedRanges } from './cursors.js';
import { DiskSpace, isSpaceError } from './disk-space.js';
import { DropEpisode } from './drop-episode.js';
import { JournalMetrics, type DropReason } from './metrics.js';
import { PendingEntries } from './pending.js';
import { currentBootId, META, RESERVATION, resumeAfter } from './seq-reservation.js';
import { JournalStore, type DeadLetter, type Removal, type StoredBlock, type SyncMode } from './store.js';

export interface JournalOptions {
  /** The SQLite file, `<data>/journal.db` in a gateway. */
  path: string;
  sync: SyncMode;
  /** Milliseconds an appended entry may wait before it is committed. */
  commitInterval: number;
  maxBlockEntries: number;
  /** Commit at once when this many entries are pending (default: 64 blocks' worth). */
  maxPendingEntries?: number;
  /** Bound on stored entry JSON, in bytes. */
  maxBytes: number;
  /** Bound on the age of stored entries, in milliseconds since their commit. */
  maxAge: number;
  /**
   * The wall clock (default `Date.now`). A gateway passes its clock watch's `now`, which reports a
   * step to `clockStepped` before it returns a time from the stepped clock.
   */
  clock?: () => number;
  overflow: 'drop-oldest' | 'drop-newest';
  log: Logger;
  metrics: Metrics;
  /**
   * Bound on entry JSON held in memory while commits fail or fall behind (default 64 MiB); beyond
   * it new entries are dropped and counted with reason `commit`.
   */
  maxUncommittedBytes?: number;
  /**
   * Free space on the journal's disk that commits never use (default 8 MiB), kept for what makes
   * room: trimming, saving cursors, a WAL checkpoint.
   */
  reserveBytes?: number;
}

export interface JournalStats {
  bytes: number;
  blocks: number;
  entries: number;
  lastSeq: number;
  firstSeq: number;
  oldestTs?: number;
  dropped: number;
  /** The journal's disk: free space at the last check, the reserve, and whether it is full now. */
  disk: {
    freeBytes?: number;
    reserveBytes: number;
    /** Commits are held back for lack of space (entries wait in memory). */
    full: boolean;
    /** Opened read-only on a full disk; writable again once there is room. */
    readOnly: boolean;
    /** When the current full-disk episode began, ms since the epoch. */
    fullSince?: number;
    episodes: number;
  };
}

/** How many of the unsaved blocks go into the next transaction: up to COMMIT_CHUNK_BYTES of JSON, at least one block. */
function chunkLength(blocks: readonly StoredBlock[]): number {
  let bytes = blocks[0]!.bytes;
  let n = 1;
  while (n < blocks.length && bytes + blocks[n]!.bytes <= COMMIT_CHUNK_BYTES) bytes += blocks[n++]!.bytes;
  return n;
}

/** Below these fractions of `maxBytes` and `maxAge` an overflow episode ends. */
const LOW_WATER = 0.9;
/** Most entries removed by one trim transaction, so a big trim never holds up commits for long. */
const TRIM_CHUNK_ENTRIES = 200_000;
const MAINTENANCE_INTERVAL = 1000;
/**
 * Most entry JSON committed in one transaction. After a long failure the waiting entries (up to
 * 64 MiB) drain in transactions of this size, so a retry needs only this much room on the disk.
 */
export const COMMIT_CHUNK_BYTES = 2 * 1024 * 1024;
/** SQLite's pages and the WAL's frame headers on top of the entry JSON a commit writes. */
const WRITE_OVERHEAD = 1.25;
export const DEFAULT_RESERVE_BYTES = 8 * 1024 * 1024;
/**
 * Meta key: how far the wall clock is ahead of the journal's own timeline, in ms. Commit times are
 * stored on that timeline, which wall-clock steps do not move, so a step never ages entries.
 */
const CLOCK_OFFSET = 'clockOffset';

export class Journal extends EventEmitter<{ commit: [blocks: JournalBlock[]] }> {
  private lastCommitted: number;
  private first: { seq: number; ts: number } | undefined;
  private bytes: number;
  private blocks: number;
  private entries: number;
  /** The highest sequence number reserved durably (`normal` mode); commits never emit past it. */
  private reserved: number;

  private readonly pending: PendingEntries;
  /** Blocks numbered for a commit that has not succeeded yet (kept and retried on failure). */
  private unsaved: StoredBlock[] = [];
  /** Pipeline step states waiting for the next commit; a newer state of a key replaces an older one. */
  private stagedStates = new Map<string, string>();
  private unsavedChars = 0;
  private readonly maxPendingEntries: number;
  private readonly maxUncommittedChars: number;

  private commitTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private commitRequested = false;
  private failing = false;
  private readonly retry = new Backoff({ initialDelay: 100, maxDelay: 5000 });
  private maintenanceFailing = false;
  private maintaining: Promise<void> | undefined;

  /** With `drop-newest`: why new entries are refused, while the journal is full. */
  private refusing: 'bytes' | 'age' | undefined;
  private readonly overflowEpisode: DropEpisode;
  private readonly backlogEpisode: DropEpisode;
  private readonly closedEpisode: DropEpisode;
  private readonly diskDropEpisode: DropEpisode;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Opened read-only on a full disk (see `becomeWritable`). */
  private readOnly = false;
  private reopening: Promise<boolean> | undefined;
  /** Whether the SG_JOURNAL_IO line of the current commit failure was logged (its end is, too). */
  private failureLogged = false;

  private readonly m: JournalMetrics;
  private readonly disk: DiskSpace;
  /** Whether the disk was short at the last commit: then each commit is followed by a WAL checkpoint. */
  private tight = false;
  /** Stored bytes when entries were last dropped to make room; the episode ends below 90% of it. */
  private droppedAtBytes: number | undefined;
  /** Wall clock minus the journal's timeline (see CLOCK_OFFSET). */
  private clockOffset = 0;

  /** Dead letters kept, by sink (read at open, kept up to date by `deadLetter`). */
  private deadLetterCounts: Map<string, number>;

  private constructor(
    private readonly options: JournalOptions,
    private store: JournalStore,
    private readonly cursors: Cursors,
    resume: { lastSeq: number; reserved: number },
    stored: { blocks: number; entries: number; bytes: number; first?: { seq: number; ts: number }; deadLetters?: Map<string, number> },
  ) {
    super();
    this.deadLetterCounts = new Map(stored.deadLetters);
    this.lastCommitted = resume.lastSeq;
    this.reserved = resume.reserved;
    this.first = stored.first;
    this.bytes = stored.bytes;
    this.blocks = stored.blocks;
    this.entries = stored.entries;
    this.pending = new PendingEntries(options.maxBlockEntries);
    this.maxPendingEntries = options.maxPendingEntries ?? options.maxBlockEntries * 64;
    this.maxUncommittedChars = options.maxUncommittedBytes ?? 64 * 1024 * 1024;
    this.m = new JournalMetrics(options.metrics);
    this.disk = new DiskSpace(options.path, options.reserveBytes ?? DEFAULT_RESERVE_BYTES, options.log, this.m);
    const { log, path, overflow } = options;
    this.overflowEpisode = new DropEpisode(log, path, (reason) =>
      overflow === 'drop-oldest'
        ? `${reason === 'bytes' ? `full (maxBytes ${options.maxBytes} bytes)` : `holds entries older than maxAge (${options.maxAge} ms)`}: dropping the oldest entries, delivered or not, until it is back under ${LOW_WATER * 100}% (overflow: drop-oldest)`
        : `${reason === 'bytes' ? `full (maxBytes ${options.maxBytes} bytes)` : `holds entries older than maxAge (${options.maxAge} ms)`}: refusing new entries until sinks catch up and it is back under ${LOW_WATER * 100}% (overflow: drop-newest)`,
    );
    this.backlogEpisode = new DropEpisode(
      log,
      path,
      () => `commits are failing or too slow and ${Math.round(this.maxUncommittedChars / 1048576)} MiB of entries wait in memory: dropping new entries until a commit succeeds`,
    );
    this.diskDropEpisode = new DropEpisode(
      log,
      path,
      () => 'the disk holding it is full: dropping the oldest stored entries, sent or not, to make room for new ones (overflow: drop-oldest)',
    );
    this.closedEpisode = new DropEpisode(log, path, () => 'entries appended after the journal was closed are dropped');
    this.updateGauges();
    // An idle journal still ages, and its files grow with WAL checkpoints: both are read at a scrape.
    this.stopCollecting = options.metrics.collect(() => {
      this.m.oldestAge.value = this.oldestAge / 1000;
      this.m.fileBytes.value = filesBytes(path);
    });
  }

  private readonly stopCollecting: () => void;

  static async open(options: JournalOptions): Promise<Journal> {
    const { path, sync, log } = options;
    let opened: Awaited<ReturnType<typeof Journal.openWritable>>;
    try {
      opened = await Journal.openWritable(options);
    } catch (err) {
      // On a full disk the gateway still starts: devices poll, entries wait in memory, and the
      // journal becomes writable once there is room. Any other failure stops the start.
      const free = await statfs(dirname(path)).then((s) => s.bavail * s.bsize, () => undefined);
      if (!isSpaceError(err) && !(free !== undefined && free < (options.reserveBytes ?? DEFAULT_RESERVE_BYTES))) throw err;
      return Journal.openReadOnly(options, err as Error);
    }
    const { store, summary, resume, clockOffset } = opened;
    const journal = new Journal(options, store, new Cursors(summary.cursors), resume, summary);
    journal.clockOffset = clockOffset;
    journal.updateGauges();
    log.debug(
      { file: path, lastSeq: resume.lastSeq, blocks: summary.blocks, entries: summary.entries, bytes: summary.bytes, sync },
      `journal ${path} open: ${summary.entries} entries stored, last seq ${resume.lastSeq}`,
    );
    journal.scheduleMaintenance();
    return journal;
  }

  /** Opens the file for writing, reads what it holds and writes this run's markers (durably). */
  private static async openWritable(options: JournalOptions) {
    const { path, sync, log } = options;
    const store = await JournalStore.open(path, sync);
    try {
      const summary = await store.summary();
      const bootId = await currentBootId();
      const resume = resumeAfter(summary.meta, summary.lastSeq, bootId);
      if (resume.skipped) {
        log.warn(
          { file: path, skippedFrom: resume.skipped.from, skippedTo: resume.skipped.to },
          `journal ${path}: the previous run ended without closing the journal and the machine has restarted since, in sync mode normal; ` +
            `commits after seq ${resume.skipped.from - 1} may have been lost, so numbering resumes at ${resume.skipped.to + 1} and no sequence number is reused`,
        );
      }
      const reserved = sync === 'normal' ? resume.lastSeq + RESERVATION : 0;
      const clockOffset = offsetAtOpen(summary, (options.clock ?? Date.now)());
      // Written durably: this run's reservation and the markers the next open reads.
      await store.saveMeta(
        new Map([
          [META.lastSeq, String(resume.lastSeq)],
          [META.reserved, String(reserved)],
          [META.running, '1'],
          [META.bootId, bootId],
          [META.sync, sync],
          [CLOCK_OFFSET, String(clockOffset)],
        ]),
        true,
      );
      return { store, summary, resume: { lastSeq: resume.lastSeq, reserved }, clockOffset };
    } catch (err) {
      await store.close().catch(() => {});
      throw err;
    }
  }

  /**
   * A start on a full disk: what is stored can be read (and replayed to sinks), nothing is
   * numbered or written until `becomeWritable` succeeds, which maintenance and the commit retry
   * try as soon as the disk has room.
   */
  private static async openReadOnly(options: JournalOptions, cause: Error): Promise<Journal> {
    const store = await JournalStore.openReadOnly(options.path).catch((err: unknown) => {
      throw new SensegateError(
        'SG_JOURNAL_DISK_FULL',
        `${(err as Error).message}; the disk holding it is full (${cause.message}): free space on ${dirname(options.path)} and start again`,
        { source: options.path, cause: err },
      );
    });
    try {
      const summary = await store.summary();
      const journal = new Journal(options, store, new Cursors(summary.cursors), { lastSeq: summary.lastSeq, reserved: 0 }, summary);
      journal.clockOffset = offsetAtOpen(summary, (options.clock ?? Date.now)());
      journal.readOnly = true;
      journal.failing = true; // appends wait for the retry, which tries to become writable first
      await journal.disk.measure().catch(() => {});
      journal.disk.short(
        options.path,
        `the journal opened read-only (${cause.message}), with ${summary.entries.toLocaleString('en')} entries stored up to seq ${summary.lastSeq}; ` +
          `new entries wait in memory (up to ${Math.round(journal.maxUncommittedChars / 1048576)} MiB, then new ones are dropped and counted) and are committed once there is room`,
        0,
      );
      journal.scheduleMaintenance();
      return journal;
    } catch (err) {
      await store.close().catch(() => {});
      throw err;
    }
  }

  /**
   * After a read-only start: once the disk has room beyond the reserve, opens the file for
   * writing and carries on from what it holds. Returns whether the journal is writable.
   */
  private becomeWritable(): Promise<boolean> {
    if (!this.readOnly) return Promise.resolve(true);
    this.reopening ??= this.reopen().finally(() => (this.reopening = undefined));
    return this.reopening;
  }

  private async reopen(): Promise<boolean> {
    const f = await this.disk.measure().catch(() => undefined);
    if (this.closed || (f && !this.disk.fits(0, f))) return false;
    let opened: Awaited<ReturnType<typeof Journal.openWritable>>;
    try {
      opened = await Journal.openWritable(this.options);
    } catch (err) {
      this.options.log.debug({ err, file: this.options.path }, `journal ${this.options.path}: still cannot open it for writing: ${(err as Error).message}`);
      return false;
    }
    const old = this.store;
    this.store = opened.store;
    this.readOnly = false;
    await old.close().catch(() => {});
    // Steps seen while read-only could not be saved: the offset this run has used is what counts.
    if (opened.clockOffset !== this.clockOffset) await this.saveClockOffset();
    const { summary, resume } = opened;
    this.lastCommitted = Math.max(this.lastCommitted, resume.lastSeq);
    this.reserved = resume.reserved;
    this.first = summary.first;
    this.bytes = summary.bytes;
    this.blocks = summary.blocks;
    this.entries = summary.entries;
    // Cursors moved or opened meanwhile live in memory and are saved with the next trim; one
    // removed meanwhile (a sink no longer configured) is removed from the file now.
    for (const [sink, saved] of summary.cursors) {
      if (this.cursors.has(sink)) this.cursors.advance(sink, saved.acked);
      else await this.store.removeCursor(sink).catch(() => {});
    }
    this.options.log.info(
      { file: this.options.path, lastSeq: this.lastCommitted, freeBytes: f?.free },
      `journal ${this.options.path}: the disk has room again: the journal is open for writing, with ${summary.entries.toLocaleString('en')} entries stored up to seq ${this.lastCommitted}`,
    );
    this.updateGauges();
    return true;
  }

  /** Last committed sequence number (0 when nothing was ever committed). */
  get lastSeq(): number {
    return this.lastCommitted;
  }

  /** Age of the oldest stored entry on the journal's timeline (clock steps do not age it), ms; 0 when empty. */
  get oldestAge(): number {
    return this.first ? Math.max(0, this.timeline() - this.first.ts) : 0;
  }

  /** First sequence number still stored (`lastSeq + 1` when the journal is empty). */
  get firstSeq(): number {
    return this.first?.seq ?? this.lastCommitted + 1;
  }

  /** Adds one entry (its JSON object text). It is committed, numbered and announced within `commitInterval`. */
  append(kind: EntryKind, json: string): void {
    if (this.closed) return this.drop('closed', kind, 1, this.closedEpisode);
    if (this.refusing !== undefined) return this.drop(this.refusing, kind, 1, this.overflowEpisode);
    if (this.pending.chars + this.unsavedChars >= this.maxUncommittedChars) return this.drop('commit', kind, 1, this.backlogEpisode);
    this.pending.add(kind, json);
    this.m.appended[kind].value++;
    if (this.failing) return; // the retry timer commits
    if (this.pending.entries >= this.maxPendingEntries) {
      if (!this.commitRequested) this.commitInBackground();
    } else if (this.commitTimer === undefined) {
      this.commitTimer = setTimeout(this.commitInBackground, this.options.commitInterval);
    }
  }

  /**
   * Saves pipeline step states in the next commit, together with the entries appended before
   * them: an alarm's raised state is on disk exactly when its raise event is.
   */
  saveStates(states: Map<string, string>): void {
    if (this.closed || states.size === 0) return;
    for (const [key, value] of states) this.stagedStates.set(key, value);
    if (!this.failing && this.commitTimer === undefined) this.commitTimer = setTimeout(this.commitInBackground, this.options.commitInterval);
  }

  /** The step states saved by earlier runs. */
  loadStates(): Promise<Map<string, string>> {
    return this.store.loadStates();
  }

  /** Forgets the saved states of steps that are no longer configured. */
  async forgetStates(keys: readonly string[]): Promise<void> {
    // Read-only on a full disk: the next start forgets them.
    if (keys.length > 0 && !this.readOnly) await this.store.deleteStates(keys);
  }

  /**
   * Commits everything appended so far; rejects with SG_JOURNAL_IO if the commit fails, or
   * SG_JOURNAL_DISK_FULL if the disk has no room for it (either way the entries are kept and retried).
   */
  async flush(): Promise<void> {
    if (this.closed && !this.committing) return;
    await this.requestCommit();
  }

  /**
   * The committed blocks that hold entries from `fromSeq` on, in order and whole, stopping once
   * `maxEntries` entries from `fromSeq` on are covered (at least one block when any exists).
   * The first block may start before `fromSeq` (when a cursor stopped inside it): the caller
   * either skips its entries below `fromSeq` or sends it whole and lets consumers drop the
   * duplicates by sequence number. Blocks trimmed or dropped meanwhile are simply absent: the
   * caller sees a jump in sequence numbers. Never returns an entry beyond `lastSeq`.
   */
  read(fromSeq: number, maxEntries: number): Promise<JournalBlock[]> {
    if (fromSeq > this.lastCommitted) return Promise.resolve([]);
    return this.store.read(fromSeq, maxEntries, this.lastCommitted);
  }

  /**
   * Returns the sink's acknowledged high-water mark. A sink seen for the first time starts just
   * before the oldest stored entry (`firstSeq - 1`), so it is sent the whole backlog the journal
   * still holds and then everything committed after; a sink added during an outage misses
   * nothing that the journal kept. The new cursor is saved at once, so it holds back trimming
   * from now on, even across a crash.
   */
  async openCursor(sink: string): Promise<number> {
    this.m.deadLetters(sink); // the sink's series exists from the start, so a dashboard shows 0 rather than no data
    const existing = this.cursors.get(sink);
    if (existing !== undefined) return existing;
    const start = this.firstSeq - 1;
    this.cursors.advance(sink, start);
    // Read-only on a full disk: saved with the first trim once the journal is writable.
    if (!this.readOnly) await this.store.saveCursors([[sink, { acked: start, ranges: [] }]]);
    return start;
  }

  /**
   * What the sink's endpoint acknowledged above its cursor, out of order, as last saved or
   * recorded: a replay after a crash skips these instead of sending them again.
   */
  ackedRanges(sink: string): AckedRanges {
    return this.cursors.rangesOf(sink);
  }

  /**
   * Records that the sink's endpoint acknowledged every entry up to `upTo` (a block's last seq),
   * and, when given, the ranges above it acknowledged out of order. Monotonic; saved in batches
   * (about every second), so after a crash what was acknowledged since the last save is sent again.
   */
  ack(sink: string, upTo: number, ranges?: AckedRanges): void {
    if (!this.cursors.has(sink)) throw new Error(`journal ${this.options.path}: ack for sink "${sink}" before openCursor("${sink}")`);
    this.cursors.advance(sink, Math.min(upTo, this.lastCommitted));
    if (ranges) this.cursors.setRanges(sink, ranges);
  }

  /** The sink's acknowledged high-water mark (0 for a sink without a cursor). */
  cursor(sink: string): number {
    return this.cursors.get(sink) ?? 0;
  }

  /**
   * Forgets a sink that is no longer configured, so its cursor stops holding back trimming.
   * (An extension of the journal API; the gateway may call it for cursors of removed sinks.)
   */
  async removeCursor(sink: string): Promise<void> {
    this.cursors.remove(sink);
    // Read-only on a full disk: removed from the file when the journal becomes writable.
    if (!this.readOnly) await this.store.removeCursor(sink);
  }

  /**
   * A sink's backlog: entries committed and not acknowledged, the bytes they take in the journal,
   * and the time of the oldest (ms since the epoch, on the journal's clock like `stats().oldestTs`).
   */
  async backlog(sink: string): Promise<{ entries: number; bytes: number; oldestTs?: number }> {
    const cursor = this.cursor(sink);
    const entries = Math.max(0, this.lastCommitted - Math.max(cursor, this.firstSeq - 1));
    if (entries === 0) return { entries: 0, bytes: 0 };
    const { bytes, oldestTs } = await this.store.backlog(cursor);
    return { entries, bytes, ...(oldestTs !== undefined ? { oldestTs: oldestTs + this.clockOffset } : {}) };
  }

  /** Names of the sinks that have cursors, including ones saved by earlier runs. */
  cursorNames(): string[] {
    return this.cursors.names();
  }

  stats(): JournalStats {
    const s: JournalStats = {
      bytes: this.bytes,
      blocks: this.blocks,
      entries: this.entries,
      lastSeq: this.lastCommitted,
      firstSeq: this.firstSeq,
      dropped: this.m.droppedTotal,
      disk: {
        reserveBytes: this.disk.reserveBytes,
        full: this.disk.episode !== undefined,
        readOnly: this.readOnly,
        episodes: this.disk.episodes,
      },
    };
    if (this.disk.figures) s.disk.freeBytes = this.disk.figures.free;
    if (this.disk.episode) s.disk.fullSince = this.disk.episode.since;
    if (this.first) s.oldestTs = this.first.ts + this.clockOffset;
    return s;
  }

  /**
   * Moves an entry that a sink's endpoint refused for good out of that sink's way: it is kept in the
   * journal's dead letters (the newest MAX_DEAD_LETTERS of them) for a person to inspect with
   * `sensegate dead-letters`, and counted. The caller then acknowledges its seq for the sink.
   */
  async deadLetter(sink: string, entry: { kind: EntryKind; seq: number; json: string }, reason: string): Promise<void> {
    const removed = await this.store.addDeadLetter({ sink, seq: entry.seq, kind: entry.kind, ts: Date.now(), reason, payload: entry.json });
    this.m.deadLetters(sink).value++;
    this.m.deadLettersDiscarded.value += removed;
    this.deadLetterCounts.set(sink, (this.deadLetterCounts.get(sink) ?? 0) + 1);
    // The oldest went to stay within the bound, whichever sink they were for: count again.
    if (removed > 0) this.deadLetterCounts = await this.store.deadLetterCounts().catch(() => this.deadLetterCounts);
  }

  /** How many dead letters the journal keeps for `sink` (what `sensegate dead-letters --sink` lists). */
  deadLetterCount(sink: string): number {
    return this.deadLetterCounts.get(sink) ?? 0;
  }

  /** The dead letters kept, oldest first, of one sink or all. */
  deadLetters(sink?: string, limit?: number): Promise<DeadLetter[]> {
    return this.store.deadLetters(sink, limit);
  }

  /** SQLite's live settings for this journal (journal mode, synchronous level, version), for diagnostics. */
  storage(): Promise<{ file: string; journalMode: string; synchronous: string; sqlite: string }> {
    return this.store.settings().then((s) => ({ file: this.options.path, ...s }));
  }

  /** Commits what is pending, saves the cursors, closes the file. Appends after this are dropped and counted. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.stopCollecting();
    clearTimeout(this.commitTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.maintenanceTimer);
    this.commitTimer = this.retryTimer = this.maintenanceTimer = undefined;
    let failure: unknown;
    try {
      await this.requestCommit();
    } catch (err) {
      failure = err;
      this.dropUncommitted();
    }
    await this.maintaining;
    await this.reopening;
    // Read-only on a full disk nothing can be written: acknowledgements since the start are sent
    // again after the next start (at least once).
    if (!this.readOnly) {
      try {
        const changed = this.cursors.takeChanged();
        if (changed.length) await this.store.saveCursors(changed);
        // Synced whatever the mode: after a clean stop everything is on disk, so a power cut that
        // follows (the engineer stops the gateway, then pulls the plug) loses nothing and skips no numbers.
        await this.store.saveMeta(new Map([[META.running, '0']]), true);
      } catch (err) {
        failure ??= err;
      }
    }
    await this.store.close().catch((err: unknown) => (failure ??= err));
    if (failure) throw failure;
  }

  // --- committing ---------------------------------------------------------------------------

  private readonly commitInBackground = (): void => {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    // A failure is logged and retried by commitOnce; nobody else is waiting for this one.
    this.requestCommit().catch(() => {});
  };

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.commitInBackground();
    }, this.retry.next());
  }

  private requestCommit(): Promise<void> {
    this.commitRequested = true;
    this.committing ??= this.runCommits();
    return this.committing;
  }

  private async runCommits(): Promise<void> {
    try {
      while (this.commitRequested) {
        this.commitRequested = false;
        await this.commitOnce();
      }
    } finally {
      this.committing = undefined;
    }
  }

  private async commitOnce(): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.readOnly && !(await this.becomeWritable())) {
      this.disk.short(this.options.path, 'the journal is read-only', this.uncommittedEntries());
      this.failing = true;
      this.scheduleRetry();
      throw this.diskFullError('the journal is open read-only until the disk has room');
    }
    this.numberPending();
    const states = this.stagedStates;
    this.stagedStates = new Map();
    if (this.unsaved.length === 0) {
      if (states.size > 0) await this.commitStates(states);
      return;
    }
    try {
      // Bounded transactions: after a long failure the waiting entries drain chunk by chunk, each
      // needing only a chunk's room on the disk. States go with the last chunk: a step's state is
      // on disk exactly when every entry appended before it is.
      while (this.unsaved.length > 0) {
        const n = chunkLength(this.unsaved);
        const room = await this.makeRoom(n);
        await this.commitChunk(n, n === this.unsaved.length ? states : undefined, room);
      }
    } catch (err) {
      this.restage(states);
      this.commitFailed(err);
      throw err;
    }
    if (this.pending.entries > 0 && this.commitTimer === undefined) {
      this.commitTimer = setTimeout(this.commitInBackground, this.options.commitInterval);
    }
  }

  /** Gives what is pending its sequence numbers, as unsaved blocks (with drop-newest, refusing what passes maxBytes). */
  private numberPending(): void {
    const now = this.timeline();
    const tail = this.unsaved.at(-1);
    let next = tail ? tail.seq + tail.count : this.lastCommitted + 1;
    let newBytes = 0;
    for (const u of this.unsaved) newBytes += u.bytes;
    for (const p of this.pending.take()) {
      if (this.refusing !== undefined) {
        this.drop(this.refusing, p.kind, p.count, this.overflowEpisode);
        continue;
      }
      const bytes = Buffer.byteLength(p.payload);
      if (this.options.overflow === 'drop-newest' && this.bytes + newBytes + bytes > this.options.maxBytes) {
        this.refusing = 'bytes';
        this.drop('bytes', p.kind, p.count, this.overflowEpisode);
        continue;
      }
      this.unsaved.push({ seq: next, count: p.count, kind: p.kind, ts: now, bytes, payload: p.payload });
      this.unsavedChars += p.payload.length;
      next += p.count;
      newBytes += bytes;
    }
  }

  /**
   * Makes sure the first `n` unsaved blocks fit on the disk and leave `reserveBytes` free. When
   * the disk is short: trim what every sink has, checkpoint the WAL to give its space back, count
   * the pages the file holds free; then, with drop-oldest, drop the oldest stored entries (sent or
   * not) to make room. Throws SG_JOURNAL_DISK_FULL (the blocks wait in memory) when none of that
   * makes room. Returns `free` when the disk has room again: room without dropping, and after
   * a drop, only once sinks have caught up enough to bring the stored entries under 90% of what
   * they were then (so a journal that fills its disk does not flap between episodes).
   */
  private async makeRoom(n: number): Promise<'free' | 'short'> {
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += this.unsaved[i]!.bytes;
    const need = Math.ceil(bytes * WRITE_OVERHEAD);
    let f = await this.disk.measure().catch(() => undefined);
    if (!f) return 'free';
    if (this.disk.fits(need, f) && !this.disk.episode) {
      this.tight = false;
      return 'free';
    }
    this.tight = true;
    await this.trimDelivered();
    await this.store.checkpoint().catch(() => {});
    f = await this.disk.measure();
    let reusable = await this.store.reusableBytes();
    // The WAL takes the new pages before the checkpoint after the commit copies them into the
    // file's free pages: the disk must hold a chunk's worth, the reserve may lend it for that moment.
    const walFits = f.free >= need;
    if (walFits && this.disk.fits(need, f, reusable)) return this.roomAgain(f, reusable) ? 'free' : 'short';
    if (walFits && this.options.overflow === 'drop-oldest' && this.first) {
      const removal = await this.store.remove({ bytes: need - (f.free + reusable - this.disk.reserveBytes) }, undefined, this.deliveredThrough());
      if (removal) {
        this.applyDrop(removal, 'disk');
        this.disk.short(this.options.path, 'the oldest stored entries, sent or not, are dropped to make room for new ones (overflow: drop-oldest)', this.uncommittedEntries());
        // As the drop counts: what some sink had not yet; delivered entries removed early are not lost.
        this.disk.dropped(removal.entries.reading + removal.entries.event - removal.delivered.reading - removal.delivered.event);
        this.droppedAtBytes = this.bytes;
        reusable = await this.store.reusableBytes();
        if (this.disk.fits(need, f, reusable)) return 'short';
      }
    }
    this.disk.short(
      this.options.path,
      `new entries wait in memory (up to ${Math.round(this.maxUncommittedChars / 1048576)} MiB, then new ones are dropped and counted) and are committed once there is room`,
      this.uncommittedEntries(),
    );
    throw this.diskFullError(`the disk has ${f.free} bytes free, ${this.disk.reserveBytes} are kept free, and the next commit needs ${need}`);
  }

  /**
   * Whether a full-disk episode is over: a whole chunk fits beside the reserve in free space, or
   * in pages the file holds free once sinks have caught up enough to bring the stored entries
   * under 90% of what they were at the last drop to make room. Without this margin a journal that
   * fills its disk would end and start an episode with every commit.
   */
  private roomAgain(f: { free: number; total: number }, reusable: number): boolean {
    const chunk = COMMIT_CHUNK_BYTES * WRITE_OVERHEAD;
    const onDisk = this.disk.fits(chunk, f);
    if (!onDisk) {
      if (!this.disk.fits(chunk, f, reusable)) return false;
      if (this.droppedAtBytes !== undefined && this.bytes > this.droppedAtBytes * LOW_WATER) return false;
    }
    this.tight = !onDisk;
    this.droppedAtBytes = undefined;
    return true;
  }

  /** Trims what every sink has acknowledged, all of it, now (a full disk cannot wait for the next pass). */
  private async trimDelivered(): Promise<void> {
    try {
      for (let i = 0; i < 50 && (await this.trim()); i++);
    } catch {
      // Logged by the next maintenance pass, which retries it.
    }
  }

  /** Commits the first `n` unsaved blocks in one transaction (with `states`, when given). Throws only when the transaction fails. */
  private async commitChunk(n: number, states: Map<string, string> | undefined, room: 'free' | 'short'): Promise<void> {
    const blocks = this.unsaved.slice(0, n);
    const tail = blocks.at(-1)!;
    const last = tail.seq + tail.count - 1;
    let newBytes = 0;
    let chars = 0;
    for (const b of blocks) {
      newBytes += b.bytes;
      chars += b.payload.length;
    }
    const byteBound = this.options.overflow === 'drop-oldest' ? this.options.maxBytes : undefined;
    // In `normal` mode a commit that passes the reservation reserves further ahead, durably.
    const reserve = this.options.sync === 'normal' && last > this.reserved ? last + RESERVATION : 0;
    const started = performance.now();
    const removal = await this.store.commit(blocks, last, byteBound, reserve ? new Map([[META.reserved, String(reserve)]]) : undefined, states, this.deliveredThrough());
    const seconds = (performance.now() - started) / 1000;
    if (reserve) this.reserved = reserve;
    this.failing = false;
    this.retry.reset();
    if (this.failureLogged) {
      this.failureLogged = false;
      this.options.log.info({ file: this.options.path, lastSeq: last }, `journal ${this.options.path}: commits succeed again`);
    }
    this.backlogEpisode.end('commits succeed again');
    if (room === 'free') {
      this.disk.recovered(this.options.path, last);
      this.diskDropEpisode.end('the disk has room again');
    }
    this.unsaved = this.unsaved.slice(n);
    this.unsavedChars -= chars;

    this.lastCommitted = last;
    this.first ??= { seq: blocks[0]!.seq, ts: blocks[0]!.ts };
    this.blocks += blocks.length;
    this.bytes += newBytes;
    for (const b of blocks) {
      this.entries += b.count;
      this.m.committed[b.kind].value += b.count;
    }
    this.m.commits.value++;
    this.m.commitSeconds.value += seconds;
    this.m.lastCommitSeconds.value = seconds;
    let announced: StoredBlock[] = blocks;
    if (removal) {
      this.applyDrop(removal, 'bytes');
      if (removal.throughSeq >= blocks[0]!.seq) announced = blocks.filter((b) => b.seq > removal.throughSeq);
    }
    this.updateGauges();
    // On a short disk the WAL's space goes back at once, for the next commit and for trimming.
    if (this.tight) await this.store.checkpoint().catch(() => {});
    if (announced.length === 0) return;
    try {
      this.emit('commit', announced);
    } catch (err) {
      this.options.log.error({ err }, `journal ${this.options.path}: a commit listener threw: ${(err as Error).message}`);
    }
  }

  /** A commit was held back or failed: the entries stay in memory and the commit is retried; logged once per failure. */
  private commitFailed(err: unknown): void {
    const held = (err as SensegateError).code === 'SG_JOURNAL_DISK_FULL';
    if (!held) this.m.commitErrors.value++;
    const wasFailing = this.failing;
    this.failing = true;
    this.scheduleRetry();
    if (held) return; // the disk episode logged it
    if (isSpaceError(err)) {
      this.tight = true;
      this.disk.short(
        this.options.path,
        `${(err as Error).message}; ${this.uncommittedEntries().toLocaleString('en')} entries wait in memory (up to ${Math.round(this.maxUncommittedChars / 1048576)} MiB, then new ones are dropped and counted) and are committed once there is room`,
        this.uncommittedEntries(),
      );
      return;
    }
    if (!wasFailing || !this.failureLogged) {
      this.failureLogged = true;
      this.options.log.error(
        { err, code: 'SG_JOURNAL_IO', file: this.options.path, uncommitted: this.uncommittedEntries() },
        `${(err as Error).message}; keeping ${this.uncommittedEntries()} uncommitted entries in memory and retrying`,
      );
    }
  }

  private diskFullError(why: string): SensegateError {
    return new SensegateError(
      'SG_JOURNAL_DISK_FULL',
      `cannot commit to the journal ${this.options.path}: the disk is full (${why}); ${this.uncommittedEntries()} entries wait in memory`,
      { source: this.options.path },
    );
  }

  private async commitStates(states: Map<string, string>): Promise<void> {
    try {
      await this.store.saveStates(states);
    } catch (err) {
      this.restage(states);
      this.m.commitErrors.value++;
      this.options.log.error({ err, code: 'SG_JOURNAL_IO', file: this.options.path }, `${(err as Error).message}; step states are kept in memory and retried`);
      this.scheduleRetry();
      throw err;
    }
  }

  /** Puts back states a failed commit did not save, unless a newer state of the key came meanwhile. */
  private restage(states: Map<string, string>): void {
    for (const [key, value] of states) if (!this.stagedStates.has(key)) this.stagedStates.set(key, value);
  }

  private uncommittedEntries(): number {
    let n = this.pending.entries;
    for (const b of this.unsaved) n += b.count;
    return n;
  }

  /** After a commit failed at close: what could not be committed is counted and logged, never lost silently. */
  private dropUncommitted(): void {
    for (const b of this.unsaved) this.drop('commit', b.kind, b.count, this.backlogEpisode);
    for (const p of this.pending.take()) this.drop('commit', p.kind, p.count, this.backlogEpisode);
    this.unsaved = [];
    this.unsavedChars = 0;
    this.backlogEpisode.end('the journal was closed with entries that could not be committed');
  }

  // --- bounds, trimming, cursors ------------------------------------------------------------

  private drop(reason: DropReason, kind: EntryKind, count: number, episode: DropEpisode): void {
    this.m.drop(reason, kind, count);
    episode.record(reason, kind, count);
  }

  /** Every entry at or below this was acknowledged by every sink (all of them when there is no sink). */
  private deliveredThrough(): number {
    return this.cursors.min() ?? this.lastCommitted;
  }

  /**
   * Accounts for blocks removed by a bound or a full disk: what some sink had not yet is counted as
   * dropped (lost), what every sink already had as trimmed early; every cursor moves past them.
   */
  private applyDrop(removal: Removal, reason: 'bytes' | 'age' | 'disk'): void {
    this.applyRemoval(removal);
    const episode = reason === 'disk' ? this.diskDropEpisode : this.overflowEpisode;
    for (const kind of ['reading', 'event'] as const) {
      const early = removal.delivered[kind];
      this.drop(reason, kind, removal.entries[kind] - early, episode);
      if (early > 0) {
        this.m.trimmedEarly(reason, kind).value += early;
        episode.trimmedEarly(early);
      }
    }
    this.cursors.advanceAll(removal.lastRemoved);
  }

  private applyRemoval(removal: Removal): void {
    this.blocks -= removal.blocks;
    this.bytes -= removal.bytes;
    this.entries -= removal.entries.reading + removal.entries.event;
    this.first = removal.first;
  }

  private scheduleMaintenance(delay = Math.max(20, Math.min(MAINTENANCE_INTERVAL, this.options.maxAge / 4))): void {
    if (this.closed) return;
    this.maintenanceTimer = setTimeout(() => {
      // maintain() never rejects: it logs its failures and is retried on the next pass.
      this.maintaining = this.maintain().then((more) => {
        this.maintaining = undefined;
        this.scheduleMaintenance(more ? 0 : undefined);
      });
    }, delay);
    this.maintenanceTimer.unref();
  }

  /** One pass: save cursors and trim below the lowest, then apply the age bound. Returns whether trimming is unfinished. */
  private async maintain(): Promise<boolean> {
    const figures = await this.disk.measure().catch(() => undefined);
    if (this.readOnly) {
      // A start on a full disk: writable again as soon as there is room, without a restart.
      if ((await this.becomeWritable()) && (this.uncommittedEntries() > 0 || this.stagedStates.size > 0)) this.commitInBackground();
      this.updateGauges();
      return false;
    }
    // Space came back while a held commit waits out its backoff (up to 5 s): commit now.
    if (this.failing && this.retryTimer && this.disk.episode && figures && this.disk.fits(COMMIT_CHUNK_BYTES * WRITE_OVERHEAD, figures)) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.commitInBackground();
    }
    let more = false;
    try {
      more = await this.trim();
      // On a short disk what the trim freed goes back to the disk now, not at the next auto-checkpoint.
      if (this.tight) await this.store.checkpoint().catch(() => {}); // needs room itself; tried again next pass
      await this.applyAgeBound();
      if (this.maintenanceFailing) {
        this.maintenanceFailing = false;
        this.options.log.info({ file: this.options.path }, `journal ${this.options.path}: trimming works again`);
      }
    } catch (err) {
      if (isSpaceError(err)) {
        // Part of the full-disk episode (whose lines say so), not an I/O failure; retried next pass.
        this.tight = true;
        this.disk.short(this.options.path, `trimming cannot write (${(err as Error).message}) and is retried`, this.uncommittedEntries());
      } else if (!this.maintenanceFailing) {
        this.maintenanceFailing = true;
        this.options.log.error({ err, code: 'SG_JOURNAL_IO', file: this.options.path }, `${(err as Error).message}; trimming is retried`);
      }
    }
    this.endOverflowIfUnder();
    // A full-disk episode with nothing left waiting ends here, when no commit comes to end it.
    if (this.disk.episode && figures && this.uncommittedEntries() === 0) {
      const reusable = await this.store.reusableBytes().catch(() => 0);
      if (this.roomAgain(figures, reusable)) {
        this.disk.recovered(this.options.path, this.lastCommitted);
        this.diskDropEpisode.end('the disk has room again');
      }
    }
    this.updateGauges();
    return more;
  }

  private async trim(): Promise<boolean> {
    const min = this.cursors.min() ?? this.lastCommitted;
    const through = Math.min(min, this.firstSeq + TRIM_CHUNK_ENTRIES - 1);
    const changed = this.cursors.takeChanged();
    try {
      if (this.first && through >= this.first.seq) {
        const removal = await this.store.remove({ through }, changed);
        if (removal) {
          this.applyRemoval(removal);
          this.m.trimmed.reading.value += removal.entries.reading;
          this.m.trimmed.event.value += removal.entries.event;
        }
        return min > through && removal !== undefined;
      }
      if (changed.length) await this.store.saveCursors(changed);
      return false;
    } catch (err) {
      this.cursors.unsaved(changed);
      throw err;
    }
  }

  /**
   * The wall clock stepped by `delta` ms: the timeline stays where it was, so no entry looks older
   * or younger for it. The offset is saved at once, so a restart keeps measuring ages the same way.
   */
  clockStepped(delta: number): void {
    if (this.closed) return;
    this.clockOffset += delta;
    if (!this.readOnly) void this.saveClockOffset();
  }

  private saveClockOffset(): Promise<void> {
    return this.store.saveMeta(new Map([[CLOCK_OFFSET, String(this.clockOffset)]]), true).catch((err: unknown) => {
      this.options.log.error(
        { err, code: 'SG_JOURNAL_IO', file: this.options.path },
        `${(err as Error).message}; the clock step is applied to entry ages in this run, but a restart may count it into their age`,
      );
    });
  }

  /** Now on the journal's timeline: the wall clock less the steps it made since the entries were stored. */
  private timeline(): number {
    return (this.options.clock ?? Date.now)() - this.clockOffset;
  }

  private async applyAgeBound(): Promise<void> {
    const cutoff = this.timeline() - this.options.maxAge;
    if (!this.first || this.first.ts >= cutoff) return;
    if (this.options.overflow === 'drop-newest') {
      this.refusing ??= 'age';
      return;
    }
    const removal = await this.store.remove({ before: cutoff }, undefined, this.deliveredThrough());
    if (removal) this.applyDrop(removal, 'age');
  }

  private endOverflowIfUnder(): void {
    if (!this.overflowEpisode.active && this.refusing === undefined) return;
    const lowBytes = this.bytes <= this.options.maxBytes * LOW_WATER;
    const lowAge = !this.first || this.first.ts >= this.timeline() - this.options.maxAge * LOW_WATER;
    if (lowBytes && lowAge) {
      this.refusing = undefined;
      this.overflowEpisode.end(`back under ${LOW_WATER * 100}% of its bounds`);
    }
  }

  private updateGauges(): void {
    this.m.bytes.value = this.bytes;
    this.m.blocks.value = this.blocks;
    this.m.entries.value = this.entries;
    this.m.lastSeq.value = this.lastCommitted;
    this.m.firstSeq.value = this.firstSeq;
    this.m.uncommitted.value = this.uncommittedEntries();
    this.m.oldestAge.value = this.oldestAge / 1000;
  }
}

/** Bytes the SQLite file and its WAL and shared-memory companions take (those that exist). */
function filesBytes(path: string): number {
  let bytes = 0;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) bytes += statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  return bytes;
}

/**
 * The clock offset for this run. An empty journal starts over on the wall clock. A clock that is
 * now behind the oldest stored entry went back while the gateway was stopped (or ran ahead in the
 * last run): the timeline is moved back so that entry is new, never into the future, and nothing
 * ages for it. Time the wall clock shows as passed while stopped counts as passed.
 */
function offsetAtOpen(summary: { meta: Map<string, string>; first?: { ts: number } }, wall: number): number {
  if (!summary.first) return 0;
  const saved = Number(summary.meta.get(CLOCK_OFFSET) ?? 0);
  const offset = Number.isFinite(saved) ? saved : 0;
  return summary.first.ts + offset > wall ? wall - summary.first.ts : offset;
}
