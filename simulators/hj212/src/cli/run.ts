/**
 * `sensegate sim hj212` / `sensegate-sim-hj212`: starts one station (or `--count` of them) dialing
 * the platform, prints what it does, reads fault commands from stdin, and closes on SIGINT/SIGTERM
 * or `quit`.
 */
import { STATION_ST } from '../model/stations.js';
import { defaultMnPrefix, groupMn } from '../options.js';
import { startHj212Station, type Hj212Station, type StationEvent, type StationOptions } from '../station.js';
import { startHj212Stations } from '../stations.js';
import { parseSimulatorArgs, usage, type SimulatorArgs, type StartFault } from './args.js';
import { applyCommand, statusLine } from './control.js';
import { serveCommands, type CommandStreams } from '@sensegate/sdk/simulate';

/** Where the CLI reads commands and writes answers, and whether it closes on SIGINT/SIGTERM. */
export type CliStreams = CommandStreams;

const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

function describeEvent(e: StationEvent): string {
  switch (e.type) {
    case 'connected':
      return `${e.mn} connected`;
    case 'disconnected':
      return `${e.mn} disconnected (${e.reason}); reconnecting in ${e.retryIn} ms`;
    case 'connect-failed':
      return `${e.mn} cannot connect (${e.reason}); retrying in ${e.retryIn} ms`;
    case 'sent':
      return `${e.mn} sent ${e.cn} ${e.kind} DataTime=${e.dataTime} QN=${e.qn}`;
    case 'resent':
      return `${e.mn} resent QN=${e.qn} (no 9014 yet; attempt ${e.attempt})`;
    case 'ack':
      return `${e.mn} got 9014 for QN=${e.qn}`;
    case 'command':
      return `${e.mn} command ${e.detail}${e.qn ? ` QN=${e.qn}` : ''}`;
    case 'bad-frame':
      return `${e.mn} bad frame from the platform: ${e.reason}: ${e.excerpt}`;
  }
}

/** Events worth a line even with --quiet. */
const isTrouble = (e: StationEvent) => e.type === 'bad-frame';

function applyStartFault(s: Hj212Station, f: StartFault): void {
  switch (f.name) {
    case 'silence':
      s.faults.silence(true);
      return;
    case 'reconnect-storm':
      s.faults.reconnectStorm(f.count);
      return;
    case 'bad-crc':
      s.faults.badCrc(f.count);
      return;
    case 'wrong-password':
      s.faults.wrongPassword(f.count);
      return;
    case 'split':
      s.faults.split(f.count);
      return;
    case 'concat':
      s.faults.concatenate(f.count);
      return;
    case 'garbage':
      s.faults.garbage(f.count);
      return;
    case 'one-byte':
      s.faults.oneByteAtATime(f.count);
      return;
    case 'refuse':
      s.faults.refuseCommands(f.count);
      return;
    case 'fail':
      s.faults.failCommands(f.count);
      return;
  }
}

function stationOptions(args: SimulatorArgs): Omit<StationOptions, 'mn'> {
  return {
    port: args.port,
    kind: args.kind,
    hourly: args.hourly,
    daily: args.daily,
    ack: args.ack,
    ...(Object.keys(args.flags).length ? { flags: args.flags } : {}),
    ...(args.host !== undefined ? { host: args.host } : {}),
    ...(args.password !== undefined ? { password: args.password } : {}),
    ...(args.st !== undefined ? { st: args.st } : {}),
    ...(args.realtimeInterval !== undefined ? { realtimeInterval: args.realtimeInterval } : {}),
    ...(args.minuteInterval !== undefined ? { minuteInterval: args.minuteInterval } : {}),
    ...(args.ackTimeout !== undefined ? { ackTimeout: args.ackTimeout } : {}),
    ...(args.ackRetries !== undefined ? { ackRetries: args.ackRetries } : {}),
    ...(args.timeZone !== undefined ? { timeZone: args.timeZone } : {}),
    ...(args.timeScale !== undefined ? { timeScale: args.timeScale } : {}),
    ...(args.startTime !== undefined ? { startTime: args.startTime } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  };
}

export async function runSimulatorCli(
  argv: string[],
  io: CliStreams = { input: process.stdin, output: process.stdout, signals: true },
): Promise<void> {
  const args = parseSimulatorArgs(argv);
  const print = (line: string) => io.output.write(line + '\n');
  if (args.help) {
    print(usage);
    return;
  }

  const count = args.count ?? 1;
  const prefix = args.mnPrefix ?? defaultMnPrefix(args.kind);
  // One station prints everything it does; a crowd prints a status line now and then.
  const onEvent = (e: StationEvent) => {
    if (count === 1 ? !args.quiet || isTrouble(e) : isTrouble(e)) print(describeEvent(e));
  };
  const base = { ...stationOptions(args), onEvent };
  let stations: readonly Hj212Station[];
  let close: () => Promise<void>;
  if (count === 1) {
    const station = await startHj212Station({ ...base, mn: args.mn ?? groupMn(prefix, 1) });
    stations = [station];
    close = () => station.close();
  } else {
    const group = await startHj212Stations({ ...base, count, mnPrefix: prefix });
    stations = group.stations;
    close = () => group.close();
  }
  for (const f of args.faults) for (const s of stations) applyStartFault(s, f);

  const first = stations[0]!;
  const who = count === 1 ? `station ${first.mn}` : `${count} stations ${first.mn}..${stations[count - 1]!.mn}`;
  const st = args.st ?? STATION_ST[args.kind];
  const schedule = [
    `real-time ${seconds(first.realtimeInterval)}`,
    `minute ${seconds(first.minuteInterval)}`,
    ...(args.hourly ? ['hour'] : []),
    ...(args.daily ? ['day'] : []),
  ].join(', ');
  const timeScale = args.timeScale && args.timeScale !== 1 ? `; time x${args.timeScale}` : '';

  const report = count > 1 ? setInterval(() => print(statusLine(stations)), args.report) : undefined;
  await serveCommands(io, {
    banner: [
      `hj212 ${who} (${args.kind}, ST=${st}, ${first.parameters.length} parameters) dialing ${args.host ?? '127.0.0.1'}:${args.port}: ` +
        `${schedule}; Flag=${args.ack ? '5 (ack)' : '4'}${timeScale}; faults: ${first.faults.describe()}; commands on stdin (help)`,
    ],
    apply: (line) => applyCommand(stations, line),
    close: () => {
      if (report) clearInterval(report);
      return close();
    },
  });
}
