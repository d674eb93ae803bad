/**
 * One SQLite connection (the `sqlite3` package) with promises, and every failure turned into
 * SG_JOURNAL_IO naming the file and what was being done. Statements run on libuv's thread pool, so
 * a commit's write and fsync never block the event loop.
 */
import { SensegateError } from '@sensegate/sdk';
import sqlite3 from 'sqlite3';

export type Params = unknown[];

export class Connection {
  private constructor(
    private readonly db: sqlite3.Database,
    readonly file: string,
  ) {}

  /** `immutable`: read-only, and SQLite neither locks the file nor looks at its WAL (a full disk, where the WAL cannot be opened). */
  static open(file: string, mode: 'write' | 'read' | 'immutable'): Promise<Connection> {
    const flags =
      mode === 'write' ? sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE : mode === 'read' ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READONLY | sqlite3.OPEN_URI;
    const name = mode === 'immutable' ? `file:${encodeURI(file).replaceAll('?', '%3f').replaceAll('#', '%23')}?immutable=1` : file;
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(name, flags, (err) => {
        if (err) reject(ioError(file, `cannot open the journal ${file}`, err));
        else resolve(new Connection(db, file));
      });
    });
  }

  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params: Params = [], doing = 'write to'): Promise<number> {
    const file = this.file;
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(ioError(file, `cannot ${doing} the journal ${file}`, err));
        else resolve(this.changes);
      });
    });
  }

  get<T extends object>(sql: string, params: Params = [], doing = 'read'): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (err: Error | null, row: T | undefined) => {
        if (err) reject(ioError(this.file, `cannot ${doing} the journal ${this.file}`, err));
        else resolve(row);
      });
    });
  }

  all<T extends object>(sql: string, params: Params = [], doing = 'read'): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (err: Error | null, rows: T[]) => {
        if (err) reject(ioError(this.file, `cannot ${doing} the journal ${this.file}`, err));
        else resolve(rows);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.close((err) => {
        if (err) reject(ioError(this.file, `cannot close the journal ${this.file}`, err));
        else resolve();
      });
    });
  }
}

export function ioError(file: string, message: string, cause: unknown): SensegateError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new SensegateError('SG_JOURNAL_IO', `${message}: ${detail}`, { source: file, cause });
}
