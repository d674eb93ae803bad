#!/usr/bin/env node
// Runs every fuzz test (`*.fuzz.test.ts`) with a long budget per target. `npm test` runs the same
// files for a few seconds each; this is the long run, for a night or before a release.
// Usage: npm run fuzz [-- SECONDS [filter ...]]   (default 60 s per target; SENSEGATE_FUZZ_SEED=N replays a run)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [seconds, ...filters] = process.argv.slice(2);
const budget = seconds && /^\d+$/.test(seconds) ? seconds : (process.env.SENSEGATE_FUZZ_SECONDS ?? '60');
const rest = seconds && !/^\d+$/.test(seconds) ? [seconds, ...filters] : filters;
const test = fileURLToPath(new URL('./test.mjs', import.meta.url));
// Filters are substrings of test file paths, as in `npm test`: name fuzz files (`hj212.fuzz`) to run some of them.
const selected = rest.length > 0 ? rest : ['.fuzz.test.ts'];
console.log(`fuzzing for ${budget} s per target${process.env.SENSEGATE_FUZZ_SEED ? ` with seed ${process.env.SENSEGATE_FUZZ_SEED}` : ''}`);
const child = spawn(process.execPath, [test, '--timeout', String((Number(budget) + 120) * 1000), ...selected], {
  stdio: 'inherit',
  env: { ...process.env, SENSEGATE_FUZZ_SECONDS: budget },
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
