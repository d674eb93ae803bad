/**
 * Every pipeline step's golden cases: each folder under test/pipeline/golden/<step>/ is one case,
 * with its input series, configuration and exact expected output (see support/golden.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runGoldenCase } from './support/golden.js';

const root = fileURLToPath(new URL('./pipeline/golden/', import.meta.url));
const dirs = (folder: string) => readdirSync(folder).filter((n) => statSync(join(folder, n)).isDirectory()).sort();

for (const step of dirs(root)) {
  describe(`golden: ${step}`, () => {
    for (const name of dirs(join(root, step))) {
      it(name, async () => {
        const c = await runGoldenCase(join(root, step, name));
        assert.deepEqual(c.actual, c.expected, `${step}/${name}: ${c.description}\nactual output:\n${c.actual.join('\n')}`);
      });
    }
  });
}
