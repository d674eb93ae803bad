/**
 * `sensegate dead-letters`: the entries a sink's endpoint refused for good, which the gateway moved
 * out of the sink's way (see docs/durability.md). Reads the journal file read-only, so it can run
 * beside a running gateway.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SensegateError } from '@sensegate/sdk';
import { loadConfigFile } from '../config/load.js';
import { Connection } from '../journal/connection.js';
import type { DeadLetter } from '../journal/store.js';
import { parseOptions, positiveInt } from './args.js';
import { dataDirFor } from './data-dir.js';

export const deadLettersHelp = `Usage: sensegate dead-letters (--data DIR | --config FILE) [--sink NAME] [--limit N] [--json]

Lists the entries a sink's endpoint refused for good (too large for it, or refused by its reason
code), oldest first: the sink, the entry's seq and kind, when and why it was moved aside, and the
entry itself. The journal keeps the newest 10,000.

  --data DIR     the gateway's data folder (or --config FILE to use the folder the gateway would)
  --sink NAME    only this sink's
  --limit N      at most N (default 100)
  --json         one JSON object per line, with the whole entry`;

export async function runDeadLetters(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseOptions('dead-letters', argv, {
    data: { type: 'string' },
    config: { type: 'string', short: 'c' },
    sink: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    out.write(deadLettersHelp + '\n');
    return 0;
  }
  let dataDir = values.data;
  if (dataDir === undefined && values.config !== undefined) dataDir = dataDirFor(undefined, (await loadConfigFile(values.config)).config.gateway.id);
  if (dataDir === undefined) throw new SensegateError('SG_USAGE', 'sensegate dead-letters: give --data DIR or --config FILE (see `sensegate dead-letters --help`)');
  const file = join(dataDir, 'journal.db');
  if (!existsSync(file)) throw new SensegateError('SG_CONFIG_NOT_FOUND', `sensegate dead-letters: no journal at ${file}; is --data the gateway's data folder?`);
  const limit = positiveInt('dead-letters', 'limit', values.limit) ?? 100;
  const db = await Connection.open(file, 'read');
  try {
    const table = await db.get<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'dead_letters'");
    const letters = table
      ? await db.all<DeadLetter>(
          `SELECT id, sink, seq, kind, ts, reason, payload FROM dead_letters ${values.sink ? 'WHERE sink = ?' : ''} ORDER BY id LIMIT ?`,
          values.sink ? [values.sink, limit] : [limit],
        )
      : [];
    if (values.json) {
      for (const l of letters) out.write(JSON.stringify({ sink: l.sink, seq: l.seq, kind: l.kind, ts: l.ts, reason: l.reason, entry: JSON.parse(l.payload) }) + '\n');
      return 0;
    }
    if (letters.length === 0) {
      out.write(`no dead letters${values.sink ? ` for sink ${values.sink}` : ''} in ${file}\n`);
      return 0;
    }
    for (const l of letters) {
      const excerpt = l.payload.length > 160 ? `${l.payload.slice(0, 160)}… (${Buffer.byteLength(l.payload)} bytes)` : l.payload;
      out.write(`${new Date(l.ts).toISOString()}  sink ${l.sink}  ${l.kind} seq ${l.seq}: ${l.reason}\n  ${excerpt}\n`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
