/**
 * What a device's polls did, for its page in the API and console: when it was last polled and how
 * long that took, how many point reads there were and how many failed, by error code, and the last
 * error with its time (kept after the device recovers, so a person can see what happened at 2 a.m.).
 * Plain fields updated once per poll; the codes are the few SG_* codes a device can produce.
 */
import type { SensegateError } from '@sensegate/sdk';

/** Distinct error codes counted per device; a driver inventing codes cannot grow the map beyond this. */
const MAX_CODES = 64;

export interface PollStatsSnapshot {
  polls: number;
  reads: number;
  failures: number;
  /** Failed point reads by error code. */
  errors: Record<string, number>;
  lastPoll?: { at: number; ms: number };
  lastError?: { code: string; message: string; at: number };
}

export class PollStats {
  private polls = 0;
  private reads = 0;
  private failures = 0;
  private readonly errors = new Map<string, number>();
  private lastPoll: { at: number; ms: number } | undefined;
  private lastError: { code: string; message: string; at: number } | undefined;

  /** One poll finished at `at` (wall clock) after `ms`, having read `points` points. */
  poll(at: number, ms: number, points: number): void {
    this.polls++;
    this.reads += points;
    this.lastPoll = { at, ms };
  }

  /** One point read failed. */
  failed(error: SensegateError | undefined, at: number): void {
    this.failures++;
    const code = error?.code ?? 'SG_NO_VALUE';
    if (this.errors.has(code) || this.errors.size < MAX_CODES) this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    this.lastError = { code, message: error?.message ?? 'no value', at };
  }

  get snapshot(): PollStatsSnapshot {
    return {
      polls: this.polls,
      reads: this.reads,
      failures: this.failures,
      errors: Object.fromEntries(this.errors),
      ...(this.lastPoll ? { lastPoll: { ...this.lastPoll } } : {}),
      ...(this.lastError ? { lastError: { ...this.lastError } } : {}),
    };
  }
}
