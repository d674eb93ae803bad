/**
 * The journal's SQL: schema, pragmas, and the few transactions the journal runs (commit blocks,
 * remove the oldest blocks, save cursors). Writes go through one connection, one transaction at a
 * time; reads use a second, read-only connection so a replay never waits behind a commit (WAL lets
 * readers and the writer work at once).
 */
import { stat } from 'node:fs/promises';
import type { EntryKind, JournalBlock } from '../feed/entry.js';
import { SensegateError } from '@sensegate/sdk';
import { Connection, ioError, type Params } from './connection.js';
import { parseRanges, type SavedCursor } from './cursors.js';

export type SyncMode = 'full' | 'normal';

/** A block as stored: its payload size in UTF-8 bytes is what the byte bound counts. */
export interface StoredBlock extends JournalBlock {
  bytes: number;
}

/** What a removal took out, so the journal can keep its totals and count drops exactly. */
export interface Removal {
  /** Every block with `seq <= throughSeq` is gone. */
  throughSeq: number;
  /** Last sequence number removed (end of the last removed block). */
  lastRemoved: number;
  blocks: number;
  bytes: number;
  entries: Record<EntryKind, number>;
  /** Of `entries`, those every sink had already acknowledged (at or below `deliveredThrough`). */
  delivered: Record<EntryKind, number>;
  /** The oldest block left, if any. */
  first?: { seq: number; ts: number };
}

/** What the file holds, read once at open. */
export interface StoredSummary {
  blocks: number;
  entries: number;
  bytes: number;
  /** Last sequence number ever committed (the high-water mark survives a full trim). */
  lastSeq: number;
  first?: { seq: number; ts: number };
  cursors: Map<string, SavedCursor>;
  meta: Map<string, string>;
  /** Dead letters kept, by sink. */
  deadLetters: Map<string, number>;
}

/** An entry a sink's endpoint refused for good, kept beside the journal. */
export interface DeadLetter {
  id: number;
  sink: string;
  seq: number;
  kind: EntryKind;
  /** When it was moved here, ms since the epoch. */
  ts: number;
  /** What the endpoint said, or why the gateway gave up on it. */
  reason: string;
  /** The entry's JSON. */
  payload: string;
}

/** Which oldest blocks to remove: enough to free `bytes`, those committed before `before`, or those ending at or before `through`. */
export type RemovalTarget = { bytes: number } | { before: number } | { through: number };

const SCHEMA_VERSION = 1;
/** Rows per INSERT statement: one statement carries many blocks, so a commit crosses the thread pool a few times, not once per block. */
const ROWS_PER_INSERT = 64;
/** Rows looked at per query while walking the oldest blocks. */
const WALK_BATCH = 512;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS blocks (
     seq INTEGER PRIMARY KEY,
     count INTEGER NOT NULL,
     kind TEXT NOT NULL,
     ts INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     payload TEXT NOT NULL)`,
  // `ranges`: what the sink acknowledged above `acked` out of order, as JSON `[[from,to],...]`.
  `CREATE TABLE IF NOT EXISTS cursors (sink TEXT PRIMARY KEY, acked INTEGER NOT NULL, ranges TEXT)`,
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  // Pipeline step states (open windows, raised alarms), written in the commit of the entries they explain.
  `CREATE TABLE IF NOT EXISTS step_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  // Entries a sink's endpoint refused for good: kept here, out of the way of the cursor, for a person to look at.
  `CREATE TABLE IF NOT EXISTS dead_letters (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     sink TEXT NOT NULL,
     seq INTEGER NOT NULL,
     kind TEXT NOT NULL,
     ts INTEGER NOT NULL,
     reason TEXT NOT NULL,
     payload TEXT NOT NULL)`,
];
/** Dead letters kept; the oldest are removed beyond this. */
export const MAX_DEAD_LETTERS = 10_000;
/** State rows per INSERT statement. */
const STATES_PER_INSERT = 100;

export class JournalStore {
  /** Serializes transactions on the write connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly insertSql = new Map<number, string>();
  /**
   * Bytes of entry JSON in the file as of the last transaction, kept here (not by the journal) so
   * a commit that makes room sees the effect of a trim that ran just before it, and never drops
   * more than the byte bound requires.
   */
  private storedBytes = 0;

  private constructor(
    private readonly writer: Connection,
    private readonly reader: Connection,
    readonly file: string,
    /** The synchronous setting to return to after a durable transaction. */
    private readonly syncPragma: 'FULL' | 'NORMAL',
    /** Opened read-only on a full disk: reads only, through one connection. */
    readonly readOnly = false,
    /** A read-only store of a file that has no tables yet (a new data folder on a full disk). */
    private readonly blank = false,
  ) {}

  /**
   * Opens the file for reading only, for a start on a full disk: SQLite cannot create the WAL's
   * shared-memory file there, so when that is what fails and the WAL holds nothing (the last run
   * stopped cleanly), the file is read as immutable. What it reads is what a writable open will
   * find, so nothing is renumbered when the disk has room again.
   */
  static async openReadOnly(file: string): Promise<JournalStore> {
    let reader = await Connection.open(file, 'read');
    try {
      await reader.get('SELECT count(*) AS n FROM sqlite_master', [], 'read');
    } catch (err) {
      await reader.close().catch(() => {});
      const wal = await stat(`${file}-wal`).catch(() => undefined);
      if (wal && wal.size > 0) throw ioError(file, `cannot read the journal ${file} on a full disk (its WAL holds commits that need the disk to be read)`, err);
      reader = await Connection.open(file, 'immutable');
    }
    try {
      const tables = await reader.get<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'blocks'", [], 'read');
      return new JournalStore(reader, reader, file, 'NORMAL', true, !tables?.n);
    } catch (err) {
      await reader.close().catch(() => {});
      throw err instanceof SensegateError ? err : ioError(file, `cannot open the journal ${file}`, err);
    }
  }

  static async open(file: string, sync: SyncMode): Promise<JournalStore> {
    const writer = await Connection.open(file, 'write');
    try {
      const mode = await writer.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL', [], 'set up');
      if (mode?.journal_mode !== 'wal') {
        throw new Error(`the file system does not support SQLite's WAL mode (journal_mode is ${mode?.journal_mode})`);
      }
      await writer.run(`PRAGMA synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`, [], 'set up');
      // Another process holding the file (a backup) delays us instead of failing a commit.
      await writer.run('PRAGMA busy_timeout = 10000', [], 'set up');
      // The WAL is truncated back to this size after a checkpoint instead of keeping its peak size.
      await writer.run('PRAGMA journal_size_limit = 67108864', [], 'set up');
      const version = (await writer.get<{ user_version: number }>('PRAGMA user_version', [], 'set up'))!.user_version;
      if (version > SCHEMA_VERSION) {
        throw new Error(`it was written by a newer sensegate (journal schema ${version}, this version reads ${SCHEMA_VERSION})`);
      }
      for (const sql of SCHEMA) await writer.run(sql, [], 'set up');
      // Journals written before cursors kept their ranges: a nullable column, which older versions ignore.
      const columns = await writer.all<{ name: string }>('PRAGMA table_info(cursors)', [], 'set up');
      if (!columns.some((c) => c.name === 'ranges')) await writer.run('ALTER TABLE cursors ADD COLUMN ranges TEXT', [], 'set up');
      if (version < SCHEMA_VERSION) await writer.run(`PRAGMA user_version = ${SCHEMA_VERSION}`, [], 'set up');
      const reader = await Connection.open(file, 'read');
      return new JournalStore(writer, reader, file, sync === 'full' ? 'FULL' : 'NORMAL');
    } catch (err) {
      await writer.close().catch(() => {});
      throw err instanceof SensegateError ? err : ioError(file, `cannot open the journal ${file}`, err);
    }
  }

  async summary(): Promise<StoredSummary> {
    if (this.blank) return { blocks: 0, entries: 0, bytes: 0, lastSeq: 0, cursors: new Map(), meta: new Map(), deadLetters: new Map() };
    const w = this.writer;
    const totals = await w.get<{ blocks: number; entries: number | null; bytes: number | null; last: number | null }>(
      'SELECT count(*) AS blocks, sum(count) AS entries, sum(bytes) AS bytes, max(seq + count - 1) AS last FROM blocks',
    );
    const first = await w.get<{ seq: number; ts: number }>('SELECT seq, ts FROM blocks ORDER BY seq LIMIT 1');
    const meta = new Map((await w.all<{ key: string; value: string }>('SELECT key, value FROM meta')).map((r) => [r.key, r.value]));
    const rows = await w.all<{ sink: string; acked: number; ranges: string | null }>('SELECT sink, acked, ranges FROM cursors');
    const cursors = new Map(rows.map((r) => [r.sink, { acked: r.acked, ranges: parseRanges(r.ranges, r.acked) }]));
    const deadLetters = await this.deadLetterCounts();
    this.storedBytes = totals?.bytes ?? 0;
    return {
      blocks: totals?.blocks ?? 0,
      entries: totals?.entries ?? 0,
      bytes: totals?.bytes ?? 0,
      lastSeq: Math.max(totals?.last ?? 0, Number(meta.get('lastSeq') ?? 0)),
      ...(first ? { first } : {}),
      cursors,
      meta,
      deadLetters,
    };
  }

  /**
   * Inserts blocks and records the new high-water mark in one transaction. With `maxBytes`
   * (overflow drop-oldest), the oldest blocks (possibly some of these) are removed in the same
   * transaction until the stored entries fit in it again, so the journal is never seen over its
   * bound. With `meta`, those rows are written too and the transaction is synced to disk whatever
   * the sync mode.
   */
  commit(
    blocks: StoredBlock[],
    lastSeq: number,
    maxBytes: number | undefined,
    meta?: Map<string, string>,
    states?: Map<string, string>,
    deliveredThrough = 0,
  ): Promise<Removal | undefined> {
    let inserted = 0;
    for (const b of blocks) inserted += b.bytes;
    return this.transaction('commit to', async () => {
      for (let i = 0; i < blocks.length; i += ROWS_PER_INSERT) {
        const n = Math.min(ROWS_PER_INSERT, blocks.length - i);
        const params: Params = new Array(n * 6);
        for (let j = 0; j < n; j++) {
          const b = blocks[i + j]!;
          params[j * 6] = b.seq;
          params[j * 6 + 1] = b.count;
          params[j * 6 + 2] = b.kind;
          params[j * 6 + 3] = b.ts;
          params[j * 6 + 4] = b.bytes;
          params[j * 6 + 5] = b.payload;
        }
        await this.writer.run(this.insertStatement(n), params, 'commit to');
      }
      await this.setMeta('lastSeq', String(lastSeq));
      if (meta) for (const [key, value] of meta) await this.setMeta(key, value);
      if (states?.size) await this.saveStatesNow(states);
      const over = maxBytes === undefined ? 0 : this.storedBytes + inserted - maxBytes;
      return over > 0 ? this.removeOldestNow({ bytes: over }, deliveredThrough) : undefined;
    }, meta !== undefined, (removal) => {
      this.storedBytes += inserted - (removal?.bytes ?? 0);
    });
  }

  /**
   * Removes the oldest blocks up to a target, in one transaction, saving cursors in it too.
   * `deliveredThrough` (the lowest cursor) tells delivered entries from undelivered ones in the count.
   */
  remove(target: RemovalTarget, cursors?: Iterable<[string, SavedCursor]>, deliveredThrough = 0): Promise<Removal | undefined> {
    return this.transaction(
      'trim',
      async () => {
        if (cursors) await this.saveCursorsNow(cursors);
        return this.removeOldestNow(target, deliveredThrough);
      },
      false,
      (removal) => {
        this.storedBytes -= removal?.bytes ?? 0;
      },
    );
  }

  saveCursors(cursors: Iterable<[string, SavedCursor]>): Promise<void> {
    return this.transaction('save cursors in', () => this.saveCursorsNow(cursors));
  }

  removeCursor(sink: string): Promise<void> {
    return this.transaction('save cursors in', async () => {
      await this.writer.run('DELETE FROM cursors WHERE sink = ?', [sink], 'save cursors in');
    });
  }

  /** Saves pipeline step states on their own (nothing else to commit with them). */
  saveStates(states: Map<string, string>): Promise<void> {
    return this.transaction('save step states in', () => this.saveStatesNow(states));
  }

  async loadStates(): Promise<Map<string, string>> {
    if (this.blank) return new Map();
    const rows = await this.writer.all<{ key: string; value: string }>('SELECT key, value FROM step_state');
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  /** Removes the states of steps that are no longer configured. */
  deleteStates(keys: readonly string[]): Promise<void> {
    return this.transaction('save step states in', async () => {
      for (const key of keys) await this.writer.run('DELETE FROM step_state WHERE key = ?', [key], 'save step states in');
    });
  }

  private async saveStatesNow(states: Map<string, string>): Promise<void> {
    const rows = [...states];
    for (let i = 0; i < rows.length; i += STATES_PER_INSERT) {
      const chunk = rows.slice(i, i + STATES_PER_INSERT);
      await this.writer.run(
        `INSERT INTO step_state (key, value) VALUES ${chunk.map(() => '(?,?)').join(',')} ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        chunk.flat(),
        'save step states in',
      );
    }
  }

  saveMeta(entries: Map<string, string>, durable = false): Promise<void> {
    return this.transaction(
      'write to',
      async () => {
        for (const [key, value] of entries) await this.setMeta(key, value);
      },
      durable,
    );
  }

  /**
   * The blocks holding entries from `fromSeq` on, up to `lastSeq`, in order and whole, until
   * `maxEntries` is reached (at least one block if any). The first block may start before
   * `fromSeq` when `fromSeq` falls inside it. Sequence numbers are contiguous from the first block
   * found (a gap only ever follows a power cut), so the range is a primary-key range scan.
   */
  async read(fromSeq: number, maxEntries: number, lastSeq: number): Promise<StoredBlock[]> {
    const containing = await this.reader.get<{ seq: number; count: number }>(
      'SELECT seq, count FROM blocks WHERE seq <= ? ORDER BY seq DESC LIMIT 1',
      [fromSeq],
    );
    let start: number | undefined;
    if (containing && containing.seq + containing.count > fromSeq) start = containing.seq;
    else start = (await this.reader.get<{ seq: number }>('SELECT seq FROM blocks WHERE seq >= ? ORDER BY seq LIMIT 1', [fromSeq]))?.seq;
    if (start === undefined || start > lastSeq) return [];
    const until = Math.min(lastSeq, Math.max(start, fromSeq) + Math.max(1, maxEntries) - 1);
    return this.reader.all<StoredBlock>(
      'SELECT seq, count, kind, ts, bytes, payload FROM blocks WHERE seq >= ? AND seq <= ? ORDER BY seq',
      [start, until],
    );
  }

  /**
   * What is stored after `after` (a sink's cursor): bytes of the blocks wholly after it, and the
   * time of the oldest entry after it (its block's first entry). For the status, not the data path.
   */
  async backlog(after: number): Promise<{ bytes: number; oldestTs?: number }> {
    const sum = await this.reader.get<{ bytes: number | null }>('SELECT sum(bytes) AS bytes FROM blocks WHERE seq > ?', [after]);
    const containing = await this.reader.get<{ seq: number; count: number; ts: number }>(
      'SELECT seq, count, ts FROM blocks WHERE seq <= ? ORDER BY seq DESC LIMIT 1',
      [after + 1],
    );
    let oldest = containing && containing.seq + containing.count > after + 1 ? containing.ts : undefined;
    oldest ??= (await this.reader.get<{ ts: number }>('SELECT ts FROM blocks WHERE seq > ? ORDER BY seq LIMIT 1', [after]))?.ts;
    return { bytes: sum?.bytes ?? 0, ...(oldest !== undefined ? { oldestTs: oldest } : {}) };
  }

  /** Keeps an entry a sink refused for good; returns how many older ones were removed to stay within the bound. */
  addDeadLetter(letter: Omit<DeadLetter, 'id'>): Promise<number> {
    return this.transaction('write a dead letter to', async () => {
      await this.writer.run(
        'INSERT INTO dead_letters (sink, seq, kind, ts, reason, payload) VALUES (?, ?, ?, ?, ?, ?)',
        [letter.sink, letter.seq, letter.kind, letter.ts, letter.reason, letter.payload],
        'write a dead letter to',
      );
      const removed = await this.writer.run(
        'DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM dead_letters) - ?',
        [MAX_DEAD_LETTERS],
        'write a dead letter to',
      );
      return removed;
    });
  }

  /** How many dead letters are kept, by sink. */
  async deadLetterCounts(): Promise<Map<string, number>> {
    const rows = await this.writer.all<{ sink: string; n: number }>('SELECT sink, count(*) AS n FROM dead_letters GROUP BY sink');
    return new Map(rows.map((r) => [r.sink, r.n]));
  }

  /** Dead letters, oldest first, of one sink or all. */
  deadLetters(sink?: string, limit = MAX_DEAD_LETTERS): Promise<DeadLetter[]> {
    return sink === undefined
      ? this.reader.all<DeadLetter>('SELECT id, sink, seq, kind, ts, reason, payload FROM dead_letters ORDER BY id LIMIT ?', [limit])
      : this.reader.all<DeadLetter>('SELECT id, sink, seq, kind, ts, reason, payload FROM dead_letters WHERE sink = ? ORDER BY id LIMIT ?', [sink, limit]);
  }

  /** The connection's live settings, read back from SQLite. */
  async settings(): Promise<{ journalMode: string; synchronous: SyncMode | 'off' | 'extra'; sqlite: string }> {
    const mode = await this.writer.get<{ journal_mode: string }>('PRAGMA journal_mode');
    const sync = await this.writer.get<{ synchronous: number }>('PRAGMA synchronous');
    const version = await this.writer.get<{ v: string }>('SELECT sqlite_version() AS v');
    const names = ['off', 'normal', 'full', 'extra'] as const;
    return { journalMode: mode!.journal_mode, synchronous: names[sync!.synchronous] ?? 'off', sqlite: version!.v };
  }

  /**
   * Bytes of pages the file holds free (left by trims and drops), which commits reuse before the
   * file grows.
   */
  async reusableBytes(): Promise<number> {
    if (this.readOnly) return 0;
    const free = await this.writer.get<{ freelist_count: number }>('PRAGMA freelist_count', [], 'read');
    const size = await this.writer.get<{ page_size: number }>('PRAGMA page_size', [], 'read');
    return (free?.freelist_count ?? 0) * (size?.page_size ?? 4096);
  }

  /**
   * Copies the WAL into the file and truncates it, after the queued transactions: on a full disk
   * this gives the WAL's space back, so the next commit has room to write its WAL frames.
   */
  checkpoint(): Promise<void> {
    const run = async () => {
      await this.writer.get('PRAGMA wal_checkpoint(TRUNCATE)', [], 'checkpoint');
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    if (this.readOnly) return this.reader.close();
    const results = await Promise.allSettled([this.reader.close(), this.writer.close()]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  /**
   * Runs `body` in one write transaction, after every transaction queued before it. `committed`
   * runs right after COMMIT succeeds, before the next queued transaction starts.
   */
  private transaction<T>(doing: string, body: () => Promise<T>, durable = false, committed?: (result: T) => void): Promise<T> {
    const run = async (): Promise<T> => {
      // A durable transaction is synced to disk even in `normal` mode (and with it every earlier one).
      if (durable) await this.writer.run('PRAGMA synchronous = FULL', [], doing);
      try {
        await this.writer.run('BEGIN IMMEDIATE', [], doing);
        try {
          const result = await body();
          await this.writer.run('COMMIT', [], doing);
          committed?.(result);
          return result;
        } catch (err) {
          await this.writer.run('ROLLBACK').catch(() => {});
          throw err;
        }
      } finally {
        if (durable) await this.writer.run(`PRAGMA synchronous = ${this.syncPragma}`, [], doing).catch(() => {});
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  private insertStatement(rows: number): string {
    let sql = this.insertSql.get(rows);
    if (!sql) {
      sql = `INSERT INTO blocks (seq, count, kind, ts, bytes, payload) VALUES ${new Array(rows).fill('(?,?,?,?,?,?)').join(',')}`;
      this.insertSql.set(rows, sql);
    }
    return sql;
  }

  private setMeta(key: string, value: string): Promise<number> {
    return this.writer.run(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  private async saveCursorsNow(cursors: Iterable<[string, SavedCursor]>): Promise<void> {
    for (const [sink, { acked, ranges }] of cursors) {
      await this.writer.run(
        'INSERT INTO cursors (sink, acked, ranges) VALUES (?, ?, ?) ON CONFLICT (sink) DO UPDATE SET acked = excluded.acked, ranges = excluded.ranges',
        [sink, acked, ranges.length ? JSON.stringify(ranges) : null],
        'save cursors in',
      );
    }
  }

  /** Finds where the removal ends by walking the oldest blocks, then deletes up to there. */
  private async removeOldestNow(target: RemovalTarget, deliveredThrough = 0): Promise<Removal | undefined> {
    let through: number | undefined;
    if ('through' in target) {
      const last = await this.writer.get<{ seq: number }>(
        'SELECT seq FROM blocks WHERE seq <= ?1 AND seq + count - 1 <= ?1 ORDER BY seq DESC LIMIT 1',
        [target.through],
      );
      through = last?.seq;
    } else {
      let after = -1;
      let freed = 0;
      walk: for (;;) {
        const rows = await this.writer.all<{ seq: number; bytes: number; ts: number }>(
          'SELECT seq, bytes, ts FROM blocks WHERE seq > ? ORDER BY seq LIMIT ?',
          [after, WALK_BATCH],
        );
        for (const row of rows) {
          if ('before' in target ? row.ts >= target.before : freed >= target.bytes) break walk;
          freed += row.bytes;
          through = row.seq;
        }
        if (rows.length < WALK_BATCH) break;
        after = rows.at(-1)!.seq;
      }
    }
    if (through === undefined) return undefined;

    const groups = await this.writer.all<{ kind: EntryKind; blocks: number; entries: number; bytes: number; last: number; delivered: number }>(
      `SELECT kind, count(*) AS blocks, sum(count) AS entries, sum(bytes) AS bytes, max(seq + count - 1) AS last,
              sum(max(0, min(seq + count - 1, ?2) - seq + 1)) AS delivered
       FROM blocks WHERE seq <= ?1 GROUP BY kind`,
      [through, deliveredThrough],
    );
    await this.writer.run('DELETE FROM blocks WHERE seq <= ?', [through], 'trim');
    const first = await this.writer.get<{ seq: number; ts: number }>('SELECT seq, ts FROM blocks ORDER BY seq LIMIT 1');
    const removal: Removal = {
      throughSeq: through,
      lastRemoved: 0,
      blocks: 0,
      bytes: 0,
      entries: { reading: 0, event: 0 },
      delivered: { reading: 0, event: 0 },
    };
    for (const g of groups) {
      removal.blocks += g.blocks;
      removal.bytes += g.bytes;
      removal.entries[g.kind] += g.entries;
      removal.delivered[g.kind] += g.delivered;
      removal.lastRemoved = Math.max(removal.lastRemoved, g.last);
    }
    if (first) removal.first = first;
    return removal;
  }
}
