/**
 * Modbus RTU framing (unit id, PDU, CRC-16 low byte first) on a serial line or a TCP socket.
 * A frame's length follows from its function code, so frames split across chunks and several
 * frames in one chunk are both found; a frame of an unknown function code ends where its CRC
 * matches. Like a real slave: a bad CRC gets no answer (counted), and bytes left waiting longer
 * than `frameGap` are dropped when the next bytes arrive, which is how the line resynchronizes
 * after noise (RTU's silent interval, measured loosely because TCP and ptys blur timing).
 */
import { performance } from 'node:perf_hooks';
import { crc16Modbus } from '@sensegate/sdk';
import type { FaultState } from '../protocol/faults.js';
import { MAX_PDU, NO_ANSWER, type RequestHandler } from '../protocol/request-handler.js';
import type { StatCounters } from '../protocol/stats.js';
import type { Link, LinkOutput } from './link.js';
import { sharedBatch } from './response-batch.js';

/** Longest RTU frame: unit id, 253-byte PDU, CRC. */
const MAX_FRAME = 256;
const NEED_MORE = -1;
const UNKNOWN = 0;

/** Frame length implied by the function code, NEED_MORE, or UNKNOWN. */
function frameLength(data: Buffer, off: number, avail: number): number {
  const fc = data[off + 1]!;
  if ((fc >= 1 && fc <= 6) || fc === 8) return 8;
  if (fc === 15 || fc === 16) return avail < 7 ? NEED_MORE : 9 + data[off + 6]!;
  if (fc & 0x80) return 5; // another slave's exception answer on a shared line
  return UNKNOWN;
}

export class RtuLink implements Link {
  private rest: Buffer | undefined;
  private lastAt = 0;

  constructor(
    private readonly handler: RequestHandler,
    private readonly faults: FaultState,
    private readonly stats: StatCounters,
    private readonly output: LinkOutput,
    private readonly frameGap: number,
  ) {}

  push(chunk: Buffer): void {
    const stats = this.stats;
    stats.bytesIn += chunk.length;
    const now = performance.now();
    if (this.rest && now - this.lastAt > this.frameGap) {
      stats.badFrames++; // an incomplete frame followed by silence: noise or a broken request
      this.rest = undefined;
    }
    this.lastAt = now;
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    const batch = sharedBatch;
    let off = 0;
    while (data.length - off >= 4) {
      const avail = data.length - off;
      let len = frameLength(data, off, avail);
      if (len === NEED_MORE) break;
      if (len === UNKNOWN) {
        len = this.matchCrc(data, off, avail);
        if (len === UNKNOWN) {
          if (avail >= MAX_FRAME) {
            stats.badFrames++;
            off = data.length;
          }
          break;
        }
      }
      if (len > avail) break;
      if (crc16Modbus(data, off, off + len - 2) !== data.readUInt16LE(off + len - 2)) {
        stats.badFrames++;
        stats.badCrc++;
        off += len;
        continue;
      }
      const unitId = data[off]!;
      batch.ensure(MAX_PDU + 3);
      const at = batch.len;
      const buf = batch.buf;
      const n = this.handler.handle(unitId, data, off + 1, off + len - 2, buf, at + 1, false);
      if (n !== NO_ANSWER) {
        buf[at] = unitId;
        buf.writeUInt16LE(crc16Modbus(buf, at, at + 1 + n), at + 1 + n);
        const delay = this.faults.active ? this.faults.latencyFor(unitId) : 0;
        if (delay > 0) this.output.later(batch.copyOf(at, at + n + 3), delay);
        else batch.len += n + 3;
      }
      off += len;
    }
    if (off < data.length) this.rest = Buffer.from(data.subarray(off));
    if (batch.len > 0) this.output.send(batch.take());
  }

  /** Length of the shortest frame at `off` whose CRC checks, or UNKNOWN. */
  private matchCrc(data: Buffer, off: number, avail: number): number {
    const limit = Math.min(avail, MAX_FRAME);
    for (let len = 4; len <= limit; len++) {
      if (crc16Modbus(data, off, off + len - 2) === data.readUInt16LE(off + len - 2)) return len;
    }
    return UNKNOWN;
  }
}
