/**
 * Memory a listener may hold for messages still arriving in pieces (SL 651 multi-packet messages,
 * HJ 212 split uploads), all connections and stations together. Each piece reserves its bytes
 * before it is kept and releases them when its message completes or is dropped, so the total
 * never exceeds the limit however many connections hold partial messages: a piece that does not
 * fit is refused, and its message dropped and counted by the caller. First come, first kept: a
 * newcomer never evicts a message that is already being put together.
 */

export class MemoryBudget {
  private held = 0;

  constructor(
    private max: number,
    private readonly changed: (used: number) => void = () => {},
  ) {}

  get limit(): number {
    return this.max;
  }

  /** Bytes reserved now. */
  get used(): number {
    return this.held;
  }

  setLimit(max: number): void {
    this.max = max;
  }

  /** Reserves `bytes` if they fit; false (and nothing reserved) if not. */
  reserve(bytes: number): boolean {
    if (bytes <= 0) return true;
    if (this.held + bytes > this.max) return false;
    this.held += bytes;
    this.changed(this.held);
    return true;
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.held = Math.max(0, this.held - bytes);
    this.changed(this.held);
  }
}
