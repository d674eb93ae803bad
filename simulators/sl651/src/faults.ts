/**
 * Faults on demand, as a field RTU and its modem produce them: frames with a bad CRC or a wrong
 * password, frames cut into small pieces, noise before a frame, a dropped connection, a station
 * that goes silent. Counted faults apply to the next N frames; the others until cleared.
 */
export class StationFaults {
  private badCrc = 0;
  private wrongPassword = 0;
  private garbage = 0;
  /** Write frames in pieces of this many bytes, a few ms apart (0: whole). */
  splitSize = 0;
  /** Send nothing: scheduled and requested frames are skipped, not queued. */
  silent = false;

  /** The next `count` frames go out with a corrupted CRC. */
  corruptCrc(count = 1): void {
    this.badCrc += count;
  }

  /** The next `count` frames go out with a wrong password (and a correct CRC). */
  useWrongPassword(count = 1): void {
    this.wrongPassword += count;
  }

  /** `bytes` of noise go out before the next frame. */
  sendGarbage(bytes = 16): void {
    this.garbage += bytes;
  }

  split(size: number): void {
    this.splitSize = Math.max(0, size);
  }

  silence(on: boolean): void {
    this.silent = on;
  }

  clear(): void {
    this.badCrc = 0;
    this.wrongPassword = 0;
    this.garbage = 0;
    this.splitSize = 0;
    this.silent = false;
  }

  takeBadCrc(): boolean {
    if (this.badCrc === 0) return false;
    this.badCrc--;
    return true;
  }

  takeWrongPassword(): boolean {
    if (this.wrongPassword === 0) return false;
    this.wrongPassword--;
    return true;
  }

  takeGarbage(): number {
    const n = this.garbage;
    this.garbage = 0;
    return n;
  }

  describe(): string {
    const parts = [
      this.badCrc ? `bad CRC x${this.badCrc}` : '',
      this.wrongPassword ? `wrong password x${this.wrongPassword}` : '',
      this.garbage ? `garbage ${this.garbage} bytes` : '',
      this.splitSize ? `split ${this.splitSize}` : '',
      this.silent ? 'silent' : '',
    ].filter(Boolean);
    return parts.length ? parts.join(', ') : 'none';
  }
}
