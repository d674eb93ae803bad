/**
 * The control channel: one command per line (stdin in the CLI), one line of answer each.
 * `bad-crc 3`, `split every`, `refuse`, `send hour`, `flag a34004 M mn=...`, `status`, ...
 * A command applies to every station, or to the one named by `mn=`.
 */
import { usageError } from '@sensegate/sdk/simulate';
import type { DataKind, Hj212Station } from '../station.js';
import { addStats, emptyStats, type StationStats } from '../stats.js';

export const controlHelp =
  'commands: bad-crc|wrong-password|split|one-byte|refuse|fail [N|every] | concat [N] [frames=K] | garbage [N] [bytes=B] | ' +
  'silence on|off | drop | storm [N] | clear | send realtime|minute|hour|day | flag CODE F | set CODE VALUE | release CODE | status | quit ' +
  '(each applies to every station, or add mn=MN)';

interface Command {
  verb: string;
  args: string[];
  named: Map<string, string>;
}

function parseLine(line: string): Command {
  const words = line.trim().split(/\s+/);
  const args: string[] = [];
  const named = new Map<string, string>();
  for (const w of words.slice(1)) {
    const eq = w.indexOf('=');
    if (eq > 0) named.set(w.slice(0, eq).toLowerCase(), w.slice(eq + 1));
    else args.push(w);
  }
  return { verb: (words[0] ?? '').toLowerCase(), args, named };
}

/** A count: a whole number, or `every` (until `clear`). */
function countOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (/^(every|all)$/i.test(text)) return Infinity;
  if (!/^\d+$/.test(text) || Number(text) < 1) usageError(`a count is a whole number from 1, or "every"; got ${text}`);
  return Number(text);
}

const DATA_KINDS: readonly DataKind[] = ['realtime', 'minute', 'hour', 'day'];
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const times = (n: number) => (n === Infinity ? 'every' : String(n));

/** Applies one command and returns the line to print. Throws SG_USAGE for a command it cannot apply. */
export function applyCommand(stations: readonly Hj212Station[], line: string): string {
  const cmd = parseLine(line);
  for (const key of cmd.named.keys()) {
    if (!['mn', 'frames', 'bytes'].includes(key)) usageError(`unknown option ${key}= (options: mn=, frames=, bytes=)`);
  }
  const mn = cmd.named.get('mn');
  const targets = mn === undefined ? stations : stations.filter((s) => s.mn === mn);
  if (targets.length === 0) usageError(`no station with MN ${mn}`);
  const who = targets.length === 1 ? `station ${targets[0]!.mn}` : plural(targets.length, 'station');
  const each = (fn: (s: Hj212Station) => void) => targets.forEach(fn);

  switch (cmd.verb) {
    case 'bad-crc':
    case 'wrong-password':
    case 'split':
    case 'one-byte': {
      const n = countOf(cmd.args[0], 1);
      const apply = { 'bad-crc': 'badCrc', 'wrong-password': 'wrongPassword', split: 'split', 'one-byte': 'oneByteAtATime' } as const;
      each((s) => s.faults[apply[cmd.verb as keyof typeof apply]](n));
      return `${cmd.verb} on the next ${times(n)} frame${n === 1 ? '' : 's'} of ${who}`;
    }
    case 'concat': {
      const n = countOf(cmd.args[0], 1);
      const frames = Number(cmd.named.get('frames') ?? 2);
      if (!Number.isInteger(frames) || frames < 2) usageError(`frames= is a whole number from 2, got ${cmd.named.get('frames')}`);
      each((s) => s.faults.concatenate(n, frames));
      return `${times(n)} write${n === 1 ? '' : 's'} of ${frames} frames each from ${who}`;
    }
    case 'garbage': {
      const n = countOf(cmd.args[0], 1);
      const bytes = Number(cmd.named.get('bytes') ?? 16);
      if (!Number.isInteger(bytes) || bytes < 1) usageError(`bytes= is a whole number from 1, got ${cmd.named.get('bytes')}`);
      each((s) => s.faults.garbage(n, bytes));
      return `${bytes} bytes of garbage before the next ${times(n)} frame${n === 1 ? '' : 's'} of ${who}`;
    }
    case 'refuse':
    case 'fail': {
      const n = countOf(cmd.args[0], 1);
      each((s) => (cmd.verb === 'refuse' ? s.faults.refuseCommands(n) : s.faults.failCommands(n)));
      return `${who} will ${cmd.verb === 'refuse' ? 'refuse (QnRtn=2)' : 'fail (ExeRtn=2)'} the next ${times(n)} command${n === 1 ? '' : 's'}`;
    }
    case 'silence': {
      const on = (cmd.args[0] ?? 'on').toLowerCase();
      if (on !== 'on' && on !== 'off') usageError('silence on|off');
      each((s) => s.faults.silence(on === 'on'));
      return on === 'on' ? `${who} silent (connected, sending nothing)` : `${who} sending again`;
    }
    case 'drop': {
      const connected = targets.filter((s) => s.connected).length;
      each((s) => s.faults.drop());
      return `dropped ${plural(connected, 'connection')}`;
    }
    case 'storm': {
      const n = countOf(cmd.args[0], 5);
      if (n === Infinity) usageError('a reconnect storm needs a number');
      each((s) => s.faults.reconnectStorm(n));
      return `reconnect storm: ${who} connect and disconnect ${n} times`;
    }
    case 'clear':
      each((s) => s.faults.clear());
      return `faults cleared on ${who}`;
    case 'send': {
      const kind = cmd.args[0] as DataKind;
      if (!DATA_KINDS.includes(kind)) usageError(`send ${DATA_KINDS.join('|')}`);
      let sent = 0;
      each((s) => {
        if (s.sendNow(kind) !== undefined) sent++;
      });
      return `sent ${kind} data from ${plural(sent, 'station')}${sent < targets.length ? ` (${targets.length - sent} had nothing to send or were offline)` : ''}`;
    }
    case 'flag': {
      const [code, flag] = cmd.args;
      if (!code || !flag) usageError('flag CODE F, e.g. flag a34004 M');
      each((s) => s.setFlag(code, flag));
      return `${code} flag ${flag} on ${who}`;
    }
    case 'set': {
      const [code, text] = cmd.args;
      const value = Number(text);
      if (!code || text === undefined || !Number.isFinite(value)) usageError('set CODE VALUE, e.g. set a34004 180');
      each((s) => s.setValue(code, value));
      return `${code} = ${value} (pinned) on ${who}`;
    }
    case 'release': {
      const code = cmd.args[0] ?? usageError('release CODE');
      each((s) => s.setValue(code, undefined));
      return `${code} follows its generator again on ${who}`;
    }
    case 'status':
      return statusLine(targets);
    case 'help':
      return controlHelp;
    default:
      return usageError(`unknown command "${cmd.verb}"; ${controlHelp}`);
  }
}

export function statusLine(stations: readonly Hj212Station[]): string {
  const s: StationStats = stations.reduce((total, one) => addStats(total, one.stats()), emptyStats());
  const faults = stations.length === 1 ? `; faults: ${stations[0]!.faults.describe()}` : '';
  return (
    `connected ${s.connected}/${stations.length}; connects ${s.connects} (reconnects ${s.reconnects}); frames ${s.framesSent} ` +
    `(realtime ${s.realtimeSent}, minute ${s.minuteSent}, hour ${s.hourSent}, day ${s.daySent}, resent ${s.resent}); ` +
    `acks ${s.acksReceived} (waiting ${s.awaitingAck}, abandoned ${s.ackAbandoned}); commands ${s.commandsAnswered} ` +
    `(refused ${s.commandsRefused}, failed ${s.commandsFailed}); dropped ${s.framesDropped}; bad frames in ${s.badFramesIn}; bytes out ${s.bytesOut}${faults}`
  );
}
