/**
 * Answers to recent requests, by request id, so a request sent again (a platform's retry, a broker's
 * redelivery, an attacker replaying a captured message) is answered with the first answer and never
 * runs twice. A request still running is joined, not started again. Only final answers are kept:
 * a retryable failure (a timeout, a busy gateway, an offline device) is forgotten, so the sender's
 * retry with the same id runs. Bounded by the window and by count, oldest forgotten first.
 */
import type { CommandAck } from './schema.js';

const MAX_REMEMBERED = 10_000;

interface Remembered {
  /** Monotonic ms: the window is a duration, which a step of the wall clock must not stretch or cut. */
  at: number;
  answer: Promise<CommandAck>;
}

export class RecentAnswers {
  private readonly byId = new Map<string, Remembered>();

  constructor(private readonly windowMs: number) {}

  /** The answer to an earlier request with this id, if it is still remembered. */
  find(id: string, now = performance.now()): Promise<CommandAck> | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    if (now - entry.at > this.windowMs) {
      this.byId.delete(id);
      return undefined;
    }
    return entry.answer;
  }

  /** Remembers a request being answered; forgets it again if its answer is worth retrying. */
  remember(id: string, answer: Promise<CommandAck>, now = performance.now()): void {
    if (this.windowMs === 0) return;
    this.expire(now);
    if (this.byId.size >= MAX_REMEMBERED) this.byId.delete(this.byId.keys().next().value!);
    const entry = { at: now, answer };
    this.byId.set(id, entry);
    void answer.then((ack) => {
      if (!ack.ok && ack.error?.retryable && this.byId.get(id) === entry) this.byId.delete(id);
    });
  }

  private expire(now: number): void {
    for (const [id, entry] of this.byId) {
      if (now - entry.at <= this.windowMs) break; // insertion order is time order
      this.byId.delete(id);
    }
  }
}
