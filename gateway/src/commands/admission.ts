/**
 * How many requests the router takes: on average `rate` per second with bursts of twice that, and
 * at most `maxInFlight` running at once. A request beyond either is refused as retryable before it
 * is parsed further or reaches a device, so a flood from the platform costs the gateway little and
 * never piles up work or memory.
 */
export class Admission {
  private tokens: number;
  /** Monotonic ms: a step of the wall clock neither stalls nor floods the refill. */
  private refilledAt = performance.now();
  private running = 0;

  constructor(
    private readonly rate: number,
    private readonly maxInFlight: number,
  ) {
    this.tokens = this.burst;
  }

  private get burst(): number {
    return Math.max(1, this.rate * 2);
  }

  /** Why the request cannot be taken now, or undefined when it can (and then it counts as running). */
  enter(now = performance.now()): string | undefined {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.running >= this.maxInFlight) return `${this.maxInFlight} commands are already running (commands.maxInFlight); try again when one finishes`;
    if (this.tokens < 1) return `more than ${this.rate} requests per second (commands.rate); try again shortly`;
    this.tokens -= 1;
    this.running++;
    return undefined;
  }

  leave(): void {
    this.running--;
  }
}
