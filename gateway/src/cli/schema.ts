/**
 * `sensegate schema`: the JSON Schema of the configuration file, for editors and tooling. It includes
 * the connection and point schemas of the third-party drivers installed beside --config FILE or in
 * the current folder, so an editor checks their devices as it checks the built-ins'.
 */
import { configJsonSchema } from '../config/json-schema.js';
import { SinkRegistry } from '../sinks/registry.js';
import { parseOptions } from './args.js';
import { registryFor } from './driver-cli.js';

export const schemaHelp = `Usage: sensegate schema [--config FILE]

Prints the JSON Schema (draft 2020-12) of the configuration file. Point your editor at it, e.g. with
"# yaml-language-server: $schema=<file>" at the top of the YAML file. Devices of the third-party
drivers installed beside --config FILE (or in the current folder's node_modules) are checked against
those drivers' own schemas.

  --config FILE   a configuration whose folder's node_modules holds its vendors' drivers`;

export async function runSchema(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values } = parseOptions('schema', argv, { config: { type: 'string' } });
  if (values.help) {
    out.write(schemaHelp + '\n');
    return 0;
  }
  const { drivers, broken } = await registryFor(argv).installed();
  for (const b of broken) err.write(`sensegate schema: left out ${b.package}: ${b.error.code}: ${b.error.message}\n`);
  const builtins = drivers.filter((d) => d.builtin).map((d) => d.driver);
  const installed = drivers.filter((d) => !d.builtin).map((d) => ({ package: d.package, driver: d.driver }));
  const sinks = await new SinkRegistry().builtins();
  out.write(JSON.stringify(configJsonSchema(builtins, sinks, installed), null, 2) + '\n');
  return 0;
}
