/**
 * Entries appended but not yet committed, already cut into blocks: a run of consecutive entries of
 * one kind, at most `maxBlockEntries` long. Appending is a string concatenation (V8 keeps it as a
 * rope until the payload is handed to SQLite), so the hot path allocates no per-entry objects.
 */
import type { EntryKind } from '../feed/entry.js';

export interface PendingBlock {
  kind: EntryKind;
  count: number;
  payload: string;
}

export class PendingEntries {
  private readonly closed: PendingBlock[] = [];
  private runKind: EntryKind = 'reading';
  private runCount = 0;
  private runPayload = '';
  /** Entries held, in closed blocks and the open run. */
  entries = 0;
  /** UTF-16 code units held: the memory estimate the backlog bound uses. */
  chars = 0;

  constructor(private readonly maxBlockEntries: number) {}

  add(kind: EntryKind, json: string): void {
    if (this.runCount === 0) {
      this.runKind = kind;
      this.runPayload = json;
    } else if (kind !== this.runKind || this.runCount >= this.maxBlockEntries) {
      this.closeRun();
      this.runKind = kind;
      this.runPayload = json;
    } else {
      this.runPayload = this.runPayload + ',' + json;
    }
    this.runCount++;
    this.entries++;
    this.chars += json.length + 1;
  }

  /** Takes every pending block, in append order, leaving nothing pending. */
  take(): PendingBlock[] {
    if (this.runCount > 0) this.closeRun();
    const blocks = this.closed.splice(0);
    this.entries = 0;
    this.chars = 0;
    return blocks;
  }

  private closeRun(): void {
    this.closed.push({ kind: this.runKind, count: this.runCount, payload: this.runPayload });
    this.runCount = 0;
    this.runPayload = '';
  }
}
