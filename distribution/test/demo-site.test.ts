// The demo's site file is a configuration a user can run as it is, with the simulators on their
// default ports: the shipped file validates through the sensegate command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SITE = fileURLToPath(new URL('../demo/site.yaml', import.meta.url));

describe('the demo site', () => {
  it('validates as shipped, with every device of the demo', () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run \`npm run build\` (npm test does)`);
    const run = spawnSync(process.execPath, [CLI, 'validate', '--config', SITE], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ok: gateway demo-gw, 7 device\(s\)/);
  });
});
