/**
 * `sensegate new driver <name>`: writes a driver package a device vendor starts from: a driver for a
 * small TCP request/response device, its simulator, tests that run the SDK's conformance kit against
 * that simulator, a README and a sample device (templates in new-driver-template.ts). It writes only
 * into a folder that is empty or absent, so it never overwrites a vendor's work.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { SensegateError } from '@sensegate/sdk';
import { VERSION } from '../version.js';
import { parseOptions } from './args.js';
import { DRIVER_TEMPLATE } from './new-driver-template.js';

export const newHelp = `Usage: sensegate new driver <name> [--dir DIR] [--sdk SPEC]

Writes a driver package to start from: a driver for a device that answers one line per request over
TCP, its simulator (sensegate sim <name>), a tool (sensegate <name> ping), tests that run the SDK's
conformance kit against the simulator, a README and a sample device. Then: cd into it, npm install,
npm run build, npm test.

  <name>      the npm package name: sensegate-driver-<device>, or @<your-company>/sensegate-driver-<device>
  --dir DIR   the folder to write (default: ./<name without its scope>); it must be empty or absent
  --sdk SPEC  the @sensegate/sdk version the package develops against (default ^${VERSION}), e.g. a
              packed tarball: file:/path/to/sensegate-sdk-${VERSION}.tgz

Only drivers can be made so far; sinks and pipeline steps start from docs/writing-a-sink.md and
examples/step-ema.`;

/** What `sensegate new` can make, and what it says about the kinds it cannot make yet. */
const KINDS = 'driver (sensegate new driver <name>)';
const NOT_YET: Record<string, string> = {
  sink: 'start a sink from docs/writing-a-sink.md and examples/sink-http-collector',
  step: 'start a pipeline step from examples/step-ema',
  simulator: 'make a driver: its package comes with a simulator of its device',
};

export async function runNew(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseOptions('new', argv, { dir: { type: 'string' }, sdk: { type: 'string' } });
  const [kind, name, ...extra] = positionals;
  if (values.help) {
    out.write(newHelp + '\n');
    return 0;
  }
  if (!kind) throw new SensegateError('SG_USAGE', `sensegate new: say what to make: ${KINDS}. See \`sensegate new --help\``);
  if (kind !== 'driver') {
    const hint = NOT_YET[kind];
    throw new SensegateError(
      'SG_USAGE',
      hint
        ? `sensegate new: cannot make a ${kind} yet; it makes a ${KINDS}. Meanwhile, ${hint}`
        : `sensegate new: unknown kind "${kind}"; it makes a ${KINDS}`,
    );
  }
  if (!name) throw new SensegateError('SG_USAGE', 'sensegate new driver: name the package, e.g. `sensegate new driver sensegate-driver-acme-meter`');
  if (extra.length) throw new SensegateError('SG_USAGE', `sensegate new driver: unexpected argument "${extra[0]}" after the name; see \`sensegate new --help\``);
  const problem = npmNameProblem(name);
  if (problem) {
    throw new SensegateError('SG_USAGE', `sensegate new driver: "${name}" is not an npm package name: ${problem}. Try ${suggestName(name)}, or a scoped name such as @your-company/${suggestName(name)}`);
  }
  if (values.sdk !== undefined && values.sdk.trim() === '') throw new SensegateError('SG_USAGE', 'sensegate new driver: --sdk needs a version or a file: spec, e.g. --sdk ^0.1.0');

  const dir = resolve(values.dir ?? unscoped(name));
  await refuseNonEmpty(dir);
  const replacements: Record<string, string> = {
    __PACKAGE__: name,
    __DRIVER__: driverName(name),
    __SDK__: values.sdk ?? `^${VERSION}`,
    __SDK_PEER__: `^${VERSION}`,
    __TARBALL__: `${name.replace(/^@/, '').replace('/', '-')}-0.1.0.tgz`,
  };
  for (const [file, template] of Object.entries(DRIVER_TEMPLATE)) {
    const text = template.replace(/__(PACKAGE|DRIVER|SDK_PEER|SDK|TARBALL)__/g, (token) => replacements[token]!);
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text, { flag: 'wx' });
  }

  const shown = relative(process.cwd(), dir) || '.';
  const lines = [`wrote driver package ${name} in ${shown}:`, ...Object.keys(DRIVER_TEMPLATE).map((f) => `  ${f}`), ''];
  if (!name.startsWith('@') && !name.startsWith('sensegate-driver-')) {
    lines.push(`note: name it sensegate-driver-<device> or @<your-company>/... so it is recognisable as a sensegate driver (edit "name" in package.json)`, '');
  }
  if (values.sdk === undefined) {
    lines.push(`note: @sensegate/sdk is installed as ${replacements.__SDK__}; where no registry serves it, pack the SDK (sdk/README.md) and pass --sdk file:/path/to/sensegate-sdk-${VERSION}.tgz, or edit devDependencies`, '');
  }
  lines.push(
    'Next:',
    `  cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`,
    '  npm install',
    '  npm run build && npm test        # the conformance kit against the simulator',
    '  README.md says how to install it next to a site configuration and run it with sensegate',
  );
  out.write(lines.join('\n') + '\n');
  return 0;
}

/** Why `name` cannot be an npm package name, or undefined if it can (npm's rules for new packages). */
export function npmNameProblem(name: string): string | undefined {
  const problems: string[] = [];
  if (name.length > 214) problems.push('it is longer than 214 characters');
  if (name !== name.toLowerCase()) problems.push('it has capital letters');
  const m = /^(?:@([^/]*)\/)?([^/]*)$/.exec(name);
  if (!m) {
    problems.push(name.startsWith('@') ? 'a scoped name is @scope/name, with one slash' : 'it has a slash but no @scope');
  } else {
    const parts = [m[1], m[2]].filter((p): p is string => p !== undefined);
    if (parts.some((p) => p === '')) problems.push('it has an empty part');
    if (parts.some((p) => p.startsWith('.') || p.startsWith('_'))) problems.push('it starts with "." or "_"');
    if (parts.some((p) => /[^a-zA-Z0-9._~-]/.test(p))) problems.push('it may hold only lowercase letters, digits, "-", ".", "_" and "~"');
    if (['node_modules', 'favicon.ico'].includes(m[2]!)) problems.push(`"${m[2]}" is reserved`);
  }
  return problems.length ? problems.join('; ') : undefined;
}

function suggestName(name: string): string {
  const device =
    unscoped(name)
      .toLowerCase()
      .replace(/^sensegate-driver-/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'my-device';
  return `sensegate-driver-${device}`;
}

function unscoped(name: string): string {
  return name.replace(/^@[^/]+\//, '');
}

/** The driver's short name (its data folder, its logs): `@acme/sensegate-driver-meter` -> `acme-meter`. */
function driverName(name: string): string {
  const scope = /^@([^/]+)\//.exec(name)?.[1];
  const device = unscoped(name).replace(/^sensegate-driver-/, '').replace(/[~]/g, '-');
  const short = scope && scope !== device ? `${scope}-${device}` : device;
  return /^[a-z0-9][a-z0-9._-]*$/.test(short) ? short : unscoped(name).replace(/[^a-z0-9._-]/g, '-');
}

async function refuseNonEmpty(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new SensegateError('SG_USAGE', `sensegate new driver: ${dir} is a file, not a folder: choose another with --dir DIR`);
  }
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new SensegateError(
      'SG_USAGE',
      `sensegate new driver: folder ${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}): choose an empty or new one with --dir DIR`,
    );
  }
}
