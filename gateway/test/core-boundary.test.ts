// The core knows no protocol: nothing under gateway/src imports a driver, a simulator, a sink
// implementation or a protocol library, and gateway/package.json depends on none. The built-in
// drivers and sinks reach the core by package name, from the distribution's table (distribution/).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { REPO } from './support/cli.js';

/**
 * Third-party libraries the core may use, and why. `mqtt` is not among them: the MQTT sink and
 * `sensegate tail` (both in packages of their own) are the feed's MQTT clients; the embedded broker
 * (`sensegate demo`, tests) is the core's and speaks MQTT through aedes.
 */
const CORE_LIBRARIES: Record<string, string> = {
  zod: 'configuration schemas',
  sqlite3: 'the journal',
  pino: 'logs',
  aedes: 'the embedded broker',
  'node-media-server': 'the video relay',
  fastify: 'the HTTP API',
  'light-my-request': 'fastify\'s request injector, pinned for Node.js 20 (docs/decisions/0004-http-api-fastify.md)',
  cookie: 'the console\'s session cookie',
  yaml: 'the configuration view (secrets masked in place)',
};

/** What a core import may not name, with the reason given in the failure. */
const REFUSED: Array<[RegExp, string]> = [
  [/^@sensegate\/driver-/, 'a driver'],
  [/^@sensegate\/sim-/, 'a simulator'],
  [/^@sensegate\/sink-/, 'a sink implementation'],
  [/^(node-opcua|onvif|modbus-serial)(\/|$)/, 'a protocol library'],
];

/** Why `specifier` may not be imported by the core, or undefined if it may. */
function refusal(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  if (specifier === '@sensegate/sdk' || specifier.startsWith('@sensegate/sdk/')) return undefined;
  for (const [pattern, what] of REFUSED) if (pattern.test(specifier)) return `${what}: the core loads plug-ins by package name, through the registries`;
  const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  if (CORE_LIBRARIES[pkg] !== undefined) return undefined;
  return `a library the core does not list (core libraries: ${Object.keys(CORE_LIBRARIES).join(', ')})`;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Every refused import under `src`, as `file:line: imports "x", which is ...`. */
async function coreImportViolations(src: string, base: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of await sourceFiles(src)) {
    const text = await readFile(file, 'utf8');
    // TypeScript's own scanner: static imports, `export ... from`, import(), import types and require().
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      const why = refusal(ref.fileName);
      if (why === undefined) continue;
      const line = text.slice(0, ref.pos).split('\n').length;
      found.push(`${relative(base, file)}:${line}: imports "${ref.fileName}", which is ${why}`);
    }
  }
  return found;
}

describe('the core knows no protocol', () => {
  it('no file under gateway/src imports a driver, simulator, sink implementation or protocol library', async () => {
    const violations = await coreImportViolations(join(REPO, 'gateway', 'src'), REPO);
    assert.deepEqual(violations, [], violations.join('\n'));
  });

  it('gateway/package.json depends on none of them', async () => {
    const manifest = JSON.parse(await readFile(join(REPO, 'gateway', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const violations = Object.keys(manifest.dependencies ?? {}).flatMap((pkg) => {
      const why = refusal(pkg);
      return why === undefined ? [] : [`gateway/package.json: dependencies name "${pkg}", which is ${why}`];
    });
    assert.deepEqual(violations, [], violations.join('\n'));
  });

  it('names the file, the line and the import of a refused one, dynamic and re-exported ones too', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sensegate-boundary-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'leak.ts'),
      [
        "import { z } from 'zod';",
        "import { readFile } from 'node:fs/promises';",
        "import { defineDriver } from '@sensegate/sdk';",
        "import { startModbusSimulator } from '@sensegate/sim-modbus';",
        "export { feedTopics } from '@sensegate/sink-mqtt';",
        "const opcua = await import('@sensegate/driver-opcua/client');",
        "const lib = await import('node-opcua');",
        "import mqtt from 'mqtt';",
      ].join('\n'),
    );
    assert.deepEqual(await coreImportViolations(dir, dir), [
      'leak.ts:4: imports "@sensegate/sim-modbus", which is a simulator: the core loads plug-ins by package name, through the registries',
      'leak.ts:5: imports "@sensegate/sink-mqtt", which is a sink implementation: the core loads plug-ins by package name, through the registries',
      'leak.ts:6: imports "@sensegate/driver-opcua/client", which is a driver: the core loads plug-ins by package name, through the registries',
      'leak.ts:7: imports "node-opcua", which is a protocol library: the core loads plug-ins by package name, through the registries',
      'leak.ts:8: imports "mqtt", which is a library the core does not list (core libraries: zod, sqlite3, pino, aedes, node-media-server, fastify, light-my-request, cookie, yaml)',
    ]);
  });
});
