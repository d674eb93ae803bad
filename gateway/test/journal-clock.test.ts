// The uplink is down, `maxAge` is 30 minutes, and the wall clock steps an hour (NTP after a long
// power-off, a person setting it). The journal measures ages on its own timeline, which a step does
// not move: nothing undelivered is dropped for the step, the age bound still drops what really is
// older than maxAge, and a restart with the clock behind what the journal holds keeps everything.
// The clocks here are injected; gateway/test/clock-step.faults.test.ts steps the real one.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Logger } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { Journal } from '../src/journal/journal.js';
import { Metrics } from '../src/metrics.js';
import { ClockWatch } from '../src/runtime/clock-watch.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const dirs: string[] = [];
const open: Journal[] = [];
after(async () => {
  await Promise.all(open.map((j) => j.close().catch(() => {})));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A wall clock and a monotonic clock the test moves by hand. */
class Clocks {
  readonly watch: ClockWatch;
  /** A new process's clocks start with the monotonic clock near zero. */
  constructor(
    public wall = 1_790_000_000_000,
    public mono = 1000,
  ) {
    this.watch = new ClockWatch(() => this.wall, () => this.mono);
  }
  /** Time passes: both clocks move. */
  pass(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  /** The wall clock steps; the monotonic one does not. */
  step(ms: number): void {
    this.wall += ms;
  }
}

async function openJournal(path: string, clocks: Clocks, metrics = new Metrics()) {
  const journal = await Journal.open({
    path,
    sync: 'normal',
    commitInterval: 5,
    maxBlockEntries: 10,
    maxBytes: 1024 ** 3,
    maxAge: 30 * MINUTE,
    overflow: 'drop-oldest',
    log: silent,
    metrics,
    clock: () => clocks.watch.now(),
  });
  clocks.watch.on('step', (s) => journal.clockStepped(s.delta));
  open.push(journal);
  // The uplink's sink: it never acknowledges, so only a bound can remove entries.
  await journal.openCursor('uplink');
  const dropped = () => metrics.get('sensegate_journal_dropped_total')?.value({ reason: 'age', kind: 'reading' }) ?? 0;
  const oldestAge = () => metrics.get('sensegate_journal_oldest_entry_age_seconds')!.value();
  return { journal, dropped, oldestAge };
}

async function append(journal: Journal, n: number): Promise<void> {
  for (let i = 0; i < n; i++) journal.append('reading', `{"device":"meter-1","point":"flow","ts":${i},"value":${i},"quality":"good"}`);
  await journal.flush();
}

/** Waits for at least one maintenance pass (the age bound runs about once a second). */
async function maintenancePass(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1300));
}

async function tempPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-journal-clock-'));
  dirs.push(dir);
  return join(dir, 'journal.db');
}

describe('journal age bound across wall-clock steps', () => {
  it('a forward step of one hour drops nothing; the entries age out when 30 minutes have really passed', async () => {
    const clocks = new Clocks();
    const { journal, dropped, oldestAge } = await openJournal(await tempPath(), clocks);
    await append(journal, 100);
    clocks.pass(20_000);
    clocks.step(HOUR);
    await append(journal, 50);
    await maintenancePass();
    assert.equal(dropped(), 0, 'nothing is dropped for the step');
    assert.equal(journal.stats().entries, 150);
    assert.ok(oldestAge() < 60, `the oldest entry is about 20 s old, not an hour: ${oldestAge()} s`);

    clocks.pass(31 * MINUTE);
    await waitFor('entries older than maxAge are dropped', () => dropped() === 150, { timeout: 5000 });
  });

  it('a backward step of one hour drops nothing and does not make later entries look older', async () => {
    const clocks = new Clocks();
    const { journal, dropped, oldestAge } = await openJournal(await tempPath(), clocks);
    await append(journal, 100);
    clocks.pass(10 * MINUTE);
    clocks.step(-HOUR);
    await append(journal, 50);
    clocks.pass(10 * MINUTE);
    await maintenancePass();
    assert.equal(dropped(), 0);
    assert.ok(Math.abs(oldestAge() - 20 * 60) < 60, `the oldest entry is 20 minutes old: ${oldestAge()} s`);
    // 31 minutes after the first entries: those go, the 21-minute-old ones after the step stay.
    clocks.pass(11 * MINUTE);
    await waitFor('the entries from before the step age out', () => dropped() === 100, { timeout: 5000 });
    await maintenancePass();
    assert.equal(dropped(), 100);
    assert.equal(journal.stats().entries, 50);
  });

  it('a restart keeps the step: entries stored before a forward step do not age by it after the restart', async () => {
    const path = await tempPath();
    const clocks = new Clocks();
    const first = await openJournal(path, clocks);
    await append(first.journal, 100);
    clocks.step(HOUR);
    clocks.watch.now();
    await first.journal.close();
    clocks.pass(5000);
    const second = await openJournal(path, new Clocks(clocks.wall, 50));
    await maintenancePass();
    assert.equal(second.dropped(), 0);
    assert.equal(second.journal.stats().entries, 100);
    assert.ok(second.oldestAge() < 60, `about 5 s old: ${second.oldestAge()} s`);
  });

  it('a restart with the clock an hour behind the stored entries keeps them, and counts their age from now', async () => {
    const path = await tempPath();
    const clocks = new Clocks();
    const first = await openJournal(path, clocks);
    await append(first.journal, 100);
    await first.journal.close();
    const behind = new Clocks(clocks.wall - HOUR, 50);
    const second = await openJournal(path, behind);
    await append(second.journal, 10);
    await maintenancePass();
    assert.equal(second.dropped(), 0);
    assert.equal(second.journal.stats().entries, 110);
    assert.ok(second.oldestAge() < 60, `the stored entries count as new: ${second.oldestAge()} s`);
    behind.pass(31 * MINUTE);
    await waitFor('the bound applies again from the restart on', () => second.dropped() === 110, { timeout: 5000 });
  });
});

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
