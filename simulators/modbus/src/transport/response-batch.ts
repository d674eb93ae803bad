/**
 * Answers to the requests of one incoming chunk, gathered in one buffer and sent with one write:
 * a client pipelining 50 requests gets one TCP segment back, not 50. Processing a chunk is
 * synchronous, so one batch serves every connection.
 */
export class ResponseBatch {
  buf = Buffer.allocUnsafe(64 * 1024);
  len = 0;

  /** Makes room for `bytes` more bytes after `len`. */
  ensure(bytes: number): void {
    if (this.len + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + bytes));
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  /** The gathered bytes as their own buffer (safe to hand to a socket); the batch is empty after. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    this.len = 0;
    return out;
  }

  /** A copy of `buf[from..to)`, for an answer that leaves later (added latency). */
  copyOf(from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe(to - from);
    this.buf.copy(out, 0, from, to);
    return out;
  }
}

export const sharedBatch = new ResponseBatch();
