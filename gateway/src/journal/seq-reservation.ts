/**
 * Keeps sequence numbers from being reused after a power cut in `normal` sync mode. There the last
 * commits may have been sent to the platform and then lost from disk; numbering the next entries
 * from the surviving high-water mark would give new readings the numbers of delivered ones, and a
 * consumer dropping duplicates by number would silently discard them.
 *
 * So in `normal` mode the journal durably reserves numbers ahead (one fsync'ed commit per
 * RESERVATION entries) and never emits past the reservation. At open, if the previous run did not
 * close and the machine has rebooted since (a power cut or an OS crash; a process crash keeps the
 * OS's buffered writes and loses nothing), numbering resumes after the reservation: consumers see
 * a gap no larger than RESERVATION that covers whatever was lost, and never a reused number.
 */
import { readFile } from 'node:fs/promises';
import { uptime } from 'node:os';
import type { SyncMode } from './store.js';

export const RESERVATION = 100_000;

/** Meta keys the journal keeps about its last run. */
export const META = {
  lastSeq: 'lastSeq',
  reserved: 'reservedSeq',
  running: 'running',
  bootId: 'bootId',
  sync: 'sync',
} as const;

/** Identifies the current boot of the machine: Linux's boot id, else the boot time to the minute. */
export async function currentBootId(): Promise<string> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    return `boot@${Math.round((Date.now() - uptime() * 1000) / 60_000)}`;
  }
}

export interface Resume {
  lastSeq: number;
  /** Set when numbers were skipped because the last commits may have been lost. */
  skipped?: { from: number; to: number };
}

/** Where numbering resumes, from what the file says about the previous run. */
export function resumeAfter(meta: Map<string, string>, storedLastSeq: number, bootId: string): Resume {
  const unclean = meta.get(META.running) === '1';
  const previousSync = meta.get(META.sync) as SyncMode | undefined;
  const reserved = Number(meta.get(META.reserved) ?? 0);
  const rebooted = meta.get(META.bootId) !== bootId;
  if (unclean && rebooted && previousSync === 'normal' && reserved > storedLastSeq) {
    return { lastSeq: reserved, skipped: { from: storedLastSeq + 1, to: reserved } };
  }
  return { lastSeq: storedLastSeq };
}
