/**
 * How long the oldest entry a sink has not had acknowledged has waited since its commit, known
 * without reading the journal: the forwarder marks each commit (its last seq and the time), at most
 * one mark per second, and the age is the time since the first mark past the sink's cursor.
 *
 * Invariants:
 * - Never understated: a mark stands for every entry since the previous one, stamped with the
 *   earliest commit among them, so the age is exact to within `resolution` and otherwise too high.
 * - Bounded: at most `maxMarks` marks (a day of one-second marks by default); past that the last
 *   mark takes in the newer commits, so the age of those shows as older than it is.
 * - Monotonic time (performance.now()): a step of the wall clock does not age the backlog.
 */

export class BacklogAge {
  /** Marks from `head` on: entries up to `seqs[i]` were committed at or after `times[i]`. */
  private seqs: number[] = [];
  private times: number[] = [];
  private head = 0;

  constructor(
    private readonly resolution = 1000,
    private readonly maxMarks = 86_400,
  ) {}

  /**
   * Entries up to `lastSeq` were committed at `at` (ms) or, for a backlog found at start, were
   * waiting since then.
   */
  committed(lastSeq: number, at: number): void {
    const last = this.seqs.length - 1;
    if (last >= this.head && (at - this.times[last]! < this.resolution || last - this.head + 1 >= this.maxMarks)) {
      if (lastSeq > this.seqs[last]!) this.seqs[last] = lastSeq;
      return;
    }
    this.seqs.push(lastSeq);
    this.times.push(at);
  }

  /** Everything up to `cursor` was acknowledged: marks it covers are forgotten. */
  acknowledged(cursor: number): void {
    while (this.head < this.seqs.length && this.seqs[this.head]! <= cursor) this.head++;
    if (this.head === this.seqs.length) {
      this.seqs.length = this.times.length = this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** Milliseconds the oldest entry past `cursor` has waited at `now`; 0 when nothing is waiting. */
  age(cursor: number, now: number): number {
    this.acknowledged(cursor);
    return this.head < this.seqs.length ? Math.max(0, now - this.times[this.head]!) : 0;
  }
}
