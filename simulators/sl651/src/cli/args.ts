/** Command-line options of the station simulator. */
import { parseDuration } from '@sensegate/sdk';
import { parseSimulatorOptions, usageError, wholeNumberOption } from '@sensegate/sdk/simulate';

export const usage = `Usage: sensegate sim sl651 [options]      (or: sensegate-sim-sl651 [options])

Simulates an SL 651-2014 rain and water-level station that dials the gateway (HEX/BCD over TCP):
keep-alives, timed, add and hourly reports with moving values, and faults on demand.

  --host H                 gateway to dial (default 127.0.0.1)
  --port N                 gateway port (default 5651)
  --address HEX            station address, 10 hex digits (default 0012345678)
  --password HEX           station password, 4 hex digits (default 1234)
  --centre N               centre address 0..255 (default 1)
  --category C             station category letter: H river, P rainfall, K reservoir, ... (default H)
  --interval DURATION      timed report (32) interval, e.g. 5s, 5m; 0 = on demand only (default 5m)
  --keepalive DURATION     keep-alive (2F) interval; 0 = none (default 40s)
  --no-hourly              no hourly report (34) at the full hour
  --add-threshold MM       rain since the last report that triggers an add report (33); 0 = none (default 1)
  --packet-size N          send reports as SYN packets of at most N body bytes (default: one frame)
  --rain-total MM          cumulative rainfall at start (default 0)
  --profile PATH           a profile whose simulate: section gives rainRate, waterLevel, batteryVoltage, flow, velocity
  --time-zone TZ           the station's clock (default Asia/Shanghai)
  --tick DURATION          how often values move (default 1s)
  --seed N                 seed for random walks (same seed, same values)
  --verbose                print connections and the centre's replies on stderr
  -h, --help               this text

Commands, typed on stdin while it runs (one line each, one line of answer):
  timed [packets=N] | add | hourly | test | keepalive     send one now
  rain MM                                  rain falls at once (may trigger an add report)
  set QUANTITY VALUE | release QUANTITY | get QUANTITY   pin rainRate, waterLevel, batteryVoltage, flow, velocity
  badcrc [N] | password [N]                the next N frames with a bad CRC / a wrong password
  split BYTES|off | garbage [N]            write frames in pieces / N noise bytes before the next frame
  drop | silence | resume                  cut the connection / stop sending / send again
  clear | status | help | quit`;

export interface StationArgs {
  help: boolean;
  verbose: boolean;
  host?: string;
  port?: number;
  address?: string;
  password?: string;
  centre?: number;
  category?: string;
  interval?: number;
  keepAlive?: number;
  hourly: boolean;
  addThreshold?: number;
  packetSize?: number;
  rainTotal?: number;
  profile?: string;
  timeZone?: string;
  tick?: number;
  seed?: number;
}

function decimal(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) usageError(`--${name} needs a number of 0 or more, got "${text}"`);
  return n;
}

function time(name: string, text: string | undefined, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (ms === undefined || ms < min) usageError(`--${name} needs a duration such as 500ms, 5s or 5m${min ? ` of at least ${min} ms` : ''}, got "${text}"`);
  return ms;
}

export function parseStationArgs(argv: string[]): StationArgs {
  const { values } = parseSimulatorOptions(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      verbose: { type: 'boolean' },
      host: { type: 'string' },
      port: { type: 'string' },
      address: { type: 'string' },
      password: { type: 'string' },
      centre: { type: 'string' },
      category: { type: 'string' },
      interval: { type: 'string' },
      keepalive: { type: 'string' },
      'no-hourly': { type: 'boolean' },
      'add-threshold': { type: 'string' },
      'packet-size': { type: 'string' },
      'rain-total': { type: 'string' },
      profile: { type: 'string' },
      'time-zone': { type: 'string' },
      tick: { type: 'string' },
      seed: { type: 'string' },
    },
    usage,
  );
  if (values.address !== undefined && !/^[0-9A-Fa-f]{10}$/.test(values.address)) usageError(`--address needs 10 hex digits, got "${values.address}"`);
  if (values.password !== undefined && !/^[0-9A-Fa-f]{4}$/.test(values.password)) usageError(`--password needs 4 hex digits, got "${values.password}"`);
  const optional = <K extends keyof StationArgs>(key: K, value: StationArgs[K] | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    help: values.help ?? false,
    verbose: values.verbose ?? false,
    hourly: !(values['no-hourly'] ?? false),
    ...optional('host', values.host),
    ...optional('port', wholeNumberOption('port', values.port, 1, 65535)),
    ...optional('address', values.address),
    ...optional('password', values.password),
    ...optional('centre', wholeNumberOption('centre', values.centre, 0, 255)),
    ...optional('category', values.category),
    ...optional('interval', time('interval', values.interval)),
    ...optional('keepAlive', time('keepalive', values.keepalive)),
    ...optional('addThreshold', decimal('add-threshold', values['add-threshold'])),
    ...optional('packetSize', wholeNumberOption('packet-size', values['packet-size'], 1, 4092)),
    ...optional('rainTotal', decimal('rain-total', values['rain-total'])),
    ...optional('profile', values.profile),
    ...optional('timeZone', values['time-zone']),
    ...optional('tick', time('tick', values.tick, 10)),
    ...optional('seed', wholeNumberOption('seed', values.seed, 0, 2 ** 32 - 1)),
  };
}
