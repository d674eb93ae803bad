/**
 * Each sink's acknowledged high-water mark, and the ranges above it that its endpoint acknowledged
 * out of order (live data acknowledged while a backlog replays below it). Acks update memory at
 * once and reach the file in batches (with the next trim, about every second, and on close), ranges
 * included: a crash re-sends only what was acknowledged since the last save, not everything above
 * a cursor that a long replay held back. Delivery is at-least-once and consumers drop duplicates by
 * sequence number.
 */

/** Inclusive ranges of sequence numbers acknowledged above a cursor, sorted and disjoint. */
export type AckedRanges = ReadonlyArray<readonly [from: number, to: number]>;

/** What is saved per sink. */
export interface SavedCursor {
  acked: number;
  ranges: AckedRanges;
}

/** Ranges saved per sink at most; beyond, the highest are left out and would be sent again after a crash. */
export const MAX_SAVED_RANGES = 64;

export class Cursors {
  private readonly acked = new Map<string, number>();
  private readonly ranges = new Map<string, AckedRanges>();
  private readonly dirty = new Set<string>();

  constructor(saved: Map<string, SavedCursor>) {
    for (const [sink, value] of saved) {
      this.acked.set(sink, value.acked);
      if (value.ranges.length) this.ranges.set(sink, value.ranges);
    }
  }

  has(sink: string): boolean {
    return this.acked.has(sink);
  }

  get(sink: string): number | undefined {
    return this.acked.get(sink);
  }

  /** The ranges above the cursor acknowledged out of order, as last recorded. */
  rangesOf(sink: string): AckedRanges {
    const cursor = this.acked.get(sink) ?? 0;
    return (this.ranges.get(sink) ?? []).filter(([, to]) => to > cursor);
  }

  /** Moves a cursor forward (never back); returns whether it moved. */
  advance(sink: string, upTo: number): boolean {
    const current = this.acked.get(sink);
    if (current !== undefined && upTo <= current) return false;
    this.acked.set(sink, upTo);
    this.dirty.add(sink);
    return true;
  }

  /** Records the ranges acknowledged above the cursor (a copy is kept). */
  setRanges(sink: string, ranges: AckedRanges): void {
    const before = this.ranges.get(sink);
    if (before === undefined && ranges.length === 0) return;
    if (before && sameRanges(before, ranges)) return;
    this.ranges.set(sink, ranges.map(([from, to]) => [from, to] as const));
    this.dirty.add(sink);
  }

  /** Moves every cursor past dropped entries, so no sink waits for what no longer exists. */
  advanceAll(upTo: number): void {
    for (const sink of this.acked.keys()) this.advance(sink, upTo);
  }

  names(): string[] {
    return [...this.acked.keys()];
  }

  remove(sink: string): void {
    this.acked.delete(sink);
    this.ranges.delete(sink);
    this.dirty.delete(sink);
  }

  /** The lowest cursor: nothing above it may be trimmed. Undefined when no sink has a cursor. */
  min(): number | undefined {
    let min: number | undefined;
    for (const v of this.acked.values()) if (min === undefined || v < min) min = v;
    return min;
  }

  get changed(): boolean {
    return this.dirty.size > 0;
  }

  /** The cursors changed since the last save; call `unsaved` with them if saving fails. */
  takeChanged(): Array<[string, SavedCursor]> {
    const out: Array<[string, SavedCursor]> = [];
    for (const sink of this.dirty) out.push([sink, { acked: this.acked.get(sink)!, ranges: this.rangesOf(sink).slice(0, MAX_SAVED_RANGES) }]);
    this.dirty.clear();
    return out;
  }

  unsaved(entries: Array<[string, SavedCursor]>): void {
    for (const [sink] of entries) if (this.acked.has(sink)) this.dirty.add(sink);
  }
}

function sameRanges(a: AckedRanges, b: AckedRanges): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  return true;
}

/** Ranges as stored in the file (`[[from,to],...]`), read back leniently: anything malformed is dropped, so it is sent again. */
export function parseRanges(text: string | null | undefined, above: number): AckedRanges {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: Array<readonly [number, number]> = [];
  let last = above;
  for (const r of parsed) {
    if (!Array.isArray(r) || r.length !== 2 || !Number.isSafeInteger(r[0]) || !Number.isSafeInteger(r[1])) break;
    const [from, to] = r as [number, number];
    if (from <= last + 1 || to < from) break; // out of order or touching the cursor: stop trusting the rest
    out.push([from, to]);
    last = to;
  }
  return out;
}
