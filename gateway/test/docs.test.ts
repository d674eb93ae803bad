// The generated documents (error catalogue, configuration reference and JSON Schema) match the
// code, so a schema or error change cannot land without its docs.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CATALOG } from '@sensegate/sdk';
import { generateDocs } from '../../scripts/docs.js';
import { loadConfigFile } from '../src/config/load.js';
import { REPO } from './support/cli.js';

describe('generated docs', () => {
  it('are up to date (run `npm run docs` after changing a schema or an error code)', async () => {
    for (const [path, content] of Object.entries(await generateDocs())) {
      const current = await readFile(join(REPO, path), 'utf8').catch(() => '(missing)');
      assert.ok(current === content, `${path} is out of date; run: npm run docs`);
    }
  });

  it('list every error code with what to do about it', async () => {
    const errors = await readFile(join(REPO, 'docs/errors.md'), 'utf8');
    for (const [code, info] of Object.entries(ERROR_CATALOG)) {
      assert.ok(errors.includes(`\`${code}\``), `${code} is in docs/errors.md`);
      assert.ok(info.action.length > 10, `${code} says what to do`);
    }
  });

  it('give configurations the gateway accepts (the README\'s example)', async () => {
    const readme = await readFile(join(REPO, 'README.md'), 'utf8');
    const yaml = /## A configuration\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(yaml, 'the README has a configuration example');
    const dir = await mkdtemp(join(tmpdir(), 'sensegate-readme-'));
    try {
      await writeFile(join(dir, 'site.yaml'), yaml);
      const { config } = await loadConfigFile(join(dir, 'site.yaml'));
      assert.deepEqual(config.devices.map((d) => d.id), ['sonde-1', 'pump-1', 'plant', 'air-1']);
      assert.deepEqual(config.devices[2]!.points.map((p) => p.id), ['tank1.level', 'pump1.setpoint']);
      assert.deepEqual(config.devices[3]!.derived.map((d) => d.id), ['pm25.1h']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
