/**
 * One timer for any number of stations. Each member says when it next has something to do (in
 * real time); the scheduler keeps them in a min-heap by that time, sleeps until the earliest, and
 * runs the members that are due. A thousand stations then cost one timer, and a wake-up touches
 * only the stations it is for.
 */
export interface Scheduled {
  /** Real time (ms) of the member's next event; Infinity when it has nothing pending. */
  nextDue(): number;
  /** Does everything due at real time `now`. */
  run(now: number): void;
}

interface Entry {
  at: number;
  member: Scheduled;
}

/** Members due within this many ms of a wake-up run in it, so close events share one timer. */
const COALESCE_MS = 2;

export class Scheduler {
  private readonly heap: Entry[] = [];
  /** Each member's earliest entry in the heap; other entries of it are stale and skipped. */
  private readonly scheduled = new Map<Scheduled, number>();
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Infinity;
  private firing = false;

  constructor(
    /** What a member threw: a bug in the simulator, reported without stopping the other stations. */
    private readonly onError: (err: unknown) => void = (err) => process.emitWarning(`HJ 212 simulator: ${(err as Error)?.stack ?? String(err)}`),
    private readonly realNow: () => number = Date.now,
  ) {}

  add(member: Scheduled): void {
    if (!this.scheduled.has(member)) this.scheduled.set(member, Infinity);
    this.wake(member);
  }

  remove(member: Scheduled): void {
    this.scheduled.delete(member);
    if (this.scheduled.size === 0) {
      this.heap.length = 0;
      this.disarm();
    }
  }

  get size(): number {
    return this.scheduled.size;
  }

  /** The member's next event may have moved earlier: schedule it. */
  wake(member: Scheduled): void {
    const current = this.scheduled.get(member);
    if (current === undefined) return;
    const at = member.nextDue();
    if (!(at < current)) return;
    this.scheduled.set(member, at);
    this.push({ at, member });
    if (!this.firing && at < this.armedAt) this.arm(at);
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    this.firing = true;
    // Events up to a few ms ahead run now, so that a member is never woken for a sliver of time.
    const until = this.realNow() + COALESCE_MS;
    const ran = new Set<Scheduled>();
    try {
      while (this.heap.length > 0 && this.heap[0]!.at <= until) {
        const { at, member } = this.pop();
        if (this.scheduled.get(member) !== at) continue; // stale: a later wake scheduled it earlier
        this.scheduled.set(member, Infinity);
        if (ran.has(member)) continue; // woke itself while running: rescheduled below
        ran.add(member);
        try {
          if (member.nextDue() <= until) member.run(until);
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.firing = false;
    }
    // Whether it ran or its event moved later, each member is scheduled again at its next event.
    for (const member of ran) this.wake(member);
    if (this.heap.length > 0 && this.heap[0]!.at < this.armedAt) this.arm(this.heap[0]!.at);
  }

  private arm(at: number): void {
    this.disarm();
    this.armedAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.realNow()));
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.at <= entry.at) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const child = r < h.length && h[r]!.at < h[l]!.at ? r : l;
        if (h[child]!.at >= last.at) break;
        h[i] = h[child]!;
        i = child;
      }
      h[i] = last;
    }
    return top;
  }
}
