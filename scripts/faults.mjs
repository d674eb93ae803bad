#!/usr/bin/env node
// Runs the fault suite (`*.faults.test.ts`) in its long form: a full disk, clock steps, crash loops,
// two gateways on one data folder, a flapping broker. `npm test` runs the same files in a short form.
// Each case prints its figures (`fault <case> (long): lost=... doubled=...`); docs/durability.md
// quotes them.
// Usage: npm run faults [-- filter ...]   (a filter is a substring of the test file path)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const filters = process.argv.slice(2);
const test = fileURLToPath(new URL('./test.mjs', import.meta.url));
const selected = filters.length > 0 ? filters : ['.faults.test.ts'];
console.log('fault suite, long form: each case prints its figures');
// One file at a time: the cases measure throughput and recovery, and must not share the cores.
const child = spawn(process.execPath, [test, '--timeout', String(20 * 60_000), ...selected], {
  stdio: 'inherit',
  env: { ...process.env, SENSEGATE_FAULTS: 'long', SENSEGATE_TEST_CONCURRENCY: '1' },
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
