/**
 * `sensegate sim modbus` / `sensegate-sim-modbus`: starts a simulator from profile paths, prints one
 * line saying what listens where, reads fault commands from stdin, and closes on SIGINT/SIGTERM or `quit`.
 */
import { createInterface } from 'node:readline';
import { SensegateError } from '@sensegate/sdk';
import { loadProfile } from '../profile/load.js';
import { startModbusSimulator, type ModbusSimulator } from '../simulator.js';
import type { SimulatorUnit } from '../unit.js';
import { parseSimulatorArgs, usage } from './args.js';
import { applyCommand, where } from './control.js';

export interface CliStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Close on SIGINT/SIGTERM (default true). */
  signals?: boolean;
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

  await new Promise<void>((resolve) => {
    let closing = false;
    const lines = createInterface({ input: io.input, terminal: false });
    const close = () => {
      if (closing) return;
      closing = true;
      process.off('SIGINT', close);
      process.off('SIGTERM', close);
      lines.close();
      if (io.input === process.stdin) process.stdin.pause();
      void sim.close().then(resolve, resolve);
    };
    if (io.signals !== false) {
      process.once('SIGINT', close);
      process.once('SIGTERM', close);
    }
    // Printed once the signal handlers are in place: whoever waits for this line may stop us right away.
    print(`modbus simulator listening on ${where(sim)}: ${unitText}; tick ${args.tick ?? 100} ms; fault commands on stdin (help)`);
    // Commands run one after another, so `stop` then `start` always apply in that order.
    let queue = Promise.resolve();
    lines.on('line', (line) => {
      if (line.trim() === '' || line.trim().startsWith('#')) return;
      queue = queue.then(async () => {
        if (closing) return;
        if (/^\s*(quit|exit)\s*$/i.test(line)) {
          print('closing');
          return close();
        }
        try {
          print(await applyCommand(sim, line));
        } catch (err) {
          print(`error: ${(err as Error).message}`);
        }
      });
    });
  });
}

export type { ModbusSimulator };
