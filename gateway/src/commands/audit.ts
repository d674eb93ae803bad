/**
 * What an audit event may carry of a request. A platform chooses a command's arguments and a
 * write's value, so their size is the sender's: the audit keeps them whole only when small, and
 * otherwise an excerpt with the size and sha256 of the whole, so the audit trail stays useful
 * (who sent what, and a hash to match it against) without letting one request grow the feed.
 */
import { clip, sha256 } from '../feed/entry-bound.js';

/** JSON characters of arguments or a value kept whole in an audit event. */
export const AUDIT_WHOLE_CHARS = 512;
/** Characters of an excerpt of larger ones. */
const EXCERPT_CHARS = 256;
/** Characters of an audit event's message (it may quote the request's id, names and an error). */
export const AUDIT_MESSAGE_CHARS = 512;

/** `{ [key]: value }` when small, else `{ [key + 'Excerpt']: text, [key + 'Bytes']: n, [key + 'Sha256']: hex }`. */
export function auditedValue(key: string, value: unknown): Record<string, unknown> {
  let json: string;
  try {
    json = JSON.stringify(value) ?? 'null';
  } catch {
    json = String(value);
  }
  if (json.length <= AUDIT_WHOLE_CHARS) return { [key]: value };
  return {
    [`${key}Excerpt`]: clip(json, EXCERPT_CHARS),
    [`${key}Bytes`]: Buffer.byteLength(json, 'utf8'),
    [`${key}Sha256`]: sha256(json),
  };
}
