// Fault case: a full disk. The gateway's data folder is on a small real file system (a 32 MiB
// tmpfs, or a loop-mounted ext4 where tmpfs is refused) that a ballast file fills, as another
// program's log would; the built CLI polls a Modbus simulator at 10,000 readings/s and sends to a
// private Mosquitto through a link the test cuts and restores. A consumer on the broker receives
// everything and the feed checker counts what is missing, doubled or collided. Each case prints its
// figures for docs/durability.md (A full disk): lost, doubled, recovery time.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { stoppableBroker, type StoppableBroker } from './support/broker.js';
import { startCli, type CliProcess } from './support/cli.js';
import { checkFeed, faultScale, reportFigures, startFaultSite, type FaultSite } from './support/faults.js';
import { FeedConsumer } from './support/feed.js';
import { smallDisk, type SmallDisk } from './support/small-disk.js';

const GATEWAY = `fault-disk-${process.pid}`;
const MiB = 1024 * 1024;

/** A TCP link to the broker that the test cuts and restores: the uplink fails, the consumer's own connection does not. */
interface Link {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function brokerLink(target: number): Promise<Link> {
  const sockets = new Set<Socket>();
  let up = true;
  const server: Server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = createConnection({ port: target, host: '127.0.0.1' });
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(a);
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
      a.on('error', () => b.destroy());
      a.pipe(b);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      up = true;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Waits for a log line, and says what the journal logged when it does not come. */
async function waitForLog(gateway: CliProcess, what: string, found: () => boolean, timeout: number): Promise<void> {
  await waitFor(what, () => found() || undefined, { timeout }).catch((err: Error) => {
    const journal = (gateway.stdout() + gateway.stderr())
      .split('\n')
      .filter((l) => /SG_JOURNAL|journal/.test(l))
      .slice(-20)
      .map((l) => l.slice(0, 400));
    throw new Error(`${err.message}\n--- the journal's last lines ---\n${journal.join('\n')}`);
  });
}

/** Every time trimming failed, it worked again afterwards (a ballast may take the reserve too; trimming must recover). */
function trimmingRecovered(gateway: CliProcess): boolean {
  const lines = (gateway.stdout() + gateway.stderr()).split('\n');
  const failed = lines.findLastIndex((l) => l.includes('trimming is retried'));
  return failed < 0 || lines.slice(failed).some((l) => l.includes('trimming works again'));
}

/**
 * Entries the gateways said they dropped from the disk to make room (overflow drop-oldest): the
 * only ones a consumer may find missing. From the summary line that ends each such episode.
 */
function droppedToMakeRoom(gateways: CliProcess[]): number {
  let n = 0;
  for (const g of gateways) {
    for (const l of logged(g, 'SG_JOURNAL_OVERFLOW')) {
      const disk = (l.dropped as Record<string, { reading?: number; event?: number }> | undefined)?.disk;
      n += (disk?.reading ?? 0) + (disk?.event ?? 0);
    }
  }
  return n;
}

/** Entries dropped because too many waited in memory (reason `commit`): never numbered, so no consumer sees them missing. */
function droppedInMemory(gateway: CliProcess): number {
  let n = 0;
  for (const l of logged(gateway, 'SG_JOURNAL_OVERFLOW')) {
    const commit = (l.dropped as Record<string, { reading?: number; event?: number }> | undefined)?.commit;
    n += (commit?.reading ?? 0) + (commit?.event ?? 0);
  }
  return n;
}

/** Whether a drop-to-make-room episode started and has not ended yet. */
function dropping(gateway: CliProcess): boolean {
  const lines = logged(gateway, 'SG_JOURNAL_OVERFLOW').filter((l) => String(l.msg).includes('make room') || String(l.msg).includes('(disk)'));
  return lines.length > 0 && !String(lines.at(-1)!.msg).includes('(disk)');
}

/** The gateway's JSON log lines with a given code. */
function logged(gateway: CliProcess, code: string): Array<{ msg: string; level: number | string } & Record<string, unknown>> {
  return (gateway.stdout() + gateway.stderr())
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string; level: number | string } & Record<string, unknown>)
    .filter((e) => e.code === code);
}

describe('fault: a full disk', () => {
  let disk: SmallDisk | undefined;
  let skip: string | false = false;
  let broker: StoppableBroker;
  let link: Link;
  let site: FaultSite;
  let consumer: FeedConsumer;
  let config: string;
  let data: string;
  const gateways: CliProcess[] = [];
  const everyGateway: CliProcess[] = [];

  before(async () => {
    const mounted = await smallDisk(32);
    if (typeof mounted === 'string') {
      skip = mounted;
      return;
    }
    disk = mounted;
    broker = await stoppableBroker();
    link = await brokerLink(broker.port);
    site = await startFaultSite(10_000);
    data = join(disk.dir, 'data');
    await mkdir(data);
    config = join(disk.dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
${site.devicesYaml}
sinks:
  - type: mqtt
    url: mqtt://127.0.0.1:${link.port}
    reconnect: { initialDelay: 200ms, maxDelay: 1s }
    replay: { rate: 50000 }
`,
    );
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
  });

  after(async () => {
    for (const g of gateways) await g.stop();
    await consumer?.close().catch(() => {});
    await link?.close();
    await site?.close();
    await broker?.close();
    await disk?.close();
  });

  const run = () => {
    const g = startCli(['run', '--config', config, '--data', data, '--log-format', 'json']);
    gateways.push(g);
    everyGateway.push(g);
    return g;
  };
  /** Waits until readings measured 2 s after `since` arrived and nothing is missing but `dropped` entries. */
  const delivered = (since: number, dropped: number) =>
    waitFor(
      'the backlog to be delivered',
      () => consumer.data.some((m) => (m.payload.readings ?? []).some((r) => r.ts >= since + 2000)) && checkFeed([...consumer.data, ...consumer.events]).missing <= dropped,
      { timeout: 90_000 },
    );
  /** Time from `since` until a reading measured after `since` reaches the consumer. */
  const liveAgain = async (since: number, timeout = 30_000) => {
    const r = await waitFor('a reading measured after space came back', () => consumer.data.find((m) => m.at >= since && (m.payload.readings ?? []).some((x) => x.ts >= since)), { timeout });
    return r.at - since;
  };

  it('space freed late, uplink back at the same time: what waited in memory is committed and sent, nothing lost', async (t) => {
    if (skip) return t.skip(skip);
    const gateway = run();
    await consumer.waitForReadings('live readings', () => true, 1000, 30_000);

    link.cut();
    await delay(2000); // committed while the uplink is down: a backlog on the disk
    await disk!.fill(0);
    const fullFor = faultScale(10_000, 90_000);
    await waitForLog(gateway, 'the disk-full warning', () => logged(gateway, 'SG_JOURNAL_DISK_FULL').length > 0, 20_000);
    await delay(fullFor);
    const before = consumer.seqs().length;

    await disk!.release();
    link.restore();
    const freed = Date.now();
    const recoveryMs = await liveAgain(freed);
    const lines = logged(gateway, 'SG_JOURNAL_DISK_FULL');
    await waitForLog(gateway, 'the episode to end', () => logged(gateway, 'SG_JOURNAL_DISK_FULL').length >= 2 && !dropping(gateway), 60_000);
    // Everything committed or waiting before is delivered, but what was dropped to make room.
    const dropped = droppedToMakeRoom(everyGateway);
    await delivered(freed, dropped);
    const summary = logged(gateway, 'SG_JOURNAL_DISK_FULL').at(-1)!;
    const check = checkFeed([...consumer.data, ...consumer.events]);
    reportFigures('disk-full-late', {
      fullSeconds: fullFor / 1000,
      waitedInMemory: Number(summary.maxWaiting ?? 0),
      droppedInMemory: droppedInMemory(gateway),
      droppedToMakeRoom: dropped,
      lost: check.missing,
      doubled: check.doubled,
      collisions: check.collisions,
      recoveryMs,
    });
    // Once space is back, the backlog may fill the small disk again: that is a new episode.
    assert.equal(lines.filter((l) => l.level === 40 && Number(l.time) <= freed).length, 1, 'one warning while the disk was full');
    assert.equal(check.collisions, 0, 'no sequence number carries two entries');
    // Dropped entries may have reached the broker just before the link was cut, unacknowledged.
    assert.ok(check.missing <= dropped, `nothing is lost but what was dropped to make room, counted: ${check.missing} missing (${check.missingRanges.join(', ')}), ${dropped} dropped`);
    assert.ok(consumer.seqs().length > before, 'the feed moves again');
    assert.ok(trimmingRecovered(gateway), 'trimming works again');
  });

  it('space freed early while the uplink is down: the journal refills the disk only to the reserve, trimming keeps working', async (t) => {
    if (skip) return t.skip(skip);
    const gateway = gateways.at(-1)!;
    const first = consumer.seqs().length;
    const before = checkFeed([...consumer.data, ...consumer.events]);
    const droppedBefore = droppedToMakeRoom(everyGateway);
    const roomBefore = logged(gateway, 'SG_JOURNAL_OVERFLOW').filter((l) => String(l.msg).includes('make room')).length;
    const warnings = logged(gateway, 'SG_JOURNAL_DISK_FULL').length;
    link.cut();
    await disk!.fill(0);
    await waitForLog(gateway, 'the disk-full warning', () => logged(gateway, 'SG_JOURNAL_DISK_FULL').length > warnings, 20_000);
    // Space comes back early, but only some: the journal fills it while the sink is away.
    await disk!.release();
    await disk!.fill(11 * MiB);
    const makingRoom = () => logged(gateway, 'SG_JOURNAL_OVERFLOW').filter((l) => String(l.msg).includes('make room')).length;
    await waitForLog(gateway, 'the oldest entries to be dropped to make room', () => makingRoom() > roomBefore, 40_000);
    await delay(faultScale(2000, 60_000));
    const freeWhileFull = await disk!.free();

    link.restore();
    const back = Date.now();
    const recoveryMs = await liveAgain(back);
    // Delivered entries are trimmed and their pages reused: the episode ends with its summary and
    // the disk does not fill up again.
    await waitForLog(gateway, 'the episode to end with its summary', () => !dropping(gateway), 60_000);
    await delivered(back, droppedToMakeRoom(everyGateway)).catch(() => {});
    await delay(faultScale(2000, 30_000));
    const dropped = droppedToMakeRoom(everyGateway);
    const check = checkFeed([...consumer.data, ...consumer.events]);
    reportFigures('disk-full-early', {
      freeWhileFullMiB: freeWhileFull / MiB,
      droppedToMakeRoom: dropped - droppedBefore,
      lost: check.missing - before.missing,
      doubled: check.doubled - before.doubled,
      collisions: check.collisions,
      recoveryMs,
    });
    assert.ok(freeWhileFull >= 4 * MiB, `the reserve stayed free while the journal filled the disk (${freeWhileFull} bytes free)`);
    assert.equal(check.collisions, 0);
    assert.ok(check.missing <= dropped, `only what was dropped to make room is missing: ${check.missing} missing (${check.missingRanges.join(', ')}), ${dropped} dropped`);
    assert.ok(trimmingRecovered(gateway), 'trimming works again');
    assert.ok(consumer.seqs().length > first);
    await disk!.release();
  });

  it('restart while the disk is full: the gateway starts read-only and carries on by itself once space is freed', async (t) => {
    if (skip) return t.skip(skip);
    const old = gateways.pop()!;
    const droppedBeforeStop = droppedInMemory(old);
    await disk!.fill(0);
    await delay(1000);
    await old.stop();
    const droppedAtStop = droppedInMemory(old) - droppedBeforeStop;
    const before = checkFeed([...consumer.data, ...consumer.events]);
    // Stopping may have given back the WAL's space: the disk is made completely full again.
    await disk!.fill(0);

    const gateway = run();
    const started = await gateway.waitForOutput(/started: 1 device/, 30_000).then(() => true, () => false);
    assert.ok(started, `the gateway starts on a full disk:\n${gateway.stderr()}\n${gateway.stdout().slice(-3000)}`);
    const journalWarning = () => logged(gateway, 'SG_JOURNAL_DISK_FULL').find((l) => l.level === 40 && String(l.msg).startsWith('journal '));
    await waitForLog(gateway, "the journal's disk-full warning", () => journalWarning() !== undefined, 20_000);
    // Read-only when SQLite cannot open the file for writing; when the previous run left its WAL
    // (a checkpoint needs room too), the file opens and the commits wait instead. Either way, said once.
    const readOnly = String(journalWarning()!.msg).includes('read-only');
    assert.match(String(journalWarning()!.msg), /read-only|wait in memory/);
    const warnings = logged(gateway, 'SG_JOURNAL_DISK_FULL').filter((l) => l.level === 40);
    assert.ok(warnings.some((l) => String(l.msg).includes('session number')), 'it says the session number is saved later');
    await delay(faultScale(3000, 30_000));

    await disk!.release();
    const freed = Date.now();
    const recoveryMs = await liveAgain(freed);
    await delivered(freed, droppedToMakeRoom(everyGateway));
    const check = checkFeed([...consumer.data, ...consumer.events]);
    const after = consumer.seqs().filter((s) => s > before.last);
    reportFigures('disk-full-restart', {
      startedReadOnly: readOnly ? 'yes' : 'no',
      droppedAtStop,
      lost: check.missing - before.missing,
      doubled: check.doubled - before.doubled,
      collisions: check.collisions,
      recoveryMs,
    });
    await waitForLog(gateway, 'the episode to end with its summary', () => logged(gateway, 'SG_JOURNAL_DISK_FULL').some((l) => l.level === 30), 30_000);
    assert.ok(after.length > 0, 'new readings after the restart');
    assert.equal(check.collisions, 0, 'numbering went on from what was stored: no number reused');
    assert.ok(check.missing <= droppedToMakeRoom(everyGateway), `nothing lost but what was counted: ${check.missingRanges.join(', ')}`);
    assert.deepEqual(logged(gateway, 'SG_JOURNAL_IO').map((l) => l.msg), [], 'no I/O error');
  });
});
