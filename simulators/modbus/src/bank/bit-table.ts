/**
 * A table of single bits (coils or discrete inputs), packed LSB first as Modbus sends them, so an
 * aligned read is a slice copy and an unaligned one a shift per byte, never a loop per bit.
 */
export class BitTable {
  /** One spare byte so an unaligned read may look one byte ahead. */
  readonly bits: Uint8Array;

  constructor(readonly size: number) {
    this.bits = new Uint8Array((size >> 3) + 2);
  }

  covers(address: number, count: number): boolean {
    return address + count <= this.size;
  }

  get(address: number): boolean {
    return (this.bits[address >> 3]! & (1 << (address & 7))) !== 0;
  }

  set(address: number, on: boolean): void {
    if (on) this.bits[address >> 3]! |= 1 << (address & 7);
    else this.bits[address >> 3]! &= ~(1 << (address & 7));
  }

  /** Packs `count` bits from `address` into `out` and returns the byte count. */
  read(address: number, count: number, out: Buffer, pos: number): number {
    const bytes = (count + 7) >> 3;
    const first = address >> 3;
    const shift = address & 7;
    const bits = this.bits;
    if (shift === 0) {
      out.set(bits.subarray(first, first + bytes), pos);
    } else {
      for (let i = 0; i < bytes; i++) out[pos + i] = ((bits[first + i]! >> shift) | (bits[first + i + 1]! << (8 - shift))) & 0xff;
    }
    const rest = count & 7;
    if (rest !== 0) out[pos + bytes - 1]! &= (1 << rest) - 1;
    return bytes;
  }

  /** Writes `count` bits packed LSB first at `src[pos]` (FC 15). */
  write(address: number, count: number, src: Buffer, pos: number): void {
    for (let i = 0; i < count; i++) this.set(address + i, (src[pos + (i >> 3)]! & (1 << (i & 7))) !== 0);
  }
}
