/**
 * "Logged once per episode": a run of the same problem (a station with a wrong password, a noisy
 * connection) logs its first occurrence, counts the rest quietly, and says how many there were when
 * it ends (the station is accepted, the connection sends a good frame or closes).
 */
export class Episodes {
  private readonly active = new Map<string, number>();

  /**
   * @param limit episodes remembered at once: keys can come from the wire (station addresses), so
   *   the oldest is forgotten beyond this, and logs again if it recurs.
   */
  constructor(private readonly limit = 10_000) {}

  /** Counts an occurrence; true if it starts an episode, i.e. it should be logged now. */
  occur(key: string): boolean {
    const count = this.active.get(key);
    this.active.set(key, (count ?? 0) + 1);
    if (count === undefined && this.active.size > this.limit) this.active.delete(this.active.keys().next().value!);
    return count === undefined;
  }

  /** Ends an episode; returns how many occurrences it had (0 if none was active). */
  end(key: string): number {
    const count = this.active.get(key) ?? 0;
    this.active.delete(key);
    return count;
  }

  isActive(key: string): boolean {
    return this.active.has(key);
  }
}
