/**
 * The faults a test or an operator turns on for one station. Frame faults spoil the next `count`
 * frames (`Infinity`: every frame until `clear()`), command faults the next `count` commands;
 * `drop` and `reconnectStorm` act at once.
 */
import type { StationFaults } from './faults.js';
import type { StationLink } from './link.js';

export class FaultControls {
  constructor(
    private readonly plan: StationFaults,
    private readonly link: StationLink,
  ) {}

  /** The next frames go out with a wrong CRC (the platform must drop them). */
  badCrc(count = 1): this {
    this.plan.set('bad-crc', count);
    return this;
  }

  /** The next frames carry a wrong PW (correct CRC). */
  wrongPassword(count = 1): this {
    this.plan.set('wrong-password', count);
    return this;
  }

  /** The next frames are written in 2-4 pieces, cut at random points. */
  split(count = 1): this {
    this.plan.set('split', count);
    return this;
  }

  /** The next `count` writes each carry `frames` frames back to back (a frame waits for the next ones). */
  concatenate(count = 1, frames = 2): this {
    this.plan.concatFrames = Math.max(2, Math.floor(frames));
    this.plan.set('concat', count);
    return this;
  }

  /** `bytes` of noise go out before each of the next frames. */
  garbage(count = 1, bytes = 16): this {
    this.plan.garbageBytes = Math.max(1, Math.floor(bytes));
    this.plan.set('garbage', count);
    return this;
  }

  /** The next frames are written one byte per write. */
  oneByteAtATime(count = 1): this {
    this.plan.set('one-byte', count);
    return this;
  }

  /** The next commands are refused (9011 QnRtn=2). */
  refuseCommands(count = 1): this {
    this.plan.set('refuse', count);
    return this;
  }

  /** The next commands are accepted but fail (9012 ExeRtn=2, nothing changes). */
  failCommands(count = 1): this {
    this.plan.set('fail', count);
    return this;
  }

  /** The station sends nothing (no data, no replies) while staying connected: a hung logger. */
  silence(on = true): this {
    this.plan.silent = on;
    return this;
  }

  /** Closes the connection now; the station reconnects after its backoff. */
  drop(): this {
    this.link.drop();
    return this;
  }

  /** Connects and disconnects `count` times in quick succession, then stays connected. */
  reconnectStorm(count = 5): this {
    this.link.reconnectStorm(Math.max(1, Math.floor(count)));
    return this;
  }

  /** Removes every pending fault and ends silence. */
  clear(): this {
    this.plan.clear();
    return this;
  }

  describe(): string {
    return this.plan.describe();
  }
}
