/**
 * One gateway per data folder. Two gateways on one folder (an init script that starts a second copy,
 * a test run beside the service) would number entries from the same journal at once: the platform
 * receives the same sequence number with different readings, and a consumer that drops duplicates
 * by sequence number silently loses them; the broker also drops each copy in turn for their shared
 * client id.
 *
 * The lock is an operating-system lock held on `<data>/gateway.lock` by SQLite (a POSIX record
 * lock taken in SQLite's exclusive locking mode), so it belongs to the process: it is released when
 * the process ends in any way, kill -9 and power cuts included, and a stale lock cannot exist. The
 * holder writes who it is to `<data>/gateway.pid` (pid, start time, command line) so that a second
 * gateway can say which process holds the folder; that file is information only, never the lock.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SensegateError } from '@sensegate/sdk';
import sqlite3 from 'sqlite3';
import { PRIVATE, tighten, type FileAccess } from './data-folder.js';

export const LOCK_FILE = 'gateway.lock';
export const HOLDER_FILE = 'gateway.pid';

/** Who holds a data folder, as the holder wrote it. */
export interface LockHolder {
  pid: number;
  /** When the holder took the lock, ms since the epoch. */
  since: number;
  command?: string;
  gateway?: string;
}

export class DataFolderLock {
  private constructor(
    private readonly db: sqlite3.Database,
    readonly dir: string,
  ) {}

  /**
   * Takes the data folder's lock, or rejects with SG_DATA_FOLDER_IN_USE naming the process that
   * holds it. Never waits: a second gateway is refused at once.
   */
  static async acquire(dir: string, options: { gateway?: string; access?: FileAccess } = {}): Promise<DataFolderLock> {
    const file = join(dir, LOCK_FILE);
    const access = options.access ?? PRIVATE;
    const db = await openDatabase(file);
    try {
      await run(db, 'PRAGMA busy_timeout = 0');
      // In exclusive locking mode SQLite keeps the lock of its first write until the connection closes.
      await run(db, 'PRAGMA locking_mode = EXCLUSIVE');
      // An empty exclusive transaction takes the lock and writes nothing once the file exists, so a
      // gateway restarted on a full disk still gets it.
      await run(db, 'BEGIN EXCLUSIVE');
      await run(db, 'COMMIT');
    } catch (err) {
      await closeDatabase(db).catch(() => {});
      if (isBusy(err)) throw await inUse(dir);
      const full = (err as { code?: string }).code === 'SQLITE_FULL';
      throw new SensegateError(
        full ? 'SG_JOURNAL_DISK_FULL' : 'SG_JOURNAL_IO',
        `cannot lock the data folder ${dir} (${file}): ${(err as Error).message}; ${full ? 'the disk is full: free some space and start again' : "check the folder's permissions and free space"}`,
        { source: file, cause: err },
      );
    }
    const lock = new DataFolderLock(db, dir);
    await tighten(file, access.file, access);
    const holder: LockHolder = { pid: process.pid, since: Date.now(), command: process.argv.slice(1).join(' ') };
    if (options.gateway) holder.gateway = options.gateway;
    // Information for a second gateway's message; losing it (a full disk) does not weaken the lock.
    await writeFile(join(dir, HOLDER_FILE), `${JSON.stringify(holder)}\n`, { mode: access.file }).catch(() => {});
    return lock;
  }

  /** Releases the lock (also released by the operating system when the process ends). */
  async release(): Promise<void> {
    await rm(join(this.dir, HOLDER_FILE), { force: true }).catch(() => {});
    await closeDatabase(this.db);
  }
}

/** The holder a running gateway wrote, if it can be read. */
export async function readHolder(dir: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid)) return undefined;
    const holder: LockHolder = { pid: parsed.pid, since: typeof parsed.since === 'number' ? parsed.since : 0 };
    if (typeof parsed.command === 'string') holder.command = parsed.command.slice(0, 300);
    if (typeof parsed.gateway === 'string') holder.gateway = parsed.gateway.slice(0, 100);
    return holder;
  } catch {
    return undefined;
  }
}

async function inUse(dir: string): Promise<SensegateError> {
  const holder = await readHolder(dir);
  const details = holder ? [holder.gateway && `gateway ${holder.gateway}`, holder.since > 0 && `running since ${new Date(holder.since).toISOString()}`].filter(Boolean) : [];
  const who = holder ? `process ${holder.pid}${details.length ? ` (${details.join(', ')})` : ''}` : 'another process';
  return new SensegateError(
    'SG_DATA_FOLDER_IN_USE',
    `the data folder ${dir} is in use by ${who}; two gateways on one data folder would number different readings alike. ` +
      `Stop the other one first (its pid is in ${join(dir, HOLDER_FILE)}), or give this one its own folder with --data`,
    { source: dir },
  );
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function openDatabase(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => (err ? reject(err) : resolve(db)));
  });
}

function run(db: sqlite3.Database, sql: string, params: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, params, (err: Error | null) => (err ? reject(err) : resolve())));
}

function closeDatabase(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
}
