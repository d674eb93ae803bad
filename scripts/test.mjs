#!/usr/bin/env node
// Runs every `*.test.ts` under the workspaces' `test/` folders with Node's own test runner.
// TypeScript is loaded through tsx, and the `source` export condition makes in-process imports
// of @sensegate/* resolve to their sources; spawned CLIs run the built `dist/`. In-process tests
// run the core as the distribution does: with its built-in drivers and sinks installed
// (scripts/test-builtins.ts), so a configuration says `driver: modbus`.
// Usage: node scripts/test.mjs [--timeout MS] [filter ...]   (a filter is a substring of the test file path)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['sdk', 'gateway', 'distribution', 'drivers', 'sinks', 'simulators', 'examples'];

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts') && path.split('/').includes('test')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
// A test that hangs fails after 3 minutes instead of holding CI until its deadline; long fuzz runs ask for more.
let timeout = 180_000;
if (args[0] === '--timeout') {
  timeout = Number(args[1]);
  args.splice(0, 2);
}
const filters = args;
// Two test files at a time: most wait on sockets, timers and child processes, so two share the two
// cores of a small machine well and the suite takes about half as long. SENSEGATE_TEST_CONCURRENCY=1
// runs them one by one (to tell a test's own flakiness from load).
const concurrency = Number(process.env.SENSEGATE_TEST_CONCURRENCY) || 2;
const files = roots
  .flatMap((r) => collect(join(root, r), []))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--import', './scripts/test-builtins.ts', '--conditions=source', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', `--test-timeout=${timeout}`, ...files],
  { cwd: root, stdio: 'inherit', env: process.env },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
