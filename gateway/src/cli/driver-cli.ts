/**
 * What every command that reaches a driver shares: the registry searched from `--config FILE`'s
 * folder and the current folder, the driver found by short name or package name (with an error
 * that lists what exists), and the CliIO a driver's discover, browse and tools run with.
 */
import { resolve } from 'node:path';
import { driverDataDir, gatewayDataDir, SensegateError, type CliIO, type Driver } from '@sensegate/sdk';
import { loadConfigFile } from '../config/load.js';
import { configSearchPath, DriverRegistry, type InstalledDriver } from '../drivers/registry.js';
import { peekFlag } from './option-flags.js';

/** The registry a command uses: `--config FILE`'s folder first, then the current folder. */
export function registryFor(argv: readonly string[]): DriverRegistry {
  const config = peekFlag(argv, 'config');
  return new DriverRegistry(config ? configSearchPath(resolve(config)) : [process.cwd()]);
}

/** Names of the installed drivers that offer something (`discover`), for help and errors. */
export async function driversWith(registry: DriverRegistry, has: (driver: Driver) => boolean): Promise<string[]> {
  const { drivers } = await registry.installed();
  return drivers.filter((d) => has(d.driver)).map((d) => d.name);
}

/**
 * The driver named on the command line. A name that is no installed driver is a usage error that
 * lists the drivers which can do what was asked.
 */
export async function driverFor(registry: DriverRegistry, name: string, command: string, what: string, has: (driver: Driver) => boolean): Promise<InstalledDriver> {
  try {
    return await registry.locate(name);
  } catch (err) {
    if (err instanceof SensegateError && err.code === 'SG_DRIVER_NOT_FOUND') {
      const able = await driversWith(registry, has);
      throw new SensegateError(
        'SG_USAGE',
        `${command}: no driver "${name}" is installed (looked for the package ${DriverRegistry.packageName(name)} in ${registry.searchFrom.join(', ')} and the gateway's own). ` +
          `Drivers that ${what}: ${able.join(', ') || 'none'}. \`sensegate drivers\` lists every installed driver; a vendor's driver is installed with npm beside the configuration (give it with --config FILE).`,
      );
    }
    throw err;
  }
}

/**
 * Runs `run` with the CliIO of a command acting for `found`, `flags` (`--data`, `--config`) being the
 * default for dataDir. The first Ctrl-C aborts `io.signal` (a discovery answers with what arrived so
 * far); a second one stops the process as usual.
 */
export async function withCliIO<T>(
  command: string,
  found: InstalledDriver,
  streams: { stdout: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; env?: NodeJS.ProcessEnv },
  flags: { data?: string | undefined; config?: string | undefined },
  run: (io: CliIO) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const interrupt = () => controller.abort(new SensegateError('SG_USAGE', `${command}: interrupted`));
  process.once('SIGINT', interrupt);
  try {
    return await run(cliIO(command, found, streams, flags, controller.signal));
  } finally {
    process.off('SIGINT', interrupt);
  }
}

function cliIO(
  command: string,
  found: InstalledDriver,
  streams: { stdout: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; env?: NodeJS.ProcessEnv },
  flags: { data?: string | undefined; config?: string | undefined },
  signal: AbortSignal,
): CliIO {
  const env = streams.env ?? process.env;
  return {
    command,
    stdout: streams.stdout,
    stderr: streams.stderr ?? process.stderr,
    env,
    cwd: process.cwd(),
    signal,
    async dataDir(given) {
      const { data, config } = given ?? flags;
      return driverDataDir(await gatewayFolder(data, config, env), found.driver.name);
    },
  };
}

/** A gateway's data folder from `--data` or `--config` (that gateway's id), as `sensegate run` finds it. */
export async function gatewayFolder(data: string | undefined, config: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (data) return resolve(data);
  if (config) {
    const { config: loaded } = await loadConfigFile(config);
    return gatewayDataDir(undefined, loaded.gateway.id, env);
  }
  return gatewayDataDir(undefined, 'default', env);
}
