/**
 * Logging with pino. `json` writes pino's own lines for log collectors; `text` writes one short
 * line per event for a person at a terminal. Secrets never reach a log line: they are `Secret`
 * objects that print as [redacted].
 */
import { Writable } from 'node:stream';
import type { Logger } from '@sensegate/sdk';
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
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        this.out.write(`${time} ${level} ${String(entry.msg ?? '')}${extra ? `  (${extra})` : ''}\n`);
      } catch {
        this.out.write(line + '\n');
      }
    }
    done();
  }
}

export function createLogger(settings: Partial<LogSettings> = {}, out: NodeJS.WritableStream = process.stderr): Logger {
  const format = settings.format ?? ((out as NodeJS.WriteStream).isTTY ? 'text' : 'json');
  const destination = format === 'text' ? new TextLines(out) : out;
  return pino({ level: settings.level ?? 'info', base: undefined }, destination as pino.DestinationStream) as unknown as Logger;
}
