/**
 * `sensegate sim <driver> ...`: runs the simulator package the driver names in its definition
 * (`simulator`), resolved from the driver package's folder, so a vendor's simulator is found as ours
 * are. Profile names (`--profile water-sonde`) are resolved to the files the driver ships, so a
 * simulator and a gateway device read the very same point definitions.
 */
import { SensegateError } from '@sensegate/sdk';
import { profilePath } from '../config/load.js';
import type { InstalledDriver } from '../drivers/registry.js';
import { driverFor, driversWith, registryFor } from './driver-cli.js';

export async function simHelp(): Promise<string> {
  const able = await driversWith(registryFor([]), (d) => d.simulator !== undefined);
  return `Usage: sensegate sim <driver> [options]

Runs the simulator of a driver: ${able.join(', ') || 'none installed'} (and of a vendor's driver installed in
the current folder's node_modules, by its package name). \`sensegate sim <driver> --help\` for its options.
Example: sensegate sim modbus --port 5020 --profile water-sonde`;
}

export async function runSim(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write((await simHelp()) + '\n');
    return name ? 0 : 2;
  }
  // The simulator's arguments are its own: a vendor's simulator is found from the current folder.
  const registry = registryFor([]);
  const hasSimulator = (d: { simulator?: string | undefined }) => d.simulator !== undefined;
  const found = await driverFor(registry, name, 'sensegate sim', 'have a simulator', hasSimulator);
  if (!found.driver.simulator) {
    const able = await driversWith(registry, hasSimulator);
    throw new SensegateError('SG_USAGE', `sensegate sim: driver "${found.name}" names no simulator; drivers that have one: ${able.join(', ') || 'none'}`);
  }
  const sim = await registry.simulator(found);
  await sim.runSimulatorCli(resolveProfiles(found, rest));
  return 0;
}

function resolveProfiles(found: InstalledDriver, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--profile' && i + 1 < argv.length) {
      out.push(arg, profilePath(argv[++i]!, found.driver, process.cwd()) ?? argv[i]!);
    } else if (arg.startsWith('--profile=')) {
      out.push(`--profile=${profilePath(arg.slice('--profile='.length), found.driver, process.cwd()) ?? arg}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}
