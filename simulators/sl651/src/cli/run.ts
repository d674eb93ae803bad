/**
 * `sensegate sim sl651` / `sensegate-sim-sl651`: starts a station that dials the gateway, prints
 * one line saying what it does, reads commands from stdin, and stops on SIGINT/SIGTERM or `quit`.
 */
import { loadSimulation } from '../profile.js';
import { startSl651Station } from '../station.js';
import { parseStationArgs, usage } from './args.js';
import { applyCommand } from './control.js';
import { serveCommands, type CommandStreams } from '@sensegate/sdk/simulate';

export interface CliStreams extends CommandStreams {
  /** Where `--verbose` events go (default stderr). */
  events?: NodeJS.WritableStream;
}

export async function runSimulatorCli(
  argv: string[],
  io: CliStreams = { input: process.stdin, output: process.stdout, events: process.stderr, signals: true },
): Promise<void> {
  const args = parseStationArgs(argv);
  const print = (line: string) => io.output.write(line + '\n');
  if (args.help) {
    print(usage);
    return;
  }
  const values = args.profile ? loadSimulation(args.profile) : {};
  const station = startSl651Station({
    address: args.address ?? '0012345678',
    hourly: args.hourly,
    values,
    ...(args.host !== undefined ? { host: args.host } : {}),
    ...(args.port !== undefined ? { port: args.port } : {}),
    ...(args.password !== undefined ? { password: args.password } : {}),
    ...(args.centre !== undefined ? { centre: args.centre } : {}),
    ...(args.category !== undefined ? { category: args.category } : {}),
    ...(args.interval !== undefined ? { interval: args.interval } : {}),
    ...(args.keepAlive !== undefined ? { keepAlive: args.keepAlive } : {}),
    ...(args.addThreshold !== undefined ? { addThreshold: args.addThreshold } : {}),
    ...(args.packetSize !== undefined ? { packetSize: args.packetSize } : {}),
    ...(args.rainTotal !== undefined ? { rainTotal: args.rainTotal } : {}),
    ...(args.timeZone !== undefined ? { timeZone: args.timeZone } : {}),
    ...(args.tick !== undefined ? { tick: args.tick } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  });
  if (args.verbose) {
    const event = (line: string) => (io.events ?? process.stderr).write(line + '\n');
    station.on('connect', () => event(`connected to ${station.host}:${station.port}`));
    station.on('disconnect', (reason: string) => event(`disconnected: ${reason}`));
    station.on('reply', (r: { functionCode: number; serial?: number; end: number }) =>
      event(`reply to ${r.functionCode.toString(16).toUpperCase()} serial ${r.serial ?? '?'}: end ${r.end.toString(16).padStart(2, '0').toUpperCase()}`),
    );
  }
  const o = station.options;
  const every = (ms: number) => (ms > 0 ? `every ${ms} ms` : 'on demand');

  await serveCommands(io, {
    banner: [
      `sl651 station ${station.address} dialing ${station.host}:${station.port} (centre ${station.centre}, password ${station.password}): ` +
        `timed report ${every(o.interval)}, keep-alive ${every(o.keepAlive)}, hourly ${o.hourly ? 'on' : 'off'}, ` +
        `add report at ${o.addThreshold > 0 ? `${o.addThreshold} mm` : 'never'}; commands on stdin (help)`,
    ],
    apply: (line) => applyCommand(station, line),
    close: () => station.stop(),
  });
}
