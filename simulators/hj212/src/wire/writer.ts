/**
 * Puts frames on the wire the way the fault plan says: whole (one write each), cut at random
 * points, one byte per write, joined with the next frames into one write, or after noise. Writes
 * keep their order; pieces are a few ms apart so that each arrives in its own TCP segment, as
 * from a GPRS modem that forwards whatever its buffer holds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FrameShape, StationFaults } from './faults.js';
import type { StationLink } from './link.js';

/** Pause between the pieces of a split frame, and between single bytes. */
const PIECE_PAUSE_MS = 5;
const BYTE_PAUSE_MS = 1;
/** Frames waiting behind a slow (split) write; beyond this the oldest are dropped. */
const QUEUE_LIMIT = 256;

interface Pending {
  bytes: Buffer;
  split: boolean;
  oneByte: boolean;
}

export class FrameWriter {
  private readonly queue: Pending[] = [];
  private busy = false;
  private batch: Buffer[] | undefined;
  private batchLeft = 0;
  /** socket writes made, frames dropped because the connection went away under them. */
  writes = 0;
  dropped = 0;

  constructor(
    private readonly link: StationLink,
    private readonly faults: StationFaults,
    private readonly random: () => number,
  ) {}

  send(frame: Buffer, shape: FrameShape): void {
    let bytes = shape.garbage > 0 ? Buffer.concat([noise(shape.garbage, this.random), frame]) : frame;
    if (this.batch) {
      this.batch.push(bytes);
      if (--this.batchLeft > 0) return;
      bytes = Buffer.concat(this.batch);
      this.batch = undefined;
    } else if (this.faults.concatFrames > 1 && this.faults.take('concat')) {
      this.batch = [bytes];
      this.batchLeft = this.faults.concatFrames - 1;
      return;
    }
    const item = { bytes, split: shape.split, oneByte: shape.oneByte };
    if (!this.busy && !item.split && !item.oneByte) {
      this.write(bytes);
      return;
    }
    if (this.queue.length >= QUEUE_LIMIT) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(item);
    if (!this.busy) void this.pump();
  }

  /** Forgets frames held for a joined write and queued pieces (the connection is gone). */
  reset(): void {
    if (this.batch) this.dropped += this.batch.length;
    this.batch = undefined;
    this.batchLeft = 0;
    this.dropped += this.queue.length;
    this.queue.length = 0;
  }

  private write(bytes: Buffer): void {
    if (this.link.write(bytes)) this.writes++;
    else this.dropped++;
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        const pieces = item.oneByte ? bytewise(item.bytes) : item.split ? cut(item.bytes, this.random) : [item.bytes];
        const generation = this.link.generation;
        for (let i = 0; i < pieces.length; i++) {
          if (this.link.generation !== generation) break;
          this.write(pieces[i]!);
          if (i < pieces.length - 1) await sleep(item.oneByte ? BYTE_PAUSE_MS : PIECE_PAUSE_MS);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

/** Noise as a line picks it up: any byte but `#`, so the next frame's `##` still starts it. */
function noise(length: number, random: () => number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    const b = Math.floor(random() * 255);
    bytes[i] = b >= 0x23 ? b + 1 : b;
  }
  return bytes;
}

/** Two to four pieces, cut at random points. */
function cut(bytes: Buffer, random: () => number): Buffer[] {
  if (bytes.length < 2) return [bytes];
  const cuts = new Set<number>();
  const count = 1 + Math.floor(random() * 3);
  while (cuts.size < Math.min(count, bytes.length - 1)) cuts.add(1 + Math.floor(random() * (bytes.length - 1)));
  const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i]!, end));
}

function bytewise(bytes: Buffer): Buffer[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}
