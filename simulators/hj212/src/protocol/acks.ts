/**
 * Data sent with Flag=5 (acknowledge requested) waits here for the platform's 9014 with the same
 * QN. A frame not acknowledged within the timeout is sent again, the same bytes with the same QN,
 * up to `retries` times (HJ 212 loggers default to a 5 s timeout and 3 retries), then given up.
 * At most `limit` frames wait; a station that never hears back does not grow without bound.
 */
export interface AwaitingAck {
  qn: string;
  segment: string;
  /** Real time (ms) at which it is sent again if no 9014 came. */
  due: number;
  /** Times sent so far. */
  sent: number;
}

export class PendingAcks {
  private readonly waiting: AwaitingAck[] = [];
  acked = 0;
  resent = 0;
  /** Frames given up on: all retries unanswered, or pushed out by newer frames. */
  abandoned = 0;

  constructor(
    private readonly timeout: number,
    private readonly retries: number,
    private readonly limit = 64,
  ) {}

  get size(): number {
    return this.waiting.length;
  }

  add(qn: string, segment: string, now: number): void {
    if (this.waiting.length >= this.limit) {
      this.waiting.shift();
      this.abandoned++;
    }
    this.waiting.push({ qn, segment, due: now + this.timeout, sent: 1 });
  }

  /** A 9014 arrived for `qn`: true when a frame was waiting for it. */
  ack(qn: string): boolean {
    const i = this.waiting.findIndex((w) => w.qn === qn);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    this.acked++;
    return true;
  }

  /** Earliest real time something is due. */
  due(): number {
    let due = Infinity;
    for (const w of this.waiting) if (w.due < due) due = w.due;
    return due;
  }

  /** The frames to send again now; those out of retries are dropped. */
  takeDue(now: number): AwaitingAck[] {
    const again: AwaitingAck[] = [];
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i]!;
      if (w.due > now) continue;
      if (w.sent > this.retries) {
        this.waiting.splice(i--, 1);
        this.abandoned++;
        continue;
      }
      w.sent++;
      w.due = now + this.timeout;
      this.resent++;
      again.push(w);
    }
    return again;
  }
}
