/**
 * `sensegate sim <protocol> ...`: runs the protocol's simulator package (`@sensegate/sim-<protocol>`).
 * Profile names (`--profile water-sonde`) are resolved to the files the protocol's driver ships, so a
 * simulator and a gateway device read the very same point definitions.
 */
import { SensegateError } from '@sensegate/sdk';
import { profilePath } from '../config/load.js';
import { DriverRegistry } from '../drivers/registry.js';

export const SIMULATORS: Readonly<Record<string, string>> = {
  modbus: '@sensegate/sim-modbus',
  hj212: '@sensegate/sim-hj212',
  sl651: '@sensegate/sim-sl651',
  opcua: '@sensegate/sim-opcua',
  onvif: '@sensegate/sim-onvif',
};

export const simHelp = `Usage: sensegate sim <protocol> [options]

Protocols: ${Object.keys(SIMULATORS).join(', ')}. Run \`sensegate sim <protocol> --help\` for its options.
Example: sensegate sim modbus --port 5020 --profile water-sonde`;

interface SimulatorModule {
  runSimulatorCli(argv: string[]): Promise<void>;
}

export async function runSim(argv: string[]): Promise<number> {
  const [protocol, ...rest] = argv;
  if (!protocol || protocol === '--help' || protocol === '-h') {
    process.stdout.write(simHelp + '\n');
    return protocol ? 0 : 2;
  }
  const pkg = SIMULATORS[protocol];
  if (!pkg) throw new SensegateError('SG_USAGE', `sensegate sim: no simulator for "${protocol}" (have: ${Object.keys(SIMULATORS).join(', ')})`);
  const args = await resolveProfiles(protocol, rest);
  const sim = (await import(pkg)) as SimulatorModule;
  await sim.runSimulatorCli(args);
  return 0;
}

async function resolveProfiles(protocol: string, argv: string[]): Promise<string[]> {
  // Only simulators that take profiles need their driver (and not every simulator has one).
  if (!argv.some((a) => a === '--profile' || a.startsWith('--profile='))) return argv;
  const driver = await new DriverRegistry().load(protocol);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--profile' && i + 1 < argv.length) {
      out.push(arg, profilePath(argv[++i]!, driver, process.cwd()) ?? argv[i]!);
    } else if (arg.startsWith('--profile=')) {
      out.push(`--profile=${profilePath(arg.slice('--profile='.length), driver, process.cwd()) ?? arg}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}
