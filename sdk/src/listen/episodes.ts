/**
 * "Logged once per episode": a run of the same problem (a station with a wrong password, a noisy
 * connection) logs its first occurrence, counts the rest quietly, and says how many there were when
 * it ends (the station is accepted, the connection sends a good frame or closes). Keys can come
 * from the wire (an MN, a station address), so the number of open episodes is bounded: beyond
 * the limit the oldest is forgotten, and logs again if it recurs. Episodes bound the lines of one
 * peer; the listener's `LogLimiter` bounds the lines of many.
 */
const NONE: ReadonlyArray<[string, number]> = Object.freeze([]);

export class Episodes {
  private readonly active = new Map<string, number>();

  constructor(private readonly limit = 1024) {}

  /** Counts an occurrence; true if it starts an episode, i.e. it should be logged now. */
  occur(key: string): boolean {
    const count = this.active.get(key);
    if (count === undefined && this.active.size >= this.limit) this.active.delete(this.active.keys().next().value!);
    this.active.set(key, (count ?? 0) + 1);
    return count === undefined;
  }

  /** Ends an episode; returns how many occurrences it had (0 if none was open). */
  end(key: string): number {
    const count = this.active.get(key) ?? 0;
    this.active.delete(key);
    return count;
  }

  isActive(key: string): boolean {
    return this.active.has(key);
  }

  /** Ends every episode whose key starts with `prefix`; returns the occurrences by key. */
  endAll(prefix: string): ReadonlyArray<[string, number]> {
    if (this.active.size === 0) return NONE; // the usual case, asked for every accepted packet
    const ended: Array<[string, number]> = [];
    for (const [key, count] of this.active) if (key.startsWith(prefix)) ended.push([key, count]);
    for (const [key] of ended) this.active.delete(key);
    return ended;
  }
}
