/**
 * Modbus TCP framing (MBAP header: transaction id, protocol 0, length, unit id) on one client
 * connection. Requests may be pipelined and split anywhere; each is answered with its own
 * transaction id, in order, except that answers delayed by a latency fault leave when it expires.
 */
import { MAX_PDU, NO_ANSWER, type RequestHandler } from '../protocol/request-handler.js';
import type { FaultState } from '../protocol/faults.js';
import type { StatCounters } from '../protocol/stats.js';
import { sharedBatch } from './response-batch.js';
import type { Link, LinkOutput } from './link.js';

const HEADER = 7;

export class MbapLink implements Link {
  private rest: Buffer | undefined;

  constructor(
    private readonly handler: RequestHandler,
    private readonly faults: FaultState,
    private readonly stats: StatCounters,
    private readonly output: LinkOutput,
  ) {}

  push(chunk: Buffer): void {
    this.stats.bytesIn += chunk.length;
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    const batch = sharedBatch;
    let off = 0;
    while (data.length - off >= HEADER + 1) {
      const length = data.readUInt16BE(off + 4);
      if (length < 2 || length > MAX_PDU + 1) {
        // No way to find the next frame boundary: a real device drops the connection too.
        // The answers gathered for this chunk are dropped with it: the batch is shared.
        this.stats.badFrames++;
        batch.len = 0;
        this.output.abort();
        return;
      }
      const end = off + 6 + length;
      if (end > data.length) break;
      if (data.readUInt16BE(off + 2) !== 0) {
        this.stats.badFrames++; // not the Modbus protocol id
        off = end;
        continue;
      }
      const unitId = data[off + 6]!;
      batch.ensure(HEADER + MAX_PDU);
      const at = batch.len;
      const buf = batch.buf;
      const n = this.handler.handle(unitId, data, off + HEADER, end, buf, at + HEADER, true);
      if (n !== NO_ANSWER) {
        buf[at] = data[off]!;
        buf[at + 1] = data[off + 1]!;
        buf[at + 2] = 0;
        buf[at + 3] = 0;
        buf.writeUInt16BE(n + 1, at + 4);
        buf[at + 6] = unitId;
        const delay = this.faults.active ? this.faults.latencyFor(unitId) : 0;
        if (delay > 0) this.output.later(batch.copyOf(at, at + HEADER + n), delay);
        else batch.len += HEADER + n;
      }
      off = end;
    }
    if (off < data.length) this.rest = Buffer.from(data.subarray(off));
    if (batch.len > 0) this.output.send(batch.take());
  }
}
