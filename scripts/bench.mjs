#!/usr/bin/env node
// `npm run bench`: every benchmark, one after another, each printing its figures and the ratio to
// the raw limit it measured in the same run. Results belong in docs/benchmarks.md with the date and
// the machine. Usage: node scripts/bench.mjs [filter ...]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const benches = [
  ['simulator capacity', 'simulators/modbus/bench/capacity.ts'],
  ['modbus driver reads', 'drivers/modbus/bench/read.ts'],
  ['journal write rate', 'gateway/bench/journal.ts'],
  ['forwarder delivery', 'gateway/bench/forward.ts'],
  ['end to end', 'gateway/bench/end-to-end.ts'],
  ['edge pipeline', 'gateway/bench/pipeline.ts'],
  ['hj212 stations', 'drivers/hj212/bench/stations.ts'],
  ['hj212 simulator capacity', 'simulators/hj212/bench/stations.ts'],
  ['hj212 relay', 'gateway/bench/hj212-relay.ts'],
  ['sl651 stations', 'drivers/sl651/bench/stations.ts'],
  ['opcua subscriptions', 'gateway/bench/opcua.ts'],
  ['video snapshots', 'gateway/bench/video-snapshots.ts'],
  ['video relay', 'gateway/bench/video-relay.ts'],
  ['camera events', 'gateway/bench/camera-events.ts'],
  ['http api', 'gateway/bench/api.ts'],
];
const filters = process.argv.slice(2);
let failed = 0;
for (const [name, file] of benches) {
  if (filters.length && !filters.some((f) => name.includes(f) || file.includes(f))) continue;
  if (!existsSync(`${root}/${file}`)) {
    console.log(`\n### ${name}: ${file} is missing`);
    failed++;
    continue;
  }
  console.log(`\n### ${name} (${file})`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', file], { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
