/**
 * Free space on the disk that holds the journal, and the episodes when it runs short. The journal
 * keeps `reserveBytes` free for the writes that make room (trims, cursors, the meta rows, a WAL
 * checkpoint), so a full disk can always be worked out of: commits stop short of the reserve. An
 * episode starts when a commit is held back or fails for lack of space, or the journal opens
 * read-only on a full disk, and ends at the first commit that finds room without dropping
 * anything; it gives one `warn` line when it starts and one `info` line with its cost when it ends.
 */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@sensegate/sdk';
import type { JournalMetrics } from './metrics.js';

export interface DiskFigures {
  /** Bytes an unprivileged writer may still use on the journal's file system. */
  free: number;
  total: number;
}

/** What a full-disk episode cost, for its closing line and the status. */
export interface DiskEpisode {
  /** When it started, on the wall clock (for the status). */
  since: number;
  /** When it started, on the monotonic clock (for its duration). */
  startedAt: number;
  /** Commits held back for lack of space (each retried). */
  held: number;
  /** Stored entries removed to make room (overflow drop-oldest), counted with reason `disk`. */
  dropped: number;
  /** Most entries that waited in memory during the episode. */
  maxWaiting: number;
}

export class DiskSpace {
  private readonly dir: string;
  private last: DiskFigures | undefined;
  private current: DiskEpisode | undefined;
  episodes = 0;

  constructor(
    file: string,
    readonly reserveBytes: number,
    private readonly log: Logger,
    private readonly m: JournalMetrics,
  ) {
    this.dir = dirname(file);
  }

  /** Reads the file system's free space now (a `statfs`, microseconds). */
  async measure(): Promise<DiskFigures> {
    const s = await statfs(this.dir);
    this.last = { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
    this.m.diskFree.value = this.last.free;
    return this.last;
  }

  /** The last measurement (undefined before the first). */
  get figures(): DiskFigures | undefined {
    return this.last;
  }

  get episode(): DiskEpisode | undefined {
    return this.current;
  }

  /** Whether `bytes` more can be written and still leave the reserve free. */
  fits(bytes: number, figures: DiskFigures, reusable = 0): boolean {
    return figures.free + reusable - this.reserveBytes >= bytes;
  }

  /** Starts an episode (logged once) or adds to the running one. */
  short(file: string, what: string, waiting: number): void {
    if (this.current) {
      this.current.held++;
      this.current.maxWaiting = Math.max(this.current.maxWaiting, waiting);
      return;
    }
    this.current = { since: Date.now(), startedAt: performance.now(), held: 1, dropped: 0, maxWaiting: waiting };
    this.episodes++;
    this.m.diskFullEpisodes.value++;
    this.m.diskFull.value = 1;
    const f = this.last;
    this.log.warn(
      { code: 'SG_JOURNAL_DISK_FULL', file, dir: this.dir, freeBytes: f?.free, totalBytes: f?.total, reserveBytes: this.reserveBytes },
      `journal ${file}: the disk holding it is full (${mib(f?.free)} free of ${mib(f?.total)}, and journal.reserveBytes keeps ${mib(this.reserveBytes)} free for trimming): ${what}; ` +
        `free space on ${this.dir} (the gateway carries on by itself once there is room; one summary follows then)`,
    );
  }

  /** Counts stored entries some sink had not yet, dropped to make room during the running episode. */
  dropped(entries: number): void {
    if (this.current) this.current.dropped += entries;
  }

  /** Ends the running episode, if any, with what it cost. */
  recovered(file: string, lastSeq: number): void {
    const e = this.current;
    if (!e) return;
    this.current = undefined;
    this.m.diskFull.value = 0;
    const seconds = Math.round((performance.now() - e.startedAt) / 1000); // monotonic: a clock step does not change it
    this.log.info(
      { code: 'SG_JOURNAL_DISK_FULL', file, freeBytes: this.last?.free, seconds, held: e.held, dropped: e.dropped, maxWaiting: e.maxWaiting, lastSeq },
      `journal ${file}: the disk has room again (${mib(this.last?.free)} free): commits go on from seq ${lastSeq + 1}; ` +
        `the disk was full for ${seconds}s, the journal waited for room ${e.held} times, at most ${e.maxWaiting.toLocaleString('en')} entries waited in memory, ` +
        `${e.dropped.toLocaleString('en')} undelivered stored entries were dropped to make room`,
    );
  }
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '? MiB' : `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Whether an error says the disk (or the quota) is full: SQLite's SQLITE_FULL, or ENOSPC/EDQUOT from the file system. */
export function isSpaceError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT' || e.code === 'SQLITE_FULL') return true;
  if (typeof e.message === 'string' && /SQLITE_FULL|database or disk is full|ENOSPC|no space left/i.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isSpaceError(e.cause);
}
