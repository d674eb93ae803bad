/** The `sensegate` command: dispatches to one module per command. */
import { SensegateError, toSensegateError } from '@sensegate/sdk';
import { VERSION } from '../version.js';
import { demoHelp, runDemo } from './demo.js';
import { planHelp, runPlan } from './plan.js';
import { runHelp, runRun } from './run.js';
import { runSchema, schemaHelp } from './schema.js';
import { runSim, simHelp } from './sim.js';
import { runTail, tailHelp } from './tail.js';
import { runValidate, validateHelp } from './validate.js';

type Command = { run: (argv: string[]) => Promise<number>; summary: string; help: string };

export const COMMANDS: Record<string, Command> = {
  run: { run: runRun, summary: 'run the gateway described by a configuration file', help: runHelp },
  validate: { run: (a) => runValidate(a), summary: 'check a configuration file and list every problem', help: validateHelp },
  plan: { run: (a) => runPlan(a), summary: 'print how each device will be read, request by request', help: planHelp },
  demo: { run: (a) => runDemo(a), summary: 'run a simulated site with an embedded broker, no setup', help: demoHelp },
  sim: { run: runSim, summary: 'run a protocol simulator (sim modbus --profile water-sonde)', help: simHelp },
  tail: { run: (a) => runTail(a), summary: 'print the feed a broker receives, one reading per line', help: tailHelp },
  schema: { run: (a) => runSchema(a), summary: 'print the JSON Schema of the configuration file', help: schemaHelp },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `sensegate ${VERSION}: edge gateway for city monitoring networks`,
    '',
    'Usage: sensegate <command> [options]   (sensegate <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Docs: README.md and docs/ in the sensegate repository.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`sensegate: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const e = toSensegateError(err);
    process.stderr.write(`sensegate ${name}: ${e instanceof SensegateError && e.code !== 'SG_DRIVER_FAILURE' ? `${e.code}: ` : ''}${e.message}\n`);
    return e.code === 'SG_USAGE' ? 2 : 1;
  }
}
