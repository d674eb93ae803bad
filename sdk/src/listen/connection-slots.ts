/**
 * Open connections of a listener, in total and per peer (`peerKey`). A connection takes a slot on
 * arrival, before a byte is read, and gives it back when it closes, so one address can never hold
 * more than its share however it behaves, and the listener never more than its limit.
 */

export type SlotRefusal = 'listener-full' | 'address-limit';

export interface SlotLimits {
  /** Connections open at once, all peers together. */
  total: number;
  /** Connections open at once from one peer. */
  perAddress: number;
}

export class ConnectionSlots {
  private readonly byPeer = new Map<string, number>();
  private count = 0;

  constructor(private readonly limits: () => SlotLimits) {}

  /** Connections open now. */
  get open(): number {
    return this.count;
  }

  /** Connections open now from `peer`. */
  openFrom(peer: string): number {
    return this.byPeer.get(peer) ?? 0;
  }

  /** Takes a slot for `peer`; undefined when taken, else why not. */
  take(peer: string): SlotRefusal | undefined {
    const { total, perAddress } = this.limits();
    if (this.count >= total) return 'listener-full';
    const mine = this.byPeer.get(peer) ?? 0;
    if (mine >= perAddress) return 'address-limit';
    this.byPeer.set(peer, mine + 1);
    this.count++;
    return undefined;
  }

  /** Gives back a slot taken for `peer`. */
  give(peer: string): void {
    const mine = this.byPeer.get(peer);
    if (mine === undefined) return;
    if (mine <= 1) this.byPeer.delete(peer);
    else this.byPeer.set(peer, mine - 1);
    this.count--;
  }
}
