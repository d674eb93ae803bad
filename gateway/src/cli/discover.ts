/**
 * `sensegate discover <driver> [options]`: runs the driver's `discover` (found through the registry),
 * prints what answered, and writes a `devices:` block for it, ready to paste into a gateway's
 * configuration. The driver's option block is the command's flags; the command knows no protocol.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SensegateError, type DiscoveredDevice, type Driver, type DiscoveryResult } from '@sensegate/sdk';
import { DriverRegistry } from '../drivers/registry.js';
import { parseOptions } from './args.js';
import { devicesYaml } from './devices-yaml.js';
import { driverFor, driversWith, registryFor, withCliIO } from './driver-cli.js';
import { blockOf, flagRows, helpColumns, optionFields, parseArgsOptions, parseBlock, wrap } from './option-flags.js';

const canDiscover = (d: Driver) => d.discover !== undefined;

const COMMON_FLAGS: Array<[string, string]> = [
  ['--out FILE', 'write the devices: block to FILE instead of printing it'],
  ['--json', 'print what answered as JSON instead'],
  ['--data DIR', 'the gateway\'s data folder, for drivers that keep state (default: as `sensegate run` finds it)'],
  ['--config FILE', 'the gateway\'s configuration: its data folder, and the drivers installed beside it'],
];

export async function discoverHelp(registry: DriverRegistry = new DriverRegistry()): Promise<string> {
  const able = await driversWith(registry, canDiscover);
  return `Usage: sensegate discover <driver> [options]

Finds devices on the network with the driver's own discovery, lists those that answer, and prints
(or writes, with --out) a devices: block for them. Each driver has its own options:
\`sensegate discover <driver> --help\` lists them.

Drivers that can discover: ${able.join(', ') || 'none installed'}
(with --config FILE, also the drivers installed beside that configuration)

${helpColumns(COMMON_FLAGS).join('\n')}`;
}

function driverHelp(name: string, driver: Driver): string {
  const discover = driver.discover!;
  return `Usage: sensegate discover ${name} [options]

${wrap(discover.summary)}

${helpColumns([...flagRows(optionFields(discover.options, ['out', 'json', 'data', 'config'])), ...COMMON_FLAGS]).join('\n')}`;
}

export async function runDiscover(argv: string[], out: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const registry = registryFor(argv);
  const name = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
  if (name === undefined) {
    if (argv.includes('--help') || argv.includes('-h')) {
      out.write((await discoverHelp(registry)) + '\n');
      return 0;
    }
    const able = await driversWith(registry, canDiscover);
    throw new SensegateError('SG_USAGE', `sensegate discover: give the protocol's driver: sensegate discover <driver> [options]; drivers that can discover: ${able.join(', ') || 'none'} (see --help)`);
  }
  const found = await driverFor(registry, name, 'sensegate discover', 'can discover', canDiscover);
  const discover = found.driver.discover;
  if (!discover) {
    const able = await driversWith(registry, canDiscover);
    throw new SensegateError(
      'SG_USAGE',
      `sensegate discover: driver "${found.name}" cannot discover devices; drivers that can: ${able.join(', ') || 'none'}. ` +
        `Describe ${found.name} devices by hand: \`sensegate drivers ${found.name}\` prints their fields and a sample.`,
    );
  }
  const fields = optionFields(discover.options, ['out', 'json', 'data', 'config']);
  const { values, positionals } = parseOptions('discover', argv.slice(1), {
    ...parseArgsOptions(fields),
    out: { type: 'string' },
    json: { type: 'boolean' },
    data: { type: 'string' },
    config: { type: 'string' },
  });
  if (values.help) {
    out.write(driverHelp(found.name, found.driver) + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new SensegateError('SG_USAGE', `sensegate discover ${found.name}: unexpected argument "${positionals[0]}" (see --help)`);
  const given = blockOf(fields, values);
  const options = parseBlock(`sensegate discover ${found.name}`, discover.options, given);
  const flags = { data: values.data as string | undefined, config: values.config as string | undefined };

  let result: DiscoveryResult;
  try {
    result = await withCliIO(`sensegate discover ${found.name}`, found, { stdout: out, env }, flags, (io) => discover.run(options, io));
  } catch (err) {
    // Options the driver refuses after the schema (a range too large) are a usage problem of this command.
    if (err instanceof SensegateError && err.code === 'SG_CONFIG_INVALID') throw new SensegateError('SG_USAGE', `sensegate discover ${found.name}: ${err.message}`);
    throw err;
  }
  const { devices } = result;
  const [one, many] = result.noun ?? ['device', 'devices'];
  if (values.json) {
    out.write(JSON.stringify(devices, null, 2) + '\n');
  } else if (devices.length === 0) {
    out.write(`${result.nothingFound ?? `no ${one} answered`}\n`);
  } else {
    out.write(columns(result.table ?? defaultTable(devices)).join('\n') + '\n\n');
  }
  if (devices.length === 0) return 0;
  const asked = fields
    .filter((f) => given[f.field] !== undefined && f.type !== 'boolean')
    .flatMap((f) => [given[f.field]].flat().map((v) => ` --${f.flag} ${String(v)}`))
    .join('');
  const snippet = devicesYaml(
    [
      `Written by sensegate discover ${found.name}${asked}: ${devices.length} ${devices.length === 1 ? one : many}.`,
      `Paste under \`devices:\` in a gateway configuration${result.notes?.length ? `; ${result.notes.join('; ')}` : ''}.`,
    ],
    found.name,
    devices,
  );
  if (values.out) {
    const file = values.out as string;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, snippet);
    out.write(`wrote ${devices.length} ${devices.length === 1 ? one : many} to ${file}\n`);
  } else if (!values.json) {
    out.write(snippet);
  }
  return 0;
}

function defaultTable(devices: readonly DiscoveredDevice[]) {
  return { columns: ['ID', 'NAME', 'CONNECTION'], rows: devices.map((d) => [d.id, d.name ?? '', JSON.stringify(d.connection)]) };
}

/** A table in columns, each as wide as its widest cell. */
export function columns(table: { columns: readonly string[]; rows: ReadonlyArray<readonly string[]> }): string[] {
  const rows = [table.columns, ...table.rows];
  const widths = table.columns.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => table.columns.map((_, col) => (r[col] ?? '').padEnd(widths[col]!)).join('  ').trimEnd());
}
