#!/usr/bin/env node
// Installs sensegate as a user does, from packed tarballs: packs the SDK, the core, every driver,
// sink and simulator and the `sensegate` distribution, installs the tarballs into a temporary folder
// outside the repository (third-party dependencies from npm's cache first, else the registry), and
// runs `npx sensegate --version` and `npx sensegate validate` on a small site there.
// Not part of `npm test`: the install takes about 3 minutes. Run it with `npm run test:pack`
// (after `npm run build`, which it does).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = (dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
const packages = ['sdk', 'gateway', 'sinks/mqtt', ...['drivers', 'simulators'].flatMap((d) => readdirSync(join(root, d)).map((n) => `${d}/${n}`)), 'distribution'];
const work = mkdtempSync(join(tmpdir(), 'sensegate-pack-'));
const tarballs = join(work, 'tarballs');
const site = join(work, 'site');
mkdirSync(tarballs);
mkdirSync(site);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const step = (what) => process.stdout.write(`pack: ${what}\n`);

try {
  step(`packing ${packages.length} packages into ${tarballs}`);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tarballs, ...packages.flatMap((p) => ['-w', p])], root));
  const files = (name) => packed.find((p) => p.name === name)?.files.map((f) => f.path) ?? assert.fail(`npm pack made no tarball of ${name}`);

  // The distribution carries its command, its built CLI and the demo's site; the core carries no command.
  const dist = files('sensegate');
  for (const f of ['bin/sensegate.js', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'demo/site.yaml', 'package.json', 'README.md']) {
    assert.ok(dist.includes(f), `the sensegate tarball lacks ${f} (it has ${dist.join(', ')}): check "files" in distribution/package.json`);
  }
  assert.ok(!dist.some((f) => f.startsWith('src/')), 'the sensegate tarball carries its sources: "files" should list dist, not src');
  assert.deepEqual(manifest('distribution').bin, { sensegate: './bin/sensegate.js' });
  assert.equal(manifest('gateway').bin, undefined, 'gateway/package.json has a bin: the sensegate command belongs to the distribution');
  for (const f of ['dist/index.js', 'dist/cli.js', 'dist/cli.d.ts']) assert.ok(files('@sensegate/gateway').includes(f), `the @sensegate/gateway tarball lacks ${f}`);

  step(`installing the tarballs into ${site}`);
  writeFileSync(join(site, 'package.json'), JSON.stringify({ name: 'pack-check-site', private: true }, null, 2));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...readdirSync(tarballs).map((t) => join(tarballs, t))], site);

  const version = run('npx', ['--no-install', 'sensegate', '--version'], site).trim();
  assert.equal(version, manifest('distribution').version, 'npx sensegate --version');
  step(`npx sensegate --version: ${version}`);

  writeFileSync(
    join(site, 'site.yaml'),
    [
      'gateway: { id: pack-check }',
      'devices:',
      '  - { id: sonde-1, driver: modbus, profile: water-sonde, connection: { transport: tcp, host: 127.0.0.1, port: 5020, unitId: 1 } }',
      "  - { id: air-1, driver: hj212, profile: hj212-air-station, connection: { port: 6000, mn: 44030000000000AIR0000001, password: '123456' } }",
      '  - { id: plant-1, driver: opcua, connection: { endpoint: opc.tcp://127.0.0.1:4840 }, points: [ { id: level, nodeId: ns=1;s=Level } ] }',
      'sinks:',
      '  - { type: mqtt, url: mqtt://127.0.0.1:1883 }',
      '  - { type: hj212, host: 127.0.0.1, port: 6100 }',
      '',
    ].join('\n'),
  );
  let validate;
  try {
    validate = run('npx', ['--no-install', 'sensegate', 'validate', '--config', 'site.yaml'], site);
  } catch (err) {
    assert.fail(`npx sensegate validate failed in ${site}:\n${err.stdout}${err.stderr}`);
  }
  assert.match(validate, /site\.yaml: ok: gateway pack-check, 3 device\(s\)/);
  step(`npx sensegate validate: ${validate.trim()}`);
  step('ok');
  rmSync(work, { recursive: true, force: true });
} catch (err) {
  process.stderr.write(`pack: FAILED (left ${work} to look at)\n${err.message ?? err}\n`);
  process.exitCode = 1;
}
