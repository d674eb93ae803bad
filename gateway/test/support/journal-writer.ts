/**
 * A gateway stand-in for the journal crash tests: it opens a journal, appends entries as fast as it
 * can, and reports on stdout what the journal has committed, until it is killed with SIGKILL.
 *
 *   node --import tsx --conditions=source gateway/test/support/journal-writer.ts <file> <full|normal> <run>
 *
 * Lines it prints (stdout to a pipe is synchronous on Linux, so a line is out before the next step):
 * - `open <lastSeq>`: the journal is open and numbering resumes after `lastSeq`;
 * - `committed <seq>`: a commit event announced entries up to `seq`, so they are committed;
 * - `acked <seq>`: the sink `platform` acknowledged everything up to `seq` (trimming may follow).
 *
 * Entry `i` (from 1) of run `r` is `{"run":r,"i":i,...}`, every 13th an event, so a test can check
 * that each stored entry sits at the sequence number its position gives it.
 */
import { silentLogger } from '@sensegate/sdk';
import { Journal } from '../../src/journal/journal.js';
import { Metrics } from '../../src/metrics.js';

const [path, sync, runArg] = process.argv.slice(2);
if (!path || (sync !== 'full' && sync !== 'normal') || !runArg) {
  process.stderr.write('usage: journal-writer.ts <file> <full|normal> <run>\n');
  process.exit(2);
}
const run = Number(runArg);

const journal = await Journal.open({
  path,
  sync,
  commitInterval: 5,
  maxBlockEntries: 50,
  maxBytes: 1e10,
  maxAge: 864e5,
  overflow: 'drop-oldest',
  log: silentLogger,
  metrics: new Metrics(),
});
await journal.openCursor('platform');
process.stdout.write(`open ${journal.lastSeq}\n`);

let committed = journal.lastSeq;
let wake: (() => void) | undefined;
journal.on('commit', (blocks) => {
  const last = blocks.at(-1)!;
  committed = last.seq + last.count - 1;
  process.stdout.write(`committed ${committed}\n`);
  wake?.();
});

const pad = 'x'.repeat(60);
const start = journal.lastSeq;
let i = 0;
for (let round = 0; ; round++) {
  for (let k = 0; k < 97; k++) {
    i++;
    journal.append(i % 13 === 0 ? 'event' : 'reading', `{"run":${run},"i":${i},"pad":"${pad}"}`);
  }
  // The sink acknowledges what was committed a while ago, so trimming runs while we are killed.
  if (round % 10 === 0 && committed - 2000 > journal.cursor('platform')) {
    journal.ack('platform', committed - 2000);
    process.stdout.write(`acked ${committed - 2000}\n`);
  }
  if (round % 7 === 0) {
    await journal.flush(); // commits of every size, not only those the timer cuts
  } else if (start + i - committed > 20_000) {
    await new Promise<void>((resolve) => (wake = resolve)); // keep the backlog in memory bounded
  } else {
    await new Promise((resolve) => setImmediate(resolve));
  }
}
