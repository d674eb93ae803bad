/**
 * Multi-packet (SYN) messages of one connection, put back together. Packets are keyed by station
 * and function code and may arrive in any order; a message completes when every packet 1..total is
 * there. Bounded three ways: a message larger than its station's `maxMessageBytes`, or whose
 * packet total changes, is dropped; at most MAX_IN_PROGRESS messages are in progress per
 * connection, the oldest dropped first; and every packet's bytes are reserved in the listener's
 * memory budget (`maxReassemblyBytes`, all connections together) before they are kept, so a packet
 * that does not fit drops its message. `dispose` gives everything back when the connection closes.
 */
import type { MemoryBudget } from '@sensegate/sdk';
import type { Frame } from '../protocol/frame.js';

export type PacketOutcome =
  /** Waiting for more packets. `head` is the message's serial number and send time, once packet 1 is in. */
  | { kind: 'partial'; head?: Uint8Array }
  | { kind: 'complete'; body: Buffer }
  | { kind: 'dropped'; reason: string };

interface Pending {
  total: number;
  parts: Map<number, Uint8Array>;
  bytes: number;
}

const MAX_IN_PROGRESS = 4;

export class Reassembly {
  private readonly pending = new Map<string, Pending>();
  /** Messages dropped while their packets still arrive: the rest of them is ignored, not started anew. */
  private readonly discarding = new Map<string, number>();

  constructor(private readonly budget: MemoryBudget) {}

  add(frame: Frame & { packet: NonNullable<Frame['packet']> }, maxBytes: number): PacketOutcome[] {
    const outcomes: PacketOutcome[] = [];
    const key = `${frame.station}/${frame.functionCode}`;
    const { total, sequence } = frame.packet;
    if (sequence === 1) this.discarding.delete(key);
    else if (this.discarding.get(key) === total) return outcomes;
    let message = this.pending.get(key);
    if (message && message.total !== total) {
      outcomes.push({ kind: 'dropped', reason: `packet total changed from ${message.total} to ${total} before the message completed` });
      this.forget(key, message);
      message = undefined;
    }
    if (!message) {
      if (this.pending.size >= MAX_IN_PROGRESS) {
        const oldest = this.pending.keys().next().value!;
        this.forget(oldest, this.pending.get(oldest)!);
        outcomes.push({ kind: 'dropped', reason: `more than ${MAX_IN_PROGRESS} multi-packet messages in progress on one connection` });
      }
      message = { total, parts: new Map(), bytes: 0 };
      this.pending.set(key, message);
    }
    const grow = frame.body.length - (message.parts.get(sequence)?.length ?? 0);
    if (message.bytes + grow > maxBytes) {
      this.discard(key, message, total);
      outcomes.push({ kind: 'dropped', reason: `message exceeds maxMessageBytes (${maxBytes}) after packet ${sequence} of ${total}` });
      return outcomes;
    }
    if (!this.budget.reserve(grow)) {
      this.discard(key, message, total);
      outcomes.push({ kind: 'dropped', reason: `the server's memory for multi-packet messages is full (maxReassemblyBytes ${this.budget.limit}) at packet ${sequence} of ${total}` });
      return outcomes;
    }
    if (grow < 0) this.budget.release(-grow);
    message.bytes += grow;
    message.parts.set(sequence, frame.body);
    if (message.parts.size < total) {
      const first = message.parts.get(1);
      outcomes.push({ kind: 'partial', ...(first && first.length >= 8 ? { head: first.subarray(0, 8) } : {}) });
      return outcomes;
    }
    this.forget(key, message);
    const parts: Uint8Array[] = [];
    for (let i = 1; i <= total; i++) parts.push(message.parts.get(i)!);
    outcomes.push({ kind: 'complete', body: Buffer.concat(parts) });
    return outcomes;
  }

  /** Messages still waiting for packets; they are dropped with the connection. */
  get inProgress(): number {
    return this.pending.size;
  }

  /** Drops every message in progress and gives its memory back; returns how many there were. */
  dispose(): number {
    const count = this.pending.size;
    for (const [key, message] of [...this.pending]) this.forget(key, message);
    this.discarding.clear();
    return count;
  }

  /** Drops a message and ignores the rest of its packets. */
  private discard(key: string, message: Pending, total: number): void {
    this.forget(key, message);
    this.discarding.set(key, total);
  }

  private forget(key: string, message: Pending): void {
    this.pending.delete(key);
    this.budget.release(message.bytes);
  }
}
