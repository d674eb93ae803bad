/**
 * What the journal stores and the sinks deliver. Every reading and event gets a per-gateway
 * sequence number when it is committed to the journal; the numbers are contiguous and survive
 * restarts. A block is a run of consecutive entries of one kind, stored as one journal row and
 * delivered as (part of) one message, so its entries' sequence numbers are `seq .. seq + count - 1`.
 */

import type { EntryKind } from '@sensegate/sdk';

/** What sinks see of entries is the SDK's, so a sink package compiles against the SDK alone. */
export type { EntryKind, OutboundMessage } from '@sensegate/sdk';

export interface JournalBlock {
  /** Sequence number of the first entry. */
  seq: number;
  /** Number of entries; their sequence numbers are `seq` to `seq + count - 1`. */
  count: number;
  kind: EntryKind;
  /** When the block was committed, ms since the epoch (for the age bound). */
  ts: number;
  /**
   * The entries as JSON objects joined by commas, without the enclosing brackets, so a message is
   * built by concatenation: `[` + payloads.join(',') + `]`. Never parsed on the delivery path.
   */
  payload: string;
}
