/**
 * `sensegate browse <driver> <target>`: runs the driver's `browse` (found through the registry), prints
 * the address space as a tree, and writes a device configuration for the variables chosen, ready to
 * paste into a gateway's file. The driver's option block is the command's flags.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ID_PATTERN, SensegateError, type BrowseNode, type Driver } from '@sensegate/sdk';
import { DriverRegistry } from '../drivers/registry.js';
import { parseOptions } from './args.js';
import { devicesYaml } from './devices-yaml.js';
import { driverFor, driversWith, registryFor, withCliIO } from './driver-cli.js';
import { blockOf, flagRows, helpColumns, optionFields, parseArgsOptions, parseBlock, wrap } from './option-flags.js';

const canBrowse = (d: Driver) => d.browse !== undefined;
const COMMON = ['select', 'out', 'device', 'json', 'data', 'config'];

const COMMON_FLAGS: Array<[string, string]> = [
  ['--select PATTERN', 'choose variables by path, e.g. \'WaterPlant/IntakePumps/*/Speed\' or \'**/Level\'; * matches within one level, ** across levels (repeatable; default: all)'],
  ['--out FILE', 'write the device configuration (YAML) for the chosen variables'],
  ['--device ID', 'device id in that configuration'],
  ['--json', 'print the tree as JSON instead'],
  ['--data DIR', 'the gateway\'s data folder, for drivers that keep state such as certificates'],
  ['--config FILE', 'or: the gateway\'s configuration (its data folder, as `sensegate run` uses it, and the drivers installed beside it); neither: $SENSEGATE_DATA, else .sensegate/default'],
];

export async function browseHelp(registry: DriverRegistry = new DriverRegistry()): Promise<string> {
  const able = await driversWith(registry, canBrowse);
  return `Usage: sensegate browse <driver> <target> [options]

Walks a device's address space with the driver's own browse and prints it: folders and objects, and
each variable with its data type, access (r or rw) and address. With --out, writes a device
configuration with a point per chosen variable. \`sensegate browse <driver> --help\` lists the
driver's options.

Drivers that can browse: ${able.join(', ') || 'none installed'}
(with --config FILE, also the drivers installed beside that configuration)

${helpColumns(COMMON_FLAGS).join('\n')}`;
}

function driverHelp(name: string, driver: Driver): string {
  const browse = driver.browse!;
  const target = optionFields(browse.options).find((f) => f.field === browse.target);
  return `Usage: sensegate browse ${name} <${browse.target}> [options]

${wrap(browse.summary)}

${helpColumns([[`<${browse.target}>`, target?.description ?? ''], ...flagRows(optionFields(browse.options, [browse.target, ...COMMON])), ...COMMON_FLAGS]).join('\n')}`;
}

export async function runBrowse(argv: string[], out: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const registry = registryFor(argv);
  const name = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
  if (name === undefined) {
    if (argv.includes('--help') || argv.includes('-h')) {
      out.write((await browseHelp(registry)) + '\n');
      return 0;
    }
    const able = await driversWith(registry, canBrowse);
    throw new SensegateError('SG_USAGE', `sensegate browse: give a driver and a target: sensegate browse <driver> <target>; drivers that can browse: ${able.join(', ') || 'none'} (see --help)`);
  }
  const found = await driverFor(registry, name, 'sensegate browse', 'can browse', canBrowse);
  const browse = found.driver.browse;
  if (!browse) {
    const able = await driversWith(registry, canBrowse);
    throw new SensegateError(
      'SG_USAGE',
      `sensegate browse: driver "${found.name}" cannot browse a device; drivers that can: ${able.join(', ') || 'none'}. ` +
        `Describe ${found.name} points by hand: \`sensegate drivers ${found.name}\` prints their fields and a sample.`,
    );
  }
  const command = `sensegate browse ${found.name}`;
  const fields = optionFields(browse.options, [browse.target, ...COMMON]);
  const { values, positionals } = parseOptions('browse', argv.slice(1), {
    ...parseArgsOptions(fields),
    select: { type: 'string', multiple: true },
    out: { type: 'string' },
    device: { type: 'string' },
    json: { type: 'boolean' },
    data: { type: 'string' },
    config: { type: 'string' },
  });
  if (values.help) {
    out.write(driverHelp(found.name, found.driver) + '\n');
    return 0;
  }
  const [target, extra] = positionals;
  if (!target) throw new SensegateError('SG_USAGE', `${command}: give the ${browse.target}: sensegate browse ${found.name} <${browse.target}> (see --help)`);
  if (extra !== undefined) throw new SensegateError('SG_USAGE', `${command}: unexpected argument "${extra}" (see --help)`);
  const device = values.device as string | undefined;
  if (device !== undefined && !ID_PATTERN.test(device)) throw new SensegateError('SG_USAGE', `${command}: --device "${device}" is not a valid device id`);
  const options = parseBlock(command, browse.options, { ...blockOf(fields, values), [browse.target]: target }, browse.target);
  const flags = { data: values.data as string | undefined, config: values.config as string | undefined };
  const result = await withCliIO(command, found, { stdout: out, env }, flags, (io) => browse.run(options, io));
  if (values.json) out.write(JSON.stringify(result.nodes, null, 2) + '\n');
  else out.write(renderTree(result.nodes).join('\n') + '\n');
  for (const note of result.notes ?? []) out.write(`(${note})\n`);
  const select = values.select as string[] | undefined;
  const chosen = choose(result.nodes, select ?? []);
  const file = values.out as string | undefined;
  if (file) {
    const deviceId = device ?? result.deviceId ?? 'device';
    const ids = pointIds(chosen);
    const points = chosen.map(({ path, node }, i) => ({ id: ids[i]!, name: path, ...result.point(node), ...(node.writable ? { writable: true } : {}) }));
    const yaml = devicesYaml(
      [`Written by sensegate browse ${found.name} from ${target}: ${chosen.length} variables.`, 'Paste under `devices:` in a gateway configuration; add sinks, check units and sampling.'],
      found.name,
      [{ id: deviceId, connection: result.connection, points }],
    );
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, yaml);
    out.write(`wrote ${chosen.length} point${chosen.length === 1 ? '' : 's'} of device ${deviceId} to ${file}\n`);
  } else if (select) {
    out.write(`${chosen.length} variable${chosen.length === 1 ? '' : 's'} selected; add --out FILE to write their configuration\n`);
  }
  return 0;
}

/** The tree as text: folders end with `/`, variables show type, access and address in columns. */
export function renderTree(nodes: readonly BrowseNode[]): string[] {
  const rows: Array<[string, string, string, string]> = [];
  const walk = (list: readonly BrowseNode[], indent: string) => {
    for (const n of list) {
      if (n.kind === 'variable') rows.push([`${indent}${n.name}`, n.dataType ?? '?', n.writable ? 'rw' : 'r', n.address]);
      else if (n.kind === 'method') rows.push([`${indent}${n.name}()`, 'method', '', n.address]);
      else rows.push([`${indent}${n.name}/`, '', '', n.address]);
      if (n.children) walk(n.children, indent + '  ');
    }
  };
  walk(nodes, '');
  const w0 = Math.min(48, Math.max(...rows.map((r) => r[0].length), 4));
  const w1 = Math.max(...rows.map((r) => r[1].length), 4);
  return rows.map(([a, b, c, d]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padEnd(2)}  ${d}`.trimEnd());
}

/** Every variable under `nodes`, with its path of names (`WaterPlant/Tank1/Level`). */
export function variablesOf(nodes: readonly BrowseNode[], prefix = ''): Array<{ path: string; node: BrowseNode }> {
  const found: Array<{ path: string; node: BrowseNode }> = [];
  for (const n of nodes) {
    const path = prefix ? `${prefix}/${n.name}` : n.name;
    if (n.kind === 'variable') found.push({ path, node: n });
    if (n.children) found.push(...variablesOf(n.children, path));
  }
  return found;
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function choose(nodes: readonly BrowseNode[], patterns: readonly string[]): Array<{ path: string; node: BrowseNode }> {
  const all = variablesOf(nodes);
  if (patterns.length === 0) return all;
  const res = patterns.map(globToRegExp);
  return all.filter((v) => res.some((r) => r.test(v.path)));
}

/** A point id from a variable's path: its segments joined by dots, reduced to the id alphabet, unique. */
function pointIds(chosen: ReadonlyArray<{ path: string }>): string[] {
  const used = new Set<string>();
  return chosen.map(({ path }) => {
    const segments = path.split('/');
    // Leave out the top level when every variable shares it (the plant's own name).
    const base = (segments.length > 1 && chosen.every((c) => c.path.startsWith(`${segments[0]}/`)) ? segments.slice(1) : segments)
      .map((s) => s.replace(/[^A-Za-z0-9_.:-]+/g, '_').replace(/^[_.:-]+/, ''))
      .filter(Boolean)
      .join('.')
      .slice(0, 120) || 'point';
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    return id;
  });
}
