/**
 * Each sink's delivery rate: its cursor sampled every few seconds, the rate taken over the last
 * minute (or since start). Sampling is a timer reading a number per sink; nothing on the data path.
 */
const SAMPLE_EVERY = 5000;
const WINDOW = 60_000;

export class DeliveryRates {
  private readonly samples = new Map<string, Array<{ at: number; cursor: number }>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly cursors: () => Array<{ name: string; cursor: number }>) {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY);
    this.timer.unref();
  }

  /** Entries acknowledged per second over the last minute. */
  rate(sink: string, cursor: number, now = performance.now()): number {
    const list = this.samples.get(sink);
    const first = list?.[0];
    if (!first || now - first.at < 1) return 0;
    return Math.max(0, Math.round(((cursor - first.cursor) * 1000) / (now - first.at) * 10) / 10);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.now();
    for (const { name, cursor } of this.cursors()) {
      let list = this.samples.get(name);
      if (!list) this.samples.set(name, (list = []));
      list.push({ at: now, cursor });
      while (list.length > 1 && now - list[0]!.at > WINDOW) list.shift();
    }
  }
}
