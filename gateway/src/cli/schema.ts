/** `sensegate schema`: the JSON Schema of the configuration file, for editors and tooling. */
import { configJsonSchema } from '../config/json-schema.js';
import { BUILTIN_DRIVERS, DriverRegistry } from '../drivers/registry.js';
import { SinkRegistry } from '../sinks/registry.js';
import { parseOptions } from './args.js';

export const schemaHelp = `Usage: sensegate schema

Prints the JSON Schema (draft 2020-12) of the configuration file. Point your editor at it, e.g. with
"# yaml-language-server: $schema=<file>" at the top of the YAML file.`;

export async function runSchema(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseOptions('schema', argv, {});
  if (values.help) {
    out.write(schemaHelp + '\n');
    return 0;
  }
  const registry = new DriverRegistry();
  const drivers = await Promise.all(Object.keys(BUILTIN_DRIVERS).map((name) => registry.load(name)));
  const sinks = await new SinkRegistry().builtins();
  out.write(JSON.stringify(configJsonSchema(drivers, sinks), null, 2) + '\n');
  return 0;
}
