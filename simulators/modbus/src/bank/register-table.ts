/** A table of 16-bit registers stored as wire bytes (big-endian), so a read is one slice copy. */
export class RegisterTable {
  readonly bytes: Buffer;

  /** `size`: how many registers the table serves, from address 0. */
  constructor(readonly size: number) {
    this.bytes = Buffer.alloc(size * 2);
  }

  /** True when `count` registers from `address` are all inside the table. */
  covers(address: number, count: number): boolean {
    return address + count <= this.size;
  }

  /** Copies registers into `out` (wire bytes) and returns the byte count. */
  read(address: number, count: number, out: Buffer, pos: number): number {
    return this.bytes.copy(out, pos, address * 2, (address + count) * 2);
  }

  /** Writes `count` registers from wire bytes at `src[pos]`. */
  write(address: number, count: number, src: Buffer, pos: number): void {
    src.copy(this.bytes, address * 2, pos, pos + count * 2);
  }
}
