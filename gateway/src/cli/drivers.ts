/**
 * `sensegate drivers [name]`: the drivers this gateway can load (built in, and installed beside the
 * configuration or in the current folder), and one driver's usage: its connection and point fields
 * with types, defaults and descriptions, its commands, what it adds to the command line, and a
 * sample device block. All of it is read from the driver's definition, so it cannot drift from it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flagOf, jsonSchemaOf, type Driver } from '@sensegate/sdk';
import type { z } from 'zod';
import type { InstalledDriver } from '../drivers/registry.js';
import { parseOptions } from './args.js';
import { driverFor, registryFor } from './driver-cli.js';
import { wrap } from './option-flags.js';

export const driversHelp = `Usage: sensegate drivers [<driver>] [--config FILE] [--json]

Without a driver: lists the drivers installed (built in, and the packages with the
"sensegate-driver" keyword in node_modules beside --config FILE or in the current folder) with their
version, driver contract, description, commands, tools, simulator and discover/browse support.
With a driver (its name or package name): its connection and point fields (names, types, defaults,
descriptions), its commands with their arguments, and a sample device block.

  --config FILE   also list the drivers installed beside this configuration
  --json          print as JSON`;

type Json = { type?: string | string[]; description?: string; default?: unknown; enum?: unknown[]; const?: unknown; anyOf?: Json[]; oneOf?: Json[]; properties?: Record<string, Json>; required?: string[]; items?: Json };

export async function runDrivers(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseOptions('drivers', argv, { config: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) {
    out.write(driversHelp + '\n');
    return 0;
  }
  const registry = registryFor(argv);
  const [name] = positionals;
  if (name !== undefined) {
    const found = await driverFor(registry, name, 'sensegate drivers', 'are installed', () => true);
    const usage = await usageOf(found);
    out.write(values.json ? JSON.stringify(usage, null, 2) + '\n' : renderUsage(found, usage));
    return 0;
  }
  const { drivers, broken } = await registry.installed();
  if (values.json) {
    out.write(JSON.stringify({ drivers: drivers.map(summaryOf), broken: broken.map((b) => ({ package: b.package, code: b.error.code, error: b.error.message })) }, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [];
  for (const d of drivers) {
    const s = summaryOf(d);
    lines.push(`${s.name}  ${s.version}  (${s.package}, ${s.builtin ? 'built in' : 'installed'}, driver contract ${s.contract})`, wrap(s.description, 98).replace(/^/gm, '  '));
    if (s.commands.length) lines.push(`  commands:  ${s.commands.join(', ')}`);
    if (s.discover) lines.push(`  discover:  sensegate discover ${s.name}`);
    if (s.browse) lines.push(`  browse:    sensegate browse ${s.name} <${s.browse}>`);
    if (s.tools.length) lines.push(`  tools:     ${s.tools.map((t) => `sensegate ${s.name} ${t}`).join(', ')}`);
    if (s.simulator) lines.push(`  simulator: sensegate sim ${s.name}  (${s.simulator})`);
    lines.push('');
  }
  for (const b of broken) lines.push(`${b.package}: cannot be loaded: ${b.error.code}: ${b.error.message}`, '');
  lines.push('`sensegate drivers <driver>` prints a driver\'s fields, commands and a sample device.');
  out.write(lines.join('\n') + '\n');
  return broken.length ? 1 : 0;
}

function summaryOf(d: InstalledDriver) {
  return {
    name: d.name,
    package: d.package,
    builtin: d.builtin,
    version: d.driver.version,
    contract: d.driver.contract ?? 1,
    description: d.driver.description,
    commands: Object.keys(d.driver.commands ?? {}),
    tools: Object.keys(d.driver.tools ?? {}),
    simulator: d.driver.simulator ?? null,
    discover: d.driver.discover !== undefined,
    browse: d.driver.browse?.target ?? null,
  };
}

async function usageOf(d: InstalledDriver) {
  const driver: Driver = d.driver;
  const sampleFile = d.folder ? join(d.folder, 'sample.yaml') : undefined;
  const sample = sampleFile && existsSync(sampleFile) ? await readFile(sampleFile, 'utf8') : generatedSample(d);
  return {
    ...summaryOf(d),
    connection: schemaOf(driver.connection),
    point: schemaOf(driver.point),
    commandArgs: Object.fromEntries(Object.entries(driver.commands ?? {}).map(([name, c]) => [name, { description: c.description, args: schemaOf(c.args) }])),
    discoverOptions: driver.discover ? { summary: driver.discover.summary, options: schemaOf(driver.discover.options) } : null,
    browseOptions: driver.browse ? { summary: driver.browse.summary, target: driver.browse.target, options: schemaOf(driver.browse.options) } : null,
    toolSummaries: Object.fromEntries(Object.entries(driver.tools ?? {}).map(([name, t]) => [name, t.summary])),
    sample,
  };
}

function schemaOf(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = jsonSchemaOf(schema) as Json & { $schema?: string };
  return rest;
}

function renderUsage(d: InstalledDriver, usage: Awaited<ReturnType<typeof usageOf>>): string {
  const lines = [`${usage.name} ${usage.version}: ${usage.description}`, `package ${usage.package}, ${usage.builtin ? 'built in' : 'installed'}, driver contract ${usage.contract}`, ''];
  lines.push('Connection fields (a device\'s `connection:`):', ...fieldLines(usage.connection, '  '), '');
  lines.push('Point fields (beside the generic ones: id, name, unit, scale, offset, writable, ...):', ...fieldLines(usage.point, '  '), '');
  const commands = Object.entries(usage.commandArgs);
  if (commands.length) {
    lines.push('Commands:');
    for (const [name, c] of commands) {
      lines.push(`  ${name}: ${c.description}`);
      lines.push(...fieldLines(c.args, '      '));
    }
    lines.push('');
  }
  if (usage.discoverOptions) {
    lines.push(`Discover: sensegate discover ${usage.name} [options]`, wrap(usage.discoverOptions.summary).replace(/^/gm, '  '));
    lines.push(...fieldLines(usage.discoverOptions.options, '  ', (f) => `--${flagOf(f)}`), '');
  }
  if (usage.browseOptions) {
    lines.push(`Browse: sensegate browse ${usage.name} <${usage.browseOptions.target}> [options]`);
    lines.push(...fieldLines(usage.browseOptions.options, '  ', (f) => (f === usage.browseOptions!.target ? `<${f}>` : `--${flagOf(f)}`)), '');
  }
  const tools = Object.entries(usage.toolSummaries);
  if (tools.length) lines.push('Tools:', ...tools.map(([name, summary]) => `  sensegate ${usage.name} ${name}: ${summary}`), '');
  if (usage.simulator) lines.push(`Simulator: sensegate sim ${usage.name}  (${usage.simulator})`, '');
  lines.push(d.folder && existsSync(join(d.folder, 'sample.yaml')) ? 'Sample (the package\'s sample.yaml):' : 'Sample device:', usage.sample.trimEnd());
  return lines.join('\n') + '\n';
}

/** One line per field (nested objects indented under their field): name, type, required or default, description. */
function fieldLines(schema: Json, indent: string, label: (field: string) => string = (f) => f): string[] {
  const properties = schema.properties;
  if (!properties) return [`${indent}${typeOf(schema)}${schema.description ? `  ${schema.description}` : ''}`];
  const names = Object.keys(properties);
  if (names.length === 0) return [`${indent}(none)`];
  const width = Math.max(...names.map((n) => label(n).length));
  const lines: string[] = [];
  for (const name of names) {
    const p = properties[name]!;
    const required = (schema.required ?? []).includes(name) && p.default === undefined;
    const head = [typeOf(p), required ? 'required' : p.default !== undefined ? `default ${JSON.stringify(p.default)}` : 'optional'].join(', ');
    const hanging = ' '.repeat(indent.length + width + 2);
    // \u0001 keeps the two spaces between the head and the description through the wrapping.
    const text = wrap(`${head}${p.description ? `\u0001${p.description}` : ''}`, Math.max(40, 100 - hanging.length)).replace(/\u0001/g, '  ').split('\n');
    lines.push(`${indent}${label(name).padEnd(width)}  ${text[0]}`, ...text.slice(1).map((t) => `${hanging}${t}`));
    const nested = objectOf(p);
    if (nested?.properties) lines.push(...fieldLines(nested, `${indent}  ${' '.repeat(width)}`));
  }
  return lines;
}

function objectOf(p: Json): Json | undefined {
  if (p.properties) return p;
  return undefined;
}

function typeOf(p: Json): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (p.const !== undefined) return JSON.stringify(p.const);
  const alternatives = p.anyOf ?? p.oneOf;
  if (alternatives) return [...new Set(alternatives.map(typeOf))].join(' | ');
  if (p.type === 'array') return `${p.items ? typeOf(p.items) : 'any'}[]`;
  if (Array.isArray(p.type)) return p.type.join(' | ');
  return p.type ?? 'any';
}

/** A device block from the schema when the package ships no sample.yaml: every required field, with a placeholder. */
function generatedSample(d: InstalledDriver): string {
  const connection = schemaOf(d.driver.connection);
  const point = schemaOf(d.driver.point);
  const placeholder = (p: Json) => (p.default !== undefined ? JSON.stringify(p.default) : p.enum ? JSON.stringify(p.enum[0]) : `<${typeOf(p)}>`);
  const required = (s: Json) => Object.entries(s.properties ?? {}).filter(([n, p]) => (s.required ?? []).includes(n) && p.default === undefined);
  const lines = ['devices:', `  - id: my-device`, `    driver: ${JSON.stringify(d.name)}`, '    connection:'];
  const conn = required(connection);
  if (conn.length === 0) lines[lines.length - 1] += ' {}';
  for (const [n, p] of conn) lines.push(`      ${n}: ${placeholder(p)}`);
  lines.push('    points:', `      - id: my-point`);
  for (const [n, p] of required(point)) lines.push(`        ${n}: ${placeholder(p)}`);
  return lines.join('\n') + '\n';
}
