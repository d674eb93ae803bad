/**
 * Each sink's acknowledged high-water mark. Acks update memory at once and reach the file in
 * batches (with the next trim, and on close), so after a crash a sink may be sent a few entries
 * again: delivery is at-least-once and consumers drop duplicates by sequence number.
 */
export class Cursors {
  private readonly acked = new Map<string, number>();
  private readonly dirty = new Set<string>();

  constructor(saved: Map<string, number>) {
    for (const [sink, value] of saved) this.acked.set(sink, value);
  }

  has(sink: string): boolean {
    return this.acked.has(sink);
  }

  get(sink: string): number | undefined {
    return this.acked.get(sink);
  }

  /** Moves a cursor forward (never back); returns whether it moved. */
  advance(sink: string, upTo: number): boolean {
    const current = this.acked.get(sink);
    if (current !== undefined && upTo <= current) return false;
    this.acked.set(sink, upTo);
    this.dirty.add(sink);
    return true;
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
  takeChanged(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const sink of this.dirty) out.push([sink, this.acked.get(sink)!]);
    this.dirty.clear();
    return out;
  }

  unsaved(entries: Array<[string, number]>): void {
    for (const [sink] of entries) if (this.acked.has(sink)) this.dirty.add(sink);
  }
}
