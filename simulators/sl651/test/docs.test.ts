// The README shows the shipped sample profile as it is, and documents every option and command.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { QUANTITIES, loadSimulation, usage } from '../src/index.js';

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const README = read('README.md');

describe('README and sample.yaml', () => {
  it('embeds sample.yaml verbatim, and its simulate: section loads', () => {
    assert.ok(README.includes('```yaml\n' + read('sample.yaml') + '```\n'));
    const generators = loadSimulation(fileURLToPath(new URL('../sample.yaml', import.meta.url)));
    assert.deepEqual(Object.keys(generators).sort(), [...QUANTITIES].sort());
  });

  it('documents every option of the usage text', () => {
    const options = [...usage.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]!);
    assert.ok(options.length >= 15);
    assert.deepEqual(options.filter((o) => !README.includes(`| \`${o}`)), []);
  });
});
