/**
 * Text from the wire made safe to put in a log line. Whatever a peer sends (a CN, an MN, a
 * station address, an error message quoting them) may hold a newline that would start a forged
 * line in a text log, a terminal escape, or a right-to-left override that reorders what an
 * operator reads. Those characters are written as escapes (`\n`, `\x1b`, `\u202e`); everything
 * else is kept as it is, so ordinary messages read unchanged. Long text is cut, saying how long
 * it was.
 */

/** C0 controls, DEL, C1 controls, line and paragraph separators, and bidirectional controls. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with unsafe characters escaped, at most `max` characters of it (default 200). */
export function printable(text: string, max = 200): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const safe = cut.replace(UNSAFE, escape);
  return text.length > max ? `${safe}... (${text.length} characters)` : safe;
}

