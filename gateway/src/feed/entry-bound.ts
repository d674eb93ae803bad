/**
 * The size bound of one journal entry. Every entry the gateway journals fits in `maxEntryBytes`
 * (UTF-8 bytes of its JSON), which the configuration checks against every sink's message limit, so
 * no single entry can be more than a sink will carry. What comes from outside can be large: a
 * driver's string value, a camera's event details, a platform's command arguments. An entry over
 * the bound is kept, not dropped, in a smaller form that says what it lost:
 *
 * - a reading loses its value: `value: null`, `quality: bad`, `status: SG_ENTRY_TOO_LARGE`;
 * - an event keeps its type, time, device, point and severity, its message cut to a line, and
 *   `data: { excerpt }` with the start of its details; `truncated: { bytes, sha256 }` gives the size
 *   and hash of the whole entry, so a platform can match it against a copy kept elsewhere.
 */
import { createHash } from 'node:crypto';
import type { DeviceEvent, Reading } from '@sensegate/sdk';

/** The status a reading carries when its value was too large to journal. */
export const ENTRY_TOO_LARGE = 'SG_ENTRY_TOO_LARGE';
/** Characters of an oversized event's message that are kept. */
const MESSAGE_CHARS = 512;
/** Characters of an oversized event's details kept as an excerpt. */
const EXCERPT_CHARS = 1024;

/** UTF-8 size of a JSON text, without encoding it when its length alone shows it is small. */
export function exceedsBytes(json: string, maxBytes: number): boolean {
  if (json.length * 3 <= maxBytes) return false;
  return json.length > maxBytes || Buffer.byteLength(json, 'utf8') > maxBytes;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The first `chars` characters of `text`, marked when cut, never splitting a surrogate pair. */
export function clip(text: string, chars: number): string {
  if (text.length <= chars) return text;
  let end = chars;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** The reading that stands for one whose JSON exceeds the bound: no value, quality bad, and why. */
export function oversizedReading(reading: Reading): Reading {
  const { value: _value, status: _status, ...rest } = reading;
  return { ...rest, value: null, quality: 'bad', status: ENTRY_TOO_LARGE };
}

/** The event that stands for one whose JSON (`json`) exceeds the bound. */
export function oversizedEvent(event: DeviceEvent, json: string): DeviceEvent & { truncated: { bytes: number; sha256: string } } {
  let details: string;
  try {
    details = JSON.stringify(event.data ?? {});
  } catch {
    details = '';
  }
  return {
    type: clip(String(event.type), 128),
    ts: event.ts,
    ...(event.device !== undefined ? { device: clip(String(event.device), 256) } : {}),
    ...(event.point !== undefined ? { point: clip(String(event.point), 256) } : {}),
    severity: event.severity,
    message: clip(String(event.message), MESSAGE_CHARS),
    data: { excerpt: clip(details, EXCERPT_CHARS) },
    truncated: { bytes: Buffer.byteLength(json, 'utf8'), sha256: sha256(json) },
  };
}
