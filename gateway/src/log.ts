/**
 * Logging with pino. `json` writes pino's own lines for log collectors; `text` writes one short
 * line per event for a person at a terminal. Secrets never reach a log line: they are `Secret`
 * objects that print as [redacted].
 *
 * Messages and fields often carry text from outside (a command's id, a station's CN, a camera's
 * reply). In `json` pino escapes them; in `text` every control character is written as an escape
 * and a field value that could pass for more fields is quoted, so no input can start a line of its
 * own, forge a `key=value`, or send a terminal escape sequence.
 */
import { Writable } from 'node:stream';
import { printable, type Logger } from '@sensegate/sdk';
import { pino } from 'pino';
import type { LogSettings } from './config/schema.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'v']);

/** Formats pino's JSON lines as `12:00:01.234 WARN  device sonde-1 offline: ... (device=sonde-1 code=...)`. */
class TextLines extends Writable {
  constructor(private readonly out: NodeJS.WritableStream) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        const time = new Date(entry.time as number).toISOString().slice(11, 23);
        const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
        const extra = Object.entries(entry)
          .filter(([k]) => !HIDDEN.has(k))
          .map(([k, v]) => `${escapeControl(k)}=${fieldText(v)}`)
          .join(' ');
        this.out.write(`${time} ${level} ${escapeControl(String(entry.msg ?? ''))}${extra ? `  (${extra})` : ''}\n`);
      } catch {
        this.out.write(line + '\n');
      }
    }
    done();
  }
}

/** Text with every control, line-separator and bidirectional character written as an escape. */
function escapeControl(text: string): string {
  return printable(text, Number.MAX_SAFE_INTEGER);
}

/** A field value as `key=value` text: bare when it is a plain word, else quoted and escaped. */
function fieldText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (typeof value !== 'string') return escapeControl(text);
  return /^[^\s"=()\\]*$/.test(text) && escapeControl(text) === text ? text : escapeControl(JSON.stringify(text));
}

export function createLogger(settings: Partial<LogSettings> = {}, out: NodeJS.WritableStream = process.stderr): Logger {
  const format = settings.format ?? ((out as NodeJS.WriteStream).isTTY ? 'text' : 'json');
  const destination = format === 'text' ? new TextLines(out) : out;
  return pino({ level: settings.level ?? 'info', base: undefined }, destination as pino.DestinationStream) as unknown as Logger;
}
