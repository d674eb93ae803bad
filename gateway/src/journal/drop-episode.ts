/**
 * A run of drops for one cause, logged once when it starts and summed up once when it ends, so a
 * night-long outage gives two log lines instead of one per dropped reading. The counts are exact;
 * the metrics carry them too.
 */
import type { Logger } from '@sensegate/sdk';
import type { EntryKind } from '../feed/entry.js';
import type { DropReason } from './metrics.js';

export class DropEpisode {
  private startedAt: number | undefined;
  private counts = new Map<DropReason, Record<EntryKind, number>>();
  private early = 0;

  constructor(
    private readonly log: Logger,
    private readonly file: string,
    /** Explains the episode's cause and what the journal does about it, for the first line. */
    private readonly describe: (reason: DropReason) => string,
  ) {}

  get active(): boolean {
    return this.startedAt !== undefined;
  }

  /** Entries every sink already had, removed early by the same cause: not lost, reported beside the drops. */
  trimmedEarly(count: number): void {
    if (this.startedAt !== undefined) this.early += count;
  }

  record(reason: DropReason, kind: EntryKind, count: number): void {
    if (count <= 0) return;
    let byKind = this.counts.get(reason);
    if (!byKind) {
      byKind = { reading: 0, event: 0 };
      this.counts.set(reason, byKind);
    }
    byKind[kind] += count;
    if (this.startedAt === undefined) {
      this.startedAt = performance.now();
      this.log.warn(
        { code: 'SG_JOURNAL_OVERFLOW', file: this.file, reason, kind, dropped: count },
        `journal ${this.file}: ${this.describe(reason)}; dropped ${plural(count, kind)} so far (counted in sensegate_journal_dropped_total{reason="${reason}"}; one summary follows when this ends)`,
      );
    }
  }

  /** Ends the episode, if one is running, with a summary of everything it dropped. */
  end(why: string): void {
    if (this.startedAt === undefined) return;
    const dropped: Record<string, Record<EntryKind, number>> = Object.fromEntries(this.counts);
    const parts = [...this.counts].map(([reason, k]) => `${[k.reading ? plural(k.reading, 'reading') : '', k.event ? plural(k.event, 'event') : ''].filter(Boolean).join(' and ')} (${reason})`);
    const seconds = Math.round((performance.now() - this.startedAt) / 1000); // monotonic: a clock step does not change it
    const early = this.early ? `; ${this.early.toLocaleString('en')} entries every sink already had were removed early too` : '';
    this.log.info(
      { code: 'SG_JOURNAL_OVERFLOW', file: this.file, dropped, trimmedEarly: this.early, seconds },
      `journal ${this.file}: ${why}; ${parts.join(', ')} dropped (never delivered) in ${seconds}s${early}`,
    );
    this.startedAt = undefined;
    this.counts = new Map();
    this.early = 0;
  }
}

function plural(n: number, kind: EntryKind): string {
  return `${n.toLocaleString('en')} ${kind}${n === 1 ? '' : 's'}`;
}
