import type { BackoffSettings } from './schema.js';

/**
 * Exponential backoff with full jitter. `next()` gives the delay before the next attempt;
 * `reset()` after a success. Jitter spreads the reconnects of many devices after a shared outage
 * (a switch reboot) so they do not all arrive in the same millisecond.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly settings: BackoffSettings,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const ceiling = Math.min(this.settings.maxDelay, this.settings.initialDelay * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    // Half fixed, half random: never much faster than the schedule, never synchronized.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
