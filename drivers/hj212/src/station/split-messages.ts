/**
 * Split messages (Flag bit D): one upload sent as PNUM packets numbered PNO = 1..PNUM, sharing CN
 * and QN. The CP parts are joined in PNO order, with `;` between them, since loggers cut between
 * groups. Bounded: a set waits at most `timeout`, at most MAX_SETS sets are open per station, a
 * set has at most MAX_PACKETS packets, and every part is reserved in the listener's memory budget
 * (`maxReassemblyBytes`, shared by all its stations): a part that does not fit drops its set.
 * Whatever is dropped is reported through `dropped`.
 */
import type { MemoryBudget } from '@sensegate/sdk';
import type { Packet } from '../protocol/packet.js';

export const MAX_PACKETS = 256;
export const MAX_SETS = 8;

interface SplitSet {
  pnum: number;
  parts: Array<string | undefined>;
  received: number;
  /** Bytes reserved in the budget for the parts held. */
  bytes: number;
  timer: NodeJS.Timeout;
}

export type SplitOutcome = { kind: 'partial' } | { kind: 'complete'; cp: string } | { kind: 'refused'; reason: string };

export class SplitMessages {
  private readonly sets = new Map<string, SplitSet>();

  constructor(
    private readonly timeout: number,
    private readonly dropped: (reason: string) => void,
    private readonly budget: MemoryBudget,
  ) {}

  add(packet: Packet & { pnum: number; pno: number }): SplitOutcome {
    if (packet.pnum > MAX_PACKETS) return { kind: 'refused', reason: `PNUM=${packet.pnum} is more than the ${MAX_PACKETS} packets a split message may have` };
    const id = `${packet.cn}/${packet.qn ?? ''}`;
    let set = this.sets.get(id);
    if (set && set.pnum !== packet.pnum) {
      this.drop(id, `packets of CN ${packet.cn} QN ${packet.qn ?? '-'} announced PNUM ${set.pnum}, then ${packet.pnum}`);
      set = undefined;
    }
    const previous = set?.parts[packet.pno - 1];
    const grow = packet.cp.length - (previous?.length ?? 0);
    if (!this.budget.reserve(grow)) {
      // The whole set goes: without this part it can never complete. Reported once, as refused.
      if (set) this.forget(id, set);
      return { kind: 'refused', reason: `the server's memory for messages in pieces is full (maxReassemblyBytes ${this.budget.limit}); the message is dropped` };
    }
    if (grow < 0) this.budget.release(-grow);
    if (!set) {
      if (this.sets.size >= MAX_SETS) {
        const oldest = this.sets.keys().next().value!;
        this.drop(oldest, `more than ${MAX_SETS} split messages open at once`);
      }
      const timer = setTimeout(() => {
        const s = this.sets.get(id);
        if (s) this.drop(id, `only ${s.received} of ${s.pnum} packets of CN ${packet.cn} QN ${packet.qn ?? '-'} arrived within ${this.timeout} ms`);
      }, this.timeout);
      timer.unref?.();
      set = { pnum: packet.pnum, parts: new Array(packet.pnum), received: 0, bytes: 0, timer };
      this.sets.set(id, set);
    }
    // A packet sent again (our acknowledgement was lost) replaces its earlier copy.
    if (previous === undefined) set.received++;
    set.parts[packet.pno - 1] = packet.cp;
    set.bytes += grow;
    if (set.received < set.pnum) return { kind: 'partial' };
    this.forget(id, set);
    return { kind: 'complete', cp: set.parts.join(';') };
  }

  /** Split messages still waiting for packets. */
  get open(): number {
    return this.sets.size;
  }

  /** Forgets every open set without reporting it (the station is removed or the driver stops). */
  dispose(): void {
    for (const [id, set] of [...this.sets]) this.forget(id, set);
  }

  private drop(id: string, reason: string): void {
    const set = this.sets.get(id);
    if (!set) return;
    this.forget(id, set);
    this.dropped(reason);
  }

  private forget(id: string, set: SplitSet): void {
    clearTimeout(set.timer);
    this.sets.delete(id);
    this.budget.release(set.bytes);
  }
}
