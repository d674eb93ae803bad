/**
 * Printable excerpts of received bytes for logs: control and non-ASCII bytes as \xNN, bounded.
 * The value of every `PW=` field is shown as `***`: a frame refused for its CRC may carry a
 * station's real password, and a log line must never carry one.
 */
const P = 0x50;
const W = 0x57;
const EQUALS = 0x3d;
const SEMICOLON = 0x3b;
const AMPERSAND = 0x26;

export function excerpt(bytes: Uint8Array, max = 64): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    // Any `PW=`, whatever precedes it: masking a field that was no password costs nothing.
    if (b === EQUALS && i >= 2 && bytes[i - 1] === W && bytes[i - 2] === P) {
      out += '=***';
      // Skip the value, up to the next field separator, even beyond what is shown.
      while (i + 1 < bytes.length && bytes[i + 1] !== SEMICOLON && bytes[i + 1] !== AMPERSAND) i++;
      continue;
    }
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b >= 0x20 && b < 0x7f && b !== 0x5c) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}... (${bytes.length} bytes)` : out;
}
