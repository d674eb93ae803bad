/**
 * `sensegate sim modbus` / `sensegate-sim-modbus`: starts a simulator from profile paths, prints one
 * line saying what listens where, reads fault commands from stdin, and closes on SIGINT/SIGTERM or `quit`.
 */
import { SensegateError } from '@sensegate/sdk';
import { loadProfile } from '../profile/load.js';
import { startModbusSimulator, type ModbusSimulator } from '../simulator.js';
import type { SimulatorUnit } from '../unit.js';
import { parseSimulatorArgs, usage } from './args.js';
import { applyCommand, where } from './control.js';
import { serveCommands, type CommandStreams } from '@sensegate/sdk/simulate';

/** Where the CLI reads commands and writes answers, and whether it closes on SIGINT/SIGTERM. */
export type CliStreams = CommandStreams;

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

  const units: SimulatorUnit[] = [];
  const used = new Set(args.profiles.map((p) => p.unit).filter((u) => u !== undefined));
  let next = 1;
  for (const p of args.profiles) {
    let unitId = p.unit;
    if (unitId === undefined) {
      while (used.has(next)) next++;
      unitId = next;
      used.add(unitId);
    }
    if (units.some((u) => u.unitId === unitId)) throw new SensegateError('SG_USAGE', `unit ${unitId} is given twice`);
    units.push(p.path ? { unitId, profile: loadProfile(p.path) } : { unitId });
  }
  if (units.length === 0) units.push({ unitId: 1 });

  const sim = await startModbusSimulator({
    units,
    ...(args.host !== undefined ? { host: args.host } : {}),
    ...(args.port !== undefined ? { port: args.port } : {}),
    ...(args.framing !== undefined ? { framing: args.framing } : {}),
    ...(args.serial !== undefined ? { serialPath: args.serial } : {}),
    ...(args.baud !== undefined ? { baudRate: args.baud } : {}),
    ...(args.tick !== undefined ? { tick: args.tick } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  });
  const unitText = units
    .map((u) => `unit ${u.unitId} ${u.profile?.name ?? 'blank'} (${sim.points(u.unitId).length} points)`)
    .join(', ');

  await serveCommands(io, {
    banner: [`modbus simulator listening on ${where(sim)}: ${unitText}; tick ${args.tick ?? 100} ms; fault commands on stdin (help)`],
    apply: (line) => applyCommand(sim, line),
    close: () => sim.close(),
  });
}

export type { ModbusSimulator };
