/**
 * Finding the message an endpoint will not take when it does not say so. An endpoint that refuses
 * a message in words (an MQTT 5 PUBACK reason, an HTTP 413) is handled by the forwarder directly.
 * An MQTT 3.1.1 broker over its packet limit just closes the connection, and the gateway would
 * reconnect and send the same message again, forever, with nothing behind it delivered.
 *
 * The watch: when a connection is lost within QUICK_LOSS_MS of sending the oldest message still in
 * flight, that message is suspect; when the connection is lost like that again on an overlapping
 * message (STRIKES times), the forwarder isolates: one message in flight at a time, each quick loss
 * of a message of several entries halving the message size, so the culprit ends up alone. An entry
 * whose connection dies twice when it is sent alone is given up on (the forwarder keeps it in the
 * dead letters). Once the cursor is past the suspect range, delivery returns to normal, in messages
 * no larger than what got through (never below FLOOR_BYTES unless configured so), until a restart.
 *
 * A link that merely drops does not trip it: a loss counts only right after a send, on the same
 * entries again, and giving up on an entry needs two such losses while it was the only message in
 * flight.
 */
import type { Logger } from '@sensegate/sdk';
import type { Piece } from './items.js';

/** A loss within this long after the oldest message in flight was sent counts against it. */
export const QUICK_LOSS_MS = 5000;
/** Quick losses on overlapping messages before isolating; and on one entry alone before giving up on it. */
export const STRIKES = 2;
/** The message size learned while isolating never goes below this, unless the configured size is smaller. */
const FLOOR_BYTES = 16 * 1024;

/** True for an error by which a sink says the endpoint will never take this message (SG_MESSAGE_REFUSED). */
export function isRefusedForGood(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SG_MESSAGE_REFUSED';
}

export interface Flight {
  piece: Piece;
  /** When it was sent, on the monotonic clock (ms). */
  sentAt: number;
}

export class PoisonWatch {
  private learned: number;
  private isolationBytes: number | undefined;
  /** While isolating: the last seq of the suspect range; isolation ends once the cursor passes it. */
  private until = 0;
  private suspect: { seq: number; end: number; strikes: number } | undefined;

  constructor(
    private readonly configured: number,
    private readonly sink: string,
    private readonly log: Logger,
  ) {
    this.learned = configured;
  }

  get isolating(): boolean {
    return this.isolationBytes !== undefined;
  }

  /** Bytes of entries per message now. */
  get messageBytes(): number {
    return this.isolationBytes ?? this.learned;
  }

  /**
   * The connection was lost with these messages in flight (in the order they were sent). Returns
   * an entry to give up on, with why, when the evidence says the endpoint will never take it.
   */
  connectionLost(flights: readonly Flight[], now: number): { piece: Piece; reason: string } | undefined {
    const oldest = flights[0];
    if (!oldest || now - oldest.sentAt > QUICK_LOSS_MS) {
      if (!this.isolating) this.suspect = undefined;
      return undefined;
    }
    const { piece } = oldest;
    const end = piece.seq + piece.count - 1;
    const previous = this.suspect;
    const again = previous !== undefined && piece.seq <= previous.end && previous.seq <= end;
    const suspect = { seq: piece.seq, end, strikes: again ? previous.strikes + 1 : 1 };
    this.suspect = suspect;
    if (!this.isolating) {
      if (suspect.strikes < STRIKES) return undefined;
      this.isolationBytes = piece.count > 1 ? Math.max(1, Math.floor(piece.items.length / 2)) : this.learned;
      this.until = end;
      suspect.strikes = 0;
      this.log.warn(
        { code: 'SG_MESSAGE_REFUSED', from: piece.seq, to: end, bytes: piece.items.length },
        `sink ${this.sink}: the endpoint closed the connection ${STRIKES} times just after a message of ${piece.items.length} bytes (seq ${piece.seq}..${end}) was sent; ` +
          `sending one message at a time, smaller, to find what it refuses (is the sink's maxMessageBytes above the endpoint's limit?)`,
      );
      return undefined;
    }
    this.until = Math.max(this.until, end);
    if (piece.count > 1) {
      this.isolationBytes = Math.max(1, Math.floor(Math.min(this.isolationBytes!, piece.items.length) / 2));
      suspect.strikes = 0;
      return undefined;
    }
    if (suspect.strikes < STRIKES) return undefined;
    this.suspect = undefined;
    return {
      piece,
      reason: `the endpoint closed the connection each time this entry (${piece.items.length} bytes) was sent alone, ${STRIKES} times`,
    };
  }

  /** The endpoint took a message; `cursor` is the sink's cursor after it. */
  delivered(piece: Piece, cursor: number): void {
    const suspect = this.suspect;
    if (suspect && piece.seq <= suspect.seq && suspect.seq <= piece.seq + piece.count - 1) this.suspect = undefined;
    if (!this.isolating || cursor < this.until) return;
    const floor = Math.min(this.configured, FLOOR_BYTES);
    this.learned = Math.min(this.learned, Math.max(floor, this.isolationBytes!));
    this.isolationBytes = undefined;
    this.suspect = undefined;
    this.log.info(
      { messageBytes: this.learned },
      `sink ${this.sink}: past the entries the endpoint refused; delivering normally again` +
        (this.learned < this.configured ? `, in messages of at most ${this.learned} bytes until the gateway restarts (set the sink's maxMessageBytes within the endpoint's limit)` : ''),
    );
  }
}
