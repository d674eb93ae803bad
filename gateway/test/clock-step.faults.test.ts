// Fault case: the gateway's wall clock steps an hour, forward and back, with the uplink up and with
// it down (a backlog waiting), and once while the gateway is stopped. The gateway runs as a user runs
// it (the built CLI) under libfaketime, which moves only its wall clock: Date.now() follows the
// offset file, performance.now() does not. A Modbus site gives thousands of readings a second and a
// 2-second window (1 minute in the long form) runs on one of its points; `journal.maxAge` is 30m, so
// a step of an hour used to drop the whole backlog "by age".
//
// What a user would notice is checked: every entry arrives (no seq missing, none collides), each step
// is reported once as a gateway.clock-step event, windows keep coming (the ones a step cuts are
// uncertain and say so, the next ones are whole), and a restart an hour behind does not stop windows. The figures
// (lost, doubled, recovery) are printed for docs/durability.md; they are not asserted on.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Reading } from '@sensegate/sdk';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { stoppableBroker, type StoppableBroker } from './support/broker.js';
import { startCli, type CliProcess } from './support/cli.js';
import { checkFeed, faultScale, reportFigures, startFaultSite, type FaultSite } from './support/faults.js';
import { FeedConsumer } from './support/feed.js';

const GATEWAY = `fault-clock-${process.pid}`;
const HOUR = 3600;
const WINDOW = faultScale('2s', '1m');
const WINDOW_MS = faultScale(2000, 60_000);
const OUTAGE_MS = faultScale(3000, 30_000);
// The same rate in both forms: the consumer keeps every entry it receives, and the long form runs ten minutes.
const RATE = 2000;

/** libfaketime's preload library, where Debian's `faketime` package puts it. */
function libfaketime(): string | undefined {
  for (const lib of ['/usr/lib', '/usr/lib64', '/usr/local/lib']) {
    if (!existsSync(lib)) continue;
    const candidates = [join(lib, 'faketime', 'libfaketime.so.1'), ...readdirSync(lib).map((d) => join(lib, d, 'faketime', 'libfaketime.so.1'))];
    const found = candidates.find((c) => existsSync(c));
    if (found) return found;
  }
  return undefined;
}

const LIB = libfaketime();

/** Whether the messages' sequence ranges leave no gap between the first and the last. */
function contiguous(messages: Array<{ payload: { seq: number; readings?: unknown[]; events?: unknown[] } }>): boolean {
  const ranges = messages.map((m) => [m.payload.seq, m.payload.seq + (m.payload.readings ?? m.payload.events ?? []).length] as const).sort((a, b) => a[0] - b[0]);
  let end = ranges[0]?.[1] ?? 0;
  for (const [from, to] of ranges) {
    if (from > end) return false;
    end = Math.max(end, to);
  }
  return true;
}

describe('fault: the wall clock steps an hour', { skip: LIB ? false : 'libfaketime is not installed (apt-get install faketime; .ci/run does)' }, () => {
  let dir: string;
  let site: FaultSite;
  let broker: StoppableBroker;
  let gateway: CliProcess;
  let consumer: FeedConsumer;
  let offsetFile: string;
  let args: string[];
  let env: NodeJS.ProcessEnv;
  /** The gateway's offset from the real clock, in seconds. */
  let offset = 0;

  const setOffset = async (seconds: number) => {
    offset = seconds;
    await writeFile(offsetFile, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-fault-clock-'));
    offsetFile = join(dir, 'faketime-offset');
    await setOffset(0);
    site = await startFaultSite(RATE);
    broker = await stoppableBroker();
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
journal: { maxAge: 30m }
${site.devicesYaml}    derived:
      - { id: r0.win, from: r0, pipeline: [ { window: { size: ${WINDOW}, function: count } } ] }
sinks:
  - type: mqtt
    url: ${broker.url}
    reconnect: { initialDelay: 2s, maxDelay: 2s }
`,
    );
    args = ['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json'];
    // Only the wall clock moves: the monotonic clock stays real. The offset file is read at most once a second.
    env = {
      LD_PRELOAD: LIB,
      FAKETIME_TIMESTAMP_FILE: offsetFile,
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    gateway = startCli(args, { env });
    await windowsAfter(0, Date.now() - 60_000, 'a window before any step').catch((err: Error) => {
      throw new Error(`${err.message}\n--- gateway ---\n${(gateway.stdout() + gateway.stderr()).slice(-3000)}\n--- received ${consumer.data.length} data messages`);
    });
  });

  after(async () => {
    await gateway?.stop();
    await consumer?.close().catch(() => {});
    await site?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Window readings received since `since` (test clock). */
  const windows = (since: number): Array<Reading & { at: number }> =>
    consumer.data
      .filter((m) => m.at >= since)
      .flatMap((m) => (m.payload.readings ?? []).filter((r) => r.point === 'r0.win').map((r) => ({ ...r, at: m.at })));

  /**
   * Waits for a window the step did not cut, received after `since` (test clock), that began after the
   * gateway's clock showed `from` (and not an hour later: those are from the clock before a step back);
   * returns when it arrived. (Its quality is the samples' own: a poll that timed out on a busy machine
   * makes a window uncertain for its bad sample, which is not what this case is about.)
   */
  const windowsAfter = (since: number, from: number, what: string) =>
    waitFor(
      what,
      () => windows(since).find((w) => !/clock stepped/.test(w.status ?? '') && w.start! >= from && w.start! < from + 10 * 60_000)?.at,
      { timeout: 3 * WINDOW_MS + 30_000, interval: 100 },
    ).catch((err: Error) => {
      const last = windows(since).slice(-5).map((w) => `${new Date(w.start!).toISOString()} count=${w.count} ${w.quality} ${w.status ?? ''}`);
      throw new Error(`${err.message}; the last windows received:\n${last.join('\n')}`);
    });

  const noOverflow = () => assert.doesNotMatch(gateway.stdout() + gateway.stderr(), /SG_JOURNAL_OVERFLOW/, 'the journal dropped nothing by age or size');

  const stepEvents = () => consumer.allEvents().filter((e) => e.type === 'gateway.clock-step');

  /** Steps the gateway's clock; returns the test clock's time of the step and the step event. */
  async function step(seconds: number) {
    const events = stepEvents().length;
    const at = Date.now();
    await setOffset(offset + seconds);
    return { at, events };
  }

  /**
   * Live data arrived after `since` and no seq is missing any more, so the backlog is in: returns when.
   * (By messages, not entries: the long form holds millions of entries, too many to check every second.)
   */
  const caughtUp = (since: number, what: string) =>
    waitFor(
      what,
      () => {
        if (!consumer.data.some((m) => m.at >= since && !m.payload.historical)) return undefined;
        return contiguous([...consumer.data, ...consumer.events]) ? Date.now() : undefined;
      },
      { timeout: faultScale(60_000, 900_000), interval: 1000 },
    );

  /** The window readings a step cut: uncertain, with the step named in their status. */
  const cut = (since: number) => windows(since).filter((w) => w.quality === 'uncertain' && /clock stepped/.test(w.status ?? ''));

  async function stepLive(name: string, seconds: number) {
    const since = Date.now();
    const before = checkFeed([...consumer.data, ...consumer.events]);
    const { at, events } = await step(seconds);
    const event = await waitFor(`the ${name} step's gateway.clock-step event`, () => stepEvents()[events], { timeout: 20_000 });
    const data = event.data as { direction: string; step: number; from: number; to: number };
    assert.equal(data.direction, seconds > 0 ? 'forward' : 'back');
    assert.ok(Math.abs(data.step - seconds * 1000) < 5000, `a step of about ${seconds} s: ${data.step} ms`);
    const good = await windowsAfter(at, data.to, `a whole window after the ${name} step`);
    await delay(500);
    noOverflow();
    const after = checkFeed([...consumer.data, ...consumer.events]);
    assert.equal(after.missing, 0, `no entry lost: ${after.missingRanges.join(', ')}`);
    assert.equal(after.collisions, 0);
    assert.equal(stepEvents().length, events + 1, 'the step is reported once');
    reportFigures(`clock-step ${name}`, {
      lost: after.missing - before.missing,
      doubled: after.doubled - before.doubled,
      collisions: after.collisions,
      cutWindows: cut(since).length,
      windowRecoverySeconds: (good - at) / 1000,
    });
  }

  async function stepDuringOutage(name: string, seconds: number) {
    const since = Date.now();
    const before = checkFeed([...consumer.data, ...consumer.events]);
    await broker.stop();
    await delay(OUTAGE_MS);
    const { events } = await step(seconds);
    await delay(OUTAGE_MS);
    await broker.start();
    const back = Date.now();
    const event = await waitFor(`the ${name} step's gateway.clock-step event`, () => stepEvents()[events], { timeout: 60_000 });
    const data = event.data as { to: number };
    const drained = await caughtUp(back, `the backlog after the ${name} step`);
    const good = await windowsAfter(back, data.to, `a whole window after the ${name} step`);
    noOverflow();
    const after = checkFeed([...consumer.data, ...consumer.events]);
    const backlog = consumer.data.filter((m) => m.at >= back && m.payload.historical).reduce((n, m) => n + (m.payload.readings?.length ?? 0), 0);
    assert.equal(after.missing, 0, `no entry of the backlog lost: ${after.missingRanges.join(', ')}`);
    assert.equal(after.collisions, 0);
    assert.ok(backlog > 0, 'there was a backlog to replay');
    assert.equal(stepEvents().length, events + 1, 'the step is reported once');
    reportFigures(`clock-step ${name}`, {
      backlog,
      lost: after.missing - before.missing,
      doubled: after.doubled - before.doubled,
      collisions: after.collisions,
      cutWindows: cut(since).length,
      backlogRecoverySeconds: (drained - back) / 1000,
      windowRecoverySeconds: (good - back) / 1000,
    });
  }

  it('forward one hour, uplink up', () => stepLive('+1h live', HOUR));
  it('back one hour, uplink up', () => stepLive('-1h live', -HOUR));
  it('forward one hour with the uplink down: the backlog is not dropped by age', () => stepDuringOutage('+1h backlog', HOUR));
  it('back one hour with the uplink down', () => stepDuringOutage('-1h backlog', -HOUR));

  it('a restart with the clock an hour behind does not stall windows and loses nothing', async () => {
    const before = checkFeed([...consumer.data, ...consumer.events]);
    await gateway.stop();
    await setOffset(offset - HOUR);
    const restarted = Date.now();
    gateway = startCli(args, { env });
    await gateway.waitForOutput(/behind the time the pipeline states were saved/);
    const good = await windowsAfter(restarted, Date.now() + offset * 1000 - WINDOW_MS, 'a whole window after the restart');
    await delay(500);
    noOverflow();
    const after = checkFeed([...consumer.data, ...consumer.events]);
    assert.equal(after.missing, 0, `no entry lost across the restart: ${after.missingRanges.join(', ')}`);
    assert.equal(after.collisions, 0);
    reportFigures('clock-step restart -1h', {
      lost: after.missing - before.missing,
      doubled: after.doubled - before.doubled,
      collisions: after.collisions,
      cutWindows: cut(restarted).length,
      windowRecoverySeconds: (good - restarted) / 1000,
    });
  });
});
