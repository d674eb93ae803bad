/**
 * The fault plan of one station: what goes wrong with its next frames and commands. Counted
 * faults apply to the next N frames (or commands) and then wear off; `Infinity` keeps one on until
 * `clear()`. Faults that act at once (drop the connection, a reconnect storm) are the station's
 * own methods; this plan only says how frames and answers are spoiled.
 */

export const FRAME_FAULTS = ['bad-crc', 'wrong-password', 'split', 'concat', 'garbage', 'one-byte'] as const;
export const COMMAND_FAULTS = ['refuse', 'fail'] as const;
export type FrameFault = (typeof FRAME_FAULTS)[number];
export type CommandFault = (typeof COMMAND_FAULTS)[number];
export type CountedFault = FrameFault | CommandFault;

/** How one frame goes out. */
export interface FrameShape {
  badCrc: boolean;
  wrongPassword: boolean;
  /** Write in a few pieces at random split points. */
  split: boolean;
  /** Write one byte per write. */
  oneByte: boolean;
  /** Noise bytes written before the frame. */
  garbage: number;
}

export class StationFaults {
  private readonly left = new Map<CountedFault, number>();
  /** Bytes of noise before each frame of a `garbage` fault. */
  garbageBytes = 16;
  /** Frames joined into one write by a `concat` fault (its count is a number of such writes). */
  concatFrames = 2;
  /** Sends nothing at all (data, replies) while keeping the connection: a hung logger. */
  silent = false;

  /** Spoils the next `count` frames (or commands) with `fault`; 0 removes it. */
  set(fault: CountedFault, count = 1): void {
    if (count <= 0) this.left.delete(fault);
    else this.left.set(fault, count);
  }

  /** Uses up one application of `fault` if it is pending. */
  take(fault: CountedFault): boolean {
    const n = this.left.get(fault);
    if (!n) return false;
    if (n === 1) this.left.delete(fault);
    else if (n !== Infinity) this.left.set(fault, n - 1);
    return true;
  }

  /** The shape of the next frame, using up one application of each pending frame fault. */
  nextFrame(): FrameShape {
    if (this.left.size === 0) return CLEAN;
    return {
      badCrc: this.take('bad-crc'),
      wrongPassword: this.take('wrong-password'),
      split: this.take('split'),
      oneByte: this.take('one-byte'),
      garbage: this.take('garbage') ? this.garbageBytes : 0,
    };
  }

  clear(): void {
    this.left.clear();
    this.silent = false;
  }

  describe(): string {
    const parts = [...this.left].map(([fault, n]) => (n === Infinity ? fault : `${fault} x${n}`));
    if (this.silent) parts.push('silent');
    return parts.length ? parts.join(', ') : 'none';
  }
}

const CLEAN: FrameShape = Object.freeze({ badCrc: false, wrongPassword: false, split: false, oneByte: false, garbage: 0 });
