/**
 * Journal payloads are entry JSON objects joined by commas (see feed/entry.ts), so messages are
 * built by concatenation without parsing. Cutting a payload at an entry boundary is the one place
 * that must look inside: it scans for the top-level commas, skipping strings and nested values.
 */

/** Splits `items` (with `count` entries) after its first `n` entries. */
export function splitItems(items: string, n: number): [head: string, tail: string] {
  if (n <= 0) return ['', items];
  let depth = 0;
  let inString = false;
  let seen = 0;
  for (let i = 0; i < items.length; i++) {
    const c = items.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    else if (c === 0x2c /* , */ && depth === 0 && ++seen === n) return [items.slice(0, i), items.slice(i + 1)];
  }
  return [items, ''];
}

/** A run of consecutive entries of one kind: a journal block or part of one. */
export interface Piece {
  kind: 'reading' | 'event';
  seq: number;
  count: number;
  items: string;
}

/** Entries `from..to` (inclusive) of a piece that covers them. */
export function slicePiece(piece: Piece, from: number, to: number): Piece {
  if (from === piece.seq && to === piece.seq + piece.count - 1) return piece;
  let items = piece.items;
  if (from > piece.seq) items = splitItems(items, from - piece.seq)[1];
  items = splitItems(items, to - from + 1)[0];
  return { kind: piece.kind, seq: from, count: to - from + 1, items };
}

/**
 * Packs pieces into messages: consecutive pieces of one kind with contiguous sequence numbers are
 * merged, and a message is cut before it exceeds `maxEntries` entries or about `maxBytes` bytes
 * of entries, between pieces when a piece fits in a message of its own, else inside the piece. An
 * entry larger than `maxBytes` on its own still goes out alone.
 */
export function pack(pieces: Iterable<Piece>, maxEntries: number, maxBytes: number): Piece[] {
  const out: Piece[] = [];
  let current: Piece | undefined;
  for (let piece of pieces) {
    while (piece.count > 0) {
      if (current && (current.kind !== piece.kind || current.seq + current.count !== piece.seq)) {
        out.push(current);
        current = undefined;
      }
      const room = maxEntries - (current?.count ?? 0);
      const bytesRoom = maxBytes - (current ? current.items.length + 1 : 0);
      // Prefer cutting between pieces (journal blocks): splitting one means scanning its text.
      if (current && (piece.count > room || piece.items.length > bytesRoom) && piece.count <= maxEntries && piece.items.length <= maxBytes) {
        out.push(current);
        current = undefined;
        continue;
      }
      let take = Math.min(room, piece.count);
      if (piece.items.length > bytesRoom) {
        // Estimate from the average entry size, then let the next round cut again if needed.
        take = Math.min(take, Math.floor((bytesRoom / piece.items.length) * piece.count));
        if (take === 0 && current) {
          out.push(current);
          current = undefined;
          continue;
        }
        take = Math.max(take, 1);
      }
      const [head, tail] = take === piece.count ? [piece.items, ''] : splitItems(piece.items, take);
      current = current
        ? { kind: current.kind, seq: current.seq, count: current.count + take, items: current.items + ',' + head }
        : { kind: piece.kind, seq: piece.seq, count: take, items: head };
      piece = { kind: piece.kind, seq: piece.seq + take, count: piece.count - take, items: tail };
      if (current.count >= maxEntries || current.items.length >= maxBytes) {
        out.push(current);
        current = undefined;
      }
    }
  }
  if (current) out.push(current);
  return out;
}
