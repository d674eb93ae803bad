/**
 * Split messages (Flag bit D): one upload sent as PNUM packets numbered PNO = 1..PNUM, sharing CN
 * and QN. The CP parts are joined in PNO order, with `;` between them, since loggers cut between
 * groups. Bounded: a set waits at most `timeout`, at most MAX_SETS sets are open per station and a
 * set has at most MAX_PACKETS packets; whatever is dropped is reported through `dropped`.
 */
import type { Packet } from '../protocol/packet.js';

export const MAX_PACKETS = 256;
export const MAX_SETS = 8;

interface SplitSet {
  pnum: number;
  parts: Array<string | undefined>;
  received: number;
  timer: NodeJS.Timeout;
}

export type SplitOutcome = { kind: 'partial' } | { kind: 'complete'; cp: string } | { kind: 'refused'; reason: string };

export class SplitMessages {
  private readonly sets = new Map<string, SplitSet>();

  constructor(
    private readonly timeout: number,
    private readonly dropped: (reason: string) => void,
  ) {}

  add(packet: Packet & { pnum: number; pno: number }): SplitOutcome {
    if (packet.pnum > MAX_PACKETS) return { kind: 'refused', reason: `PNUM=${packet.pnum} is more than the ${MAX_PACKETS} packets a split message may have` };
    const id = `${packet.cn}/${packet.qn ?? ''}`;
    let set = this.sets.get(id);
    if (set && set.pnum !== packet.pnum) {
      this.drop(id, `packets of CN ${packet.cn} QN ${packet.qn ?? '-'} announced PNUM ${set.pnum}, then ${packet.pnum}`);
      set = undefined;
    }
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
      set = { pnum: packet.pnum, parts: new Array(packet.pnum), received: 0, timer };
      this.sets.set(id, set);
    }
    // A packet sent again (our acknowledgement was lost) replaces its earlier copy.
    if (set.parts[packet.pno - 1] === undefined) set.received++;
    set.parts[packet.pno - 1] = packet.cp;
    if (set.received < set.pnum) return { kind: 'partial' };
    clearTimeout(set.timer);
    this.sets.delete(id);
    return { kind: 'complete', cp: set.parts.join(';') };
  }

  /** Split messages still waiting for packets. */
  get open(): number {
    return this.sets.size;
  }

  /** Forgets every open set without reporting it (the station is removed or the driver stops). */
  dispose(): void {
    for (const set of this.sets.values()) clearTimeout(set.timer);
    this.sets.clear();
  }

  private drop(id: string, reason: string): void {
    const set = this.sets.get(id);
    if (!set) return;
    clearTimeout(set.timer);
    this.sets.delete(id);
    this.dropped(reason);
  }
}
