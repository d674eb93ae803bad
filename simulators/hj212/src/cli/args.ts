/** Command-line options of the HJ 212 station simulator. */
import { parseDuration } from '@sensegate/sdk';
import { parseSimulatorOptions, usageError, wholeNumberOption } from '@sensegate/sdk/simulate';
import { COMMAND_FAULTS, FRAME_FAULTS, type CountedFault } from '../wire/faults.js';

export const usage = `Usage: sensegate sim hj212 [options]      (or: sensegate-sim-hj212 [options])

Simulates HJ 212-2017 monitoring stations that dial a platform (the sensegate gateway) over TCP and
send real-time (2011), minute (2051), hour (2061) and daily (2031) data; answers commands 1011/1012
(time), 1061/1062 (real-time interval), 1063/1064 (minute interval), 1072 (password).

  --host H                 platform address (default 127.0.0.1)
  --port N                 platform port (default 6000)
  --kind air|water         air quality (ST 22) or surface water (ST 21) station (default air)
  --mn MN                  station MN (default SGSIMAIR0000000000000001 / SGSIMWATER00000000000001)
  --password PW            access password (default 123456)
  --st NN                  system code (default 22 for air, 21 for water)
  --realtime DURATION      real-time interval, e.g. 30s (default 30s; a bare number is seconds)
  --minute DURATION        minute-data period, whole minutes dividing an hour (default 10m)
  --no-hourly              no hour data
  --daily                  also send daily data at local midnight
  --ack                    ask for acknowledgement (Flag=5), count 9014s, resend what is not acknowledged
  --ack-timeout DURATION   wait this long for a 9014 before resending (default 5s)
  --ack-retries N          resends before giving up on a frame (default 3)
  --count N                run N stations, each with its own connection (MN: --mn-prefix + number)
  --mn-prefix P            MN prefix with --count (default SGSIMAIR / SGSIMWATER)
  --time-zone TZ           zone of DataTime and QN (default Asia/Shanghai)
  --time-scale X           station time runs X times faster (600: an hour of data in 6 s)
  --start TIME             station clock at start, ISO 8601 (default now)
  --seed N                 seed of the random walks (same seed, same values)
  --flag CODE=F            send data flag F (N F M S D C T B) with a parameter; repeatable
  --fault NAME[=N]         a fault from the start; repeatable. Without =N it spoils every frame (or
                           command); with =N the first N. Names: ${[...FRAME_FAULTS, ...COMMAND_FAULTS].join(', ')},
                           silence, reconnect-storm[=N]
  --quiet                  print only the start line and errors (status every --report with --count)
  --report DURATION        with --count, print a status line this often (default 10s)

Commands on stdin while it runs (one per line; apply to every station, or to one with mn=MN):
  bad-crc [N] | wrong-password [N] | split [N] | concat [N] [frames=K] | garbage [N] [bytes=B] |
  one-byte [N] | refuse [N] | fail [N]       spoil the next N frames/commands (default 1; N=every: until clear)
  silence on|off | drop | storm [N] | clear
  send realtime|minute|hour|day | flag CODE F | set CODE VALUE | release CODE | status | help | quit`;

export interface StartFault {
  name: CountedFault | 'silence' | 'reconnect-storm';
  count: number;
}

export interface SimulatorArgs {
  help: boolean;
  host?: string;
  port: number;
  kind: 'air' | 'water';
  mn?: string;
  password?: string;
  st?: string;
  realtimeInterval?: number;
  minuteInterval?: number;
  hourly: boolean;
  daily: boolean;
  ack: boolean;
  ackTimeout?: number;
  ackRetries?: number;
  count?: number;
  mnPrefix?: string;
  timeZone?: string;
  timeScale?: number;
  startTime?: string;
  seed?: number;
  flags: Record<string, string>;
  faults: StartFault[];
  quiet: boolean;
  report: number;
}

function durationOf(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(/^\d+$/.test(text) ? `${text}s` : text);
  if (ms === undefined || ms <= 0) usageError(`--${name} needs a duration such as 500ms, 30s, 10m or 1h, got "${text}"`);
  return ms;
}

const FAULT_NAMES = [...FRAME_FAULTS, ...COMMAND_FAULTS, 'silence', 'reconnect-storm'] as const;

function faultOf(text: string): StartFault {
  const [name, countText] = text.split('=', 2) as [string, string | undefined];
  if (!(FAULT_NAMES as readonly string[]).includes(name)) usageError(`--fault ${name}: unknown fault (faults: ${FAULT_NAMES.join(', ')})`);
  const fallback = name === 'reconnect-storm' ? 5 : Infinity;
  const count = countText === undefined ? fallback : wholeNumberOption(`fault ${name}=`, countText, 1, 1_000_000)!;
  return { name: name as StartFault['name'], count };
}

export function parseSimulatorArgs(argv: string[]): SimulatorArgs {
  const { values } = parseSimulatorOptions(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' },
      port: { type: 'string' },
      kind: { type: 'string' },
      mn: { type: 'string' },
      password: { type: 'string' },
      st: { type: 'string' },
      realtime: { type: 'string' },
      minute: { type: 'string' },
      'no-hourly': { type: 'boolean' },
      daily: { type: 'boolean' },
      ack: { type: 'boolean' },
      'ack-timeout': { type: 'string' },
      'ack-retries': { type: 'string' },
      count: { type: 'string' },
      'mn-prefix': { type: 'string' },
      'time-zone': { type: 'string' },
      'time-scale': { type: 'string' },
      start: { type: 'string' },
      seed: { type: 'string' },
      flag: { type: 'string', multiple: true },
      fault: { type: 'string', multiple: true },
      quiet: { type: 'boolean' },
      report: { type: 'string' },
    },
    usage,
  );
  const kind = values.kind ?? 'air';
  if (kind !== 'air' && kind !== 'water') usageError(`--kind must be air or water, got "${kind}"`);
  const count = wholeNumberOption('count', values.count, 1, 100_000);
  if (values.mn !== undefined && count !== undefined && count > 1) usageError('--mn names one station; with --count use --mn-prefix');
  let timeScale: number | undefined;
  if (values['time-scale'] !== undefined) {
    timeScale = Number(values['time-scale']);
    if (!Number.isFinite(timeScale) || timeScale <= 0) usageError(`--time-scale needs a positive number, got "${values['time-scale']}"`);
  }
  const flags: Record<string, string> = {};
  for (const f of values.flag ?? []) {
    const m = /^([A-Za-z0-9]+)=([A-Za-z])$/.exec(f);
    if (!m) usageError(`--flag needs CODE=F, e.g. a34004=M, got "${f}"`);
    flags[m[1]!] = m[2]!;
  }
  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    help: values.help ?? false,
    port: wholeNumberOption('port', values.port, 1, 65535) ?? 6000,
    kind,
    hourly: !values['no-hourly'],
    daily: values.daily ?? false,
    ack: values.ack ?? false,
    flags,
    faults: (values.fault ?? []).map(faultOf),
    quiet: values.quiet ?? false,
    report: durationOf('report', values.report) ?? 10_000,
    ...optional('host', values.host),
    ...optional('mn', values.mn),
    ...optional('password', values.password),
    ...optional('st', values.st),
    ...optional('realtimeInterval', durationOf('realtime', values.realtime)),
    ...optional('minuteInterval', durationOf('minute', values.minute)),
    ...optional('ackTimeout', durationOf('ack-timeout', values['ack-timeout'])),
    ...optional('ackRetries', wholeNumberOption('ack-retries', values['ack-retries'], 0, 10)),
    ...optional('count', count),
    ...optional('mnPrefix', values['mn-prefix']),
    ...optional('timeZone', values['time-zone']),
    ...optional('timeScale', timeScale),
    ...optional('startTime', values.start),
    ...optional('seed', wholeNumberOption('seed', values.seed, 0, 2 ** 32 - 1)),
  };
}
