/**
 * Growing refusal for addresses that send wrong passwords. After a wrong password, new
 * connections from that peer are refused on arrival for `initialDelay`; each further wrong
 * password doubles the time, up to `maxDelay`; a station accepted from the peer ends it. A peer
 * that stays quiet for `maxDelay` after its refusal ended starts from the beginning again.
 *
 * Guessing a 4-hex-digit SL 651 password (65,536 values) then takes months instead of minutes.
 * The delays are exact, without jitter: they are a penalty, not a retry schedule. The table is
 * bounded, so a scan from many addresses cannot grow it; the oldest entry is forgotten first.
 */

export interface AuthBackoffSettings {
  initialDelay: number;
  maxDelay: number;
}

interface Penalty {
  /** Wrong passwords since the last success (or since the penalty was forgotten). */
  failures: number;
  /** New connections are refused until this time, ms since the epoch. */
  until: number;
}

export class AuthBackoff {
  private readonly penalties = new Map<string, Penalty>();

  constructor(
    private settings: AuthBackoffSettings,
    private readonly now: () => number = Date.now,
    private readonly maxPeers = 4096,
  ) {}

  configure(settings: AuthBackoffSettings): void {
    this.settings = settings;
  }

  /** A wrong password from `peer`; returns for how long its new connections are refused, ms. */
  failed(peer: string): number {
    const now = this.now();
    const previous = this.current(peer, now);
    const failures = (previous?.failures ?? 0) + 1;
    const { initialDelay, maxDelay } = this.settings;
    const delay = Math.min(maxDelay, initialDelay * 2 ** Math.min(failures - 1, 30));
    this.penalties.delete(peer); // re-inserted last: the table forgets the longest-quiet peer first
    if (this.penalties.size >= this.maxPeers) this.penalties.delete(this.penalties.keys().next().value!);
    this.penalties.set(peer, { failures, until: now + delay });
    return delay;
  }

  /** A station was accepted from `peer`: its record is wiped. */
  succeeded(peer: string): void {
    this.penalties.delete(peer);
  }

  /** How much longer new connections from `peer` are refused, ms (0: not refused). */
  remaining(peer: string): number {
    const penalty = this.current(peer, this.now());
    return penalty ? Math.max(0, penalty.until - this.now()) : 0;
  }

  /** Forgets every penalty (the stations and their passwords were reconfigured). */
  clear(): void {
    this.penalties.clear();
  }

  /** Peers with a record now. */
  get size(): number {
    return this.penalties.size;
  }

  private current(peer: string, now: number): Penalty | undefined {
    const penalty = this.penalties.get(peer);
    if (penalty && now >= penalty.until + this.settings.maxDelay) {
      this.penalties.delete(peer);
      return undefined;
    }
    return penalty;
  }
}
