/**
 * The `sensegate` command: dispatches to one module per command. Modules load on demand, so `run`
 * does not carry what only `sim` or a distribution's own commands (`demo`, `tail`) need. The
 * distribution that runs it adds its commands (`main(argv, { demo })`) and installs the built-in
 * plug-ins' table first (plugins/builtins.ts); the core names no protocol. A first
 * word that is no command but names an installed driver runs one of that driver's tools
 * (`sensegate opcua certs`), found through the driver registry.
 */
import { SensegateError, toSensegateError } from '@sensegate/sdk';
import { VERSION } from '../version.js';

export type Run = (argv: string[]) => Promise<number>;
/** A command: its one-line summary for the usage, and its module, loaded only when it runs. */
export type Command = { summary: string; load: () => Promise<Run> };

export const COMMANDS: Record<string, Command> = {
  run: { summary: 'run the gateway described by a configuration file', load: async () => (await import('./run.js')).runRun },
  validate: { summary: 'check a configuration file and list every problem', load: async () => (await import('./validate.js')).runValidate },
  plan: { summary: 'print how each device will be read, request by request', load: async () => (await import('./plan.js')).runPlan },
  sim: { summary: 'run a driver\'s simulator (sim modbus --profile water-sonde)', load: async () => (await import('./sim.js')).runSim },
  browse: { summary: 'walk a device\'s address space and write its configuration (browse opcua URL)', load: async () => (await import('./browse.js')).runBrowse },
  discover: { summary: 'find devices on the network and write their configuration (discover onvif)', load: async () => (await import('./discover.js')).runDiscover },
  drivers: { summary: 'list the installed drivers, or one driver\'s fields, commands and a sample (drivers opcua)', load: async () => (await import('./drivers.js')).runDrivers },
  'dead-letters': { summary: 'list the entries a sink\'s endpoint refused for good', load: async () => (await import('./dead-letters.js')).runDeadLetters },
  users: { summary: 'add, remove and list who may use the HTTP API and console; create API tokens (users add NAME --role admin)', load: async () => (await import('./users.js')).runUsers },
  schema: { summary: 'print the JSON Schema of the configuration file', load: async () => (await import('./schema.js')).runSchema },
  new: { summary: 'write a driver package to start from, with its simulator and tests (new driver NAME)', load: async () => (await import('./new.js')).runNew },
};

export function usage(commands: Record<string, Command> = COMMANDS): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    `sensegate ${VERSION}: edge gateway for city monitoring networks`,
    '',
    'Usage: sensegate <command> [options]   (sensegate <command> --help for its options)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'A driver\'s own tools: sensegate <driver> <tool>, e.g. sensegate opcua certs (sensegate drivers lists them).',
    '',
    'Docs: README.md and docs/ in the sensegate repository.',
  ].join('\n');
}

/** Runs the command line `argv`; `extra` adds a distribution's own commands to the core's. */
export async function main(argv: string[], extra: Record<string, Command> = {}): Promise<number> {
  const commands = { ...COMMANDS, ...extra };
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage(commands) + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  try {
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (command) {
      const run = await command.load();
      return await run(rest);
    }
    if (!(await isDriver(name, rest))) {
      process.stderr.write(`sensegate: unknown command "${name}"\n\n${usage(commands)}\n`);
      return 2;
    }
    const { runDriverTool } = await import('./tool.js');
    return await runDriverTool(argv);
  } catch (err) {
    const e = toSensegateError(err);
    // Messages made for any caller may already name the command (`sensegate browse opcua: `); say it once.
    const named = new RegExp(`^(sensegate ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^:]*): `).exec(e.message);
    const where = named ? named[1] : `sensegate ${name}`;
    const message = named ? e.message.slice(named[0].length) : e.message;
    process.stderr.write(`${where}: ${e instanceof SensegateError && e.code !== 'SG_DRIVER_FAILURE' ? `${e.code}: ` : ''}${message}\n`);
    return e.code === 'SG_USAGE' ? 2 : 1;
  }
}

/** Whether `name` is an installed driver (a built-in's short name, or a package with a driver in it). */
async function isDriver(name: string, argv: string[]): Promise<boolean> {
  const { registryFor } = await import('./driver-cli.js');
  try {
    await registryFor(argv).locate(name);
    return true;
  } catch (err) {
    if (err instanceof SensegateError && err.code === 'SG_DRIVER_NOT_FOUND') return false;
    throw err;
  }
}
