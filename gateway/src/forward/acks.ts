/**
 * Acknowledgements arrive out of order (an endpoint acknowledges messages as they land, and a
 * replayed message may be acknowledged after a newer live one). The cursor is the highest sequence
 * number below which everything was acknowledged; the ranges above it are kept until the gap
 * below them closes, so a replay can skip what already arrived.
 */
export class AckTracker {
  /** Disjoint, sorted, inclusive ranges above `cursor + 1`. */
  private ranges: Array<[from: number, to: number]> = [];

  /** `saved`: ranges acknowledged above `cursor` by an earlier run (sorted, disjoint). */
  constructor(
    public cursor: number,
    saved: ReadonlyArray<readonly [number, number]> = [],
  ) {
    for (const [from, to] of saved) this.ack(from, to);
  }

  /** Records that `from..to` arrived; returns true when the cursor moved. */
  ack(from: number, to: number): boolean {
    if (to <= this.cursor) return false;
    from = Math.max(from, this.cursor + 1);
    const r = this.ranges;
    let i = 0;
    while (i < r.length && r[i]![1] < from - 1) i++;
    let j = i;
    while (j < r.length && r[j]![0] <= to + 1) {
      from = Math.min(from, r[j]![0]);
      to = Math.max(to, r[j]![1]);
      j++;
    }
    r.splice(i, j - i, [from, to]);
    const before = this.cursor;
    while (r.length > 0 && r[0]![0] <= this.cursor + 1) this.cursor = Math.max(this.cursor, r.shift()![1]);
    return this.cursor !== before;
  }

  /** The first sequence number at or after `seq` that was not acknowledged. */
  nextUnacked(seq: number): number {
    if (seq <= this.cursor) seq = this.cursor + 1;
    for (const [from, to] of this.ranges) {
      if (to < seq) continue;
      if (from > seq) break;
      seq = to + 1;
    }
    return seq;
  }

  /** The last sequence number of the unacknowledged run that starts at `seq`, capped at `limit`. */
  runEnd(seq: number, limit: number): number {
    for (const [from] of this.ranges) if (from > seq) return Math.min(limit, from - 1);
    return limit;
  }

  /** How many sequence numbers in `from..to` were not acknowledged. */
  unackedIn(from: number, to: number): number {
    from = Math.max(from, this.cursor + 1);
    if (to < from) return 0;
    let n = to - from + 1;
    for (const [a, b] of this.ranges) n -= Math.max(0, Math.min(b, to) - Math.max(a, from) + 1);
    return n;
  }

  /** Ranges acknowledged above the cursor (for status and tests). */
  pending(): ReadonlyArray<readonly [number, number]> {
    return this.ranges;
  }
}
