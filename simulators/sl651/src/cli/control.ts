/** The control channel: one command per line (stdin in the CLI), one line of answer each. */
import { usageError } from '@sensegate/sdk/simulate';
import { QUANTITIES, type Quantity } from '../measurements.js';
import type { Sl651Station } from '../station.js';

export const controlHelp =
  'commands: timed [packets=N] | add | hourly | test | keepalive | rain MM | set QUANTITY VALUE | release QUANTITY | get QUANTITY | ' +
  'badcrc [N] | password [N] | split BYTES|off | garbage [N] | drop | silence | resume | clear | status | quit';

function count(text: string | undefined, what: string, fallback: number, max = 10_000): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) usageError(`${what} must be a whole number from 1 to ${max}, got ${text}`);
  return n;
}

function quantity(text: string | undefined, verb: string): Quantity {
  if (text === undefined || !QUANTITIES.includes(text as Quantity)) usageError(`${verb} needs a quantity: ${QUANTITIES.join(', ')}`);
  return text as Quantity;
}

const sentLine = (what: string, serial: number | undefined) => (serial === undefined ? `${what} not sent: the station is silent` : `sent ${what}, serial ${serial}`);

/** Applies one command and returns the line to print. Throws SG_USAGE for a command it cannot apply. */
export function applyCommand(station: Sl651Station, line: string): string {
  const [verbText = '', ...args] = line.trim().split(/\s+/);
  const verb = verbText.toLowerCase();
  switch (verb) {
    case 'timed': {
      const option = args.find((a) => a.startsWith('packets='));
      const packetSize = option === undefined ? undefined : count(option.slice('packets='.length), 'packets', 0, 4092);
      return sentLine(`timed report (32)${packetSize ? ` in packets of ${packetSize} bytes` : ''}`, station.sendTimedReport(packetSize ? { packetSize } : {}));
    }
    case 'add':
      return sentLine('add report (33)', station.sendAddReport());
    case 'hourly':
      return sentLine('hourly report (34)', station.sendHourlyReport());
    case 'test':
      return sentLine('test report (30)', station.sendTestReport());
    case 'keepalive':
      return sentLine('keep-alive (2F)', station.sendKeepAlive());
    case 'rain': {
      const mm = Number(args[0]);
      if (args[0] === undefined || !Number.isFinite(mm) || mm <= 0 || mm > 1000) usageError('rain needs millimetres, more than 0 and at most 1000');
      station.addRain(mm);
      return `rain ${mm} mm; total ${station.rainTotal} mm`;
    }
    case 'set': {
      const q = quantity(args[0], 'set');
      const value = Number(args[1]);
      if (args[1] === undefined || !Number.isFinite(value)) usageError(`set ${q} needs a number`);
      station.set(q, value);
      return `${q} = ${value} (pinned)`;
    }
    case 'release': {
      const q = quantity(args[0], 'release');
      station.release(q);
      return `${q} follows its generator again`;
    }
    case 'get': {
      const q = quantity(args[0], 'get');
      return `${q} = ${station.value(q) ?? 'none'}`;
    }
    case 'badcrc': {
      const n = count(args[0], 'badcrc', 1);
      station.faults.corruptCrc(n);
      return `next ${n} frame(s) with a bad CRC`;
    }
    case 'password': {
      const n = count(args[0], 'password', 1);
      station.faults.useWrongPassword(n);
      return `next ${n} frame(s) with a wrong password`;
    }
    case 'split': {
      if (args[0] === 'off') {
        station.faults.split(0);
        return 'frames written whole';
      }
      const n = count(args[0], 'split', 0, 4096);
      station.faults.split(n);
      return `frames written in pieces of ${n} bytes`;
    }
    case 'garbage': {
      const n = count(args[0], 'garbage', 16, 4096);
      station.faults.sendGarbage(n);
      return `${n} noise bytes before the next frame`;
    }
    case 'drop':
      station.dropConnection();
      return 'connection dropped; reconnecting with backoff';
    case 'silence':
      station.faults.silence(true);
      return 'silent: nothing is sent';
    case 'resume':
      station.faults.silence(false);
      return 'sending again';
    case 'clear':
      station.faults.clear();
      return 'faults cleared';
    case 'status':
      return statusLine(station);
    case 'help':
      return controlHelp;
    default:
      return usageError(`unknown command "${verb}"; ${controlHelp}`);
  }
}

export function statusLine(station: Sl651Station): string {
  const s = station.stats();
  const sent = Object.entries(s.sent)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([fn, n]) => `${fn}: ${n}`)
    .join(', ');
  return (
    `${s.connected ? 'connected to' : 'not connected to'} ${station.host}:${station.port}; station ${station.address}; connects ${s.connects}; ` +
    `sent ${sent || 'nothing'}; frames ${s.framesOut}, queued ${s.queued}; confirmed ${s.confirmed}, acks ${s.acks}, naks ${s.naks}, hang-ups ${s.hangUps}; ` +
    `rain total ${station.rainTotal} mm; faults: ${station.faults.describe()}`
  );
}
