/**
 * The fault suite's shared parts. Each fault case is a `*.faults.test.ts` file: `npm test` runs its
 * short form, `npm run faults` its long form (SENSEGATE_FAULTS=long), and both print the figures the
 * case measured (`fault <case>: lost=0 doubled=12 ...`) for docs/durability.md.
 *
 * `checkFeed` is the consumer-side checker: from what reached the broker it tells, per gateway,
 * which sequence numbers are missing, which arrived more than once with the same entry (duplicates,
 * which consumers drop), and which arrived with different entries (collisions, which a consumer
 * deduplicating by sequence number would silently lose).
 *
 * A gap the consumer sees is either the gateway's (it never published those entries, or took them
 * for delivered when the broker had not acknowledged them) or the bench's (the broker acknowledged
 * them to the gateway and then did not hand them to the consumer). `explainGaps` tells the two
 * apart with a second, independent subscriber (`SeqWitness`, its own persistent session at the
 * broker) and the broker's log: what the witness received, the broker had.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile, startModbusSimulator } from '@sensegate/sim-modbus';
import mqtt from 'mqtt';
import { stoppableBroker, type StoppableBroker } from './broker.js';
import { startCli, type CliProcess } from './cli.js';
import { FeedConsumer } from './feed.js';
import type { DataMessage, Received } from './feed.js';

/** Whether the long form runs (`npm run faults`). */
export function faultsLong(): boolean {
  return process.env.SENSEGATE_FAULTS === 'long';
}

/** Picks the short or the long value of a setting. */
export function faultScale<T>(short: T, long: T): T {
  return faultsLong() ? long : short;
}

export interface FeedCheck {
  /** Entries received, duplicates included. */
  received: number;
  /** Distinct sequence numbers received. */
  distinct: number;
  first: number;
  last: number;
  /** Sequence numbers between first and last never received. */
  missing: number;
  /** The first few missing ranges, `a..b`. */
  missingRanges: string[];
  /** The same ranges as numbers, inclusive. */
  gaps: Array<[from: number, to: number]>;
  /** Receipts of a sequence number beyond its first with the same entry. */
  doubled: number;
  /** Sequence numbers received with different entries. */
  collisions: number;
  collisionSamples: number[];
}

/** Checks sequence continuity, duplicates and collisions of everything received on data and event topics. */
export function checkFeed(messages: Iterable<Received<DataMessage>>): FeedCheck {
  const seen = new Map<number, string>();
  const collided = new Set<number>();
  let received = 0;
  let doubled = 0;
  for (const m of messages) {
    const entries: unknown[] = m.payload.readings ?? m.payload.events ?? [];
    entries.forEach((entry, i) => {
      const seq = m.payload.seq + i;
      const digest = createHash('sha1').update(JSON.stringify(entry)).digest('base64');
      received++;
      const before = seen.get(seq);
      if (before === undefined) seen.set(seq, digest);
      else if (before === digest) doubled++;
      else collided.add(seq);
    });
  }
  const seqs = [...seen.keys()].sort((a, b) => a - b);
  const first = seqs[0] ?? 0;
  const last = seqs.at(-1) ?? 0;
  const gaps: Array<[number, number]> = [];
  let missing = 0;
  for (let i = 1; i < seqs.length; i++) {
    const gap = seqs[i]! - seqs[i - 1]! - 1;
    if (gap > 0) {
      missing += gap;
      if (gaps.length < 10) gaps.push([seqs[i - 1]! + 1, seqs[i]! - 1]);
    }
  }
  const missingRanges = gaps.map(([from, to]) => `${from}..${to}`);
  return {
    received,
    distinct: seqs.length,
    first,
    last,
    missing,
    missingRanges,
    gaps,
    doubled,
    collisions: collided.size,
    collisionSamples: [...collided].slice(0, 10),
  };
}

/** Sequence coverage only (no comparison of entries): cheap enough to poll while waiting for a backlog to drain. */
export function seqCoverage(messages: Iterable<Received<DataMessage>>): { first: number; last: number; missing: number } {
  const seen = new Set<number>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const m of messages) {
    const n = (m.payload.readings ?? m.payload.events ?? []).length;
    for (let i = 0; i < n; i++) seen.add(m.payload.seq + i);
    if (n > 0) {
      first = Math.min(first, m.payload.seq);
      last = Math.max(last, m.payload.seq + n - 1);
    }
  }
  if (seen.size === 0) return { first: 0, last: 0, missing: 0 };
  return { first, last, missing: last - first + 1 - seen.size };
}

/**
 * A second subscriber to a gateway's data and events, with its own session at the broker, that
 * keeps only which sequence numbers arrived. The broker routes every message it acknowledged to
 * both subscriptions, so an entry the witness has and the consumer lacks was at the broker: lost
 * between the broker and the consumer, not by the gateway.
 */
export class SeqWitness {
  /** Received `[seq, count]` per message, in arrival order. */
  private readonly received: Array<[number, number]> = [];
  private constructor(private readonly client: mqtt.MqttClient) {}

  static async connect(url: string, gateway: string, options: { persistent?: boolean } = {}, prefix = 'sensegate/v1'): Promise<SeqWitness> {
    const client = await mqtt.connectAsync(url, {
      clean: !options.persistent,
      reconnectPeriod: 200,
      clientId: `test-witness-${process.pid}-${Math.random().toString(16).slice(2)}`,
    });
    const witness = new SeqWitness(client);
    client.on('message', (_topic, payload) => {
      const message = JSON.parse(payload.toString('utf8')) as DataMessage;
      const n = (message.readings ?? message.events ?? []).length;
      if (typeof message.seq === 'number' && n > 0) witness.received.push([message.seq, n]);
    });
    await client.subscribeAsync([`${prefix}/${gateway}/data`, `${prefix}/${gateway}/events`], { qos: 1 });
    return witness;
  }

  /** How many of `from..to` the witness received. */
  countIn(from: number, to: number): number {
    const seen = new Set<number>();
    for (const [seq, n] of this.received) {
      for (let s = Math.max(seq, from); s <= Math.min(seq + n - 1, to); s++) seen.add(s);
    }
    return seen.size;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/**
 * Says, for each gap the consumer saw, whose loss it is: the broker's log lines about dropped
 * messages, and whether the witness received the entries (then the broker had them: the bench lost
 * them) or not (the broker never had them: the gateway lost them).
 */
export function explainGaps(check: FeedCheck, witness: SeqWitness, broker: StoppableBroker): string {
  if (check.gaps.length === 0) return 'no gap';
  const lines = check.gaps.map(([from, to]) => {
    const size = to - from + 1;
    const had = witness.countIn(from, to);
    if (had === size) return `seq ${from}..${to}: the witness received all ${size}: the broker had them and did not deliver them to the consumer (the bench's loss, not the gateway's)`;
    if (had === 0) return `seq ${from}..${to}: the witness lacks all ${size} too: the broker never had them (the gateway's loss, unless they still wait in its journal for a replay a stop cut short)`;
    return `seq ${from}..${to}: the witness received ${had} of ${size}: the broker had those; the rest it never had (the gateway's loss, unless they still wait in its journal)`;
  });
  const dropped = broker
    .log()
    .split('\n')
    .filter((l) => /dropp|quota|exceeded|Reused message ID/i.test(l)); // not its socket errors: every kill -9 gives one
  lines.push(dropped.length ? `the broker logged:\n${dropped.slice(0, 20).join('\n')}` : 'the broker logged no dropped message');
  return lines.join('\n');
}

/** Prints a case's figures on one line, for the run's output and docs/durability.md. */
export function reportFigures(name: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : v}`)
    .join(' ');
  console.log(`fault ${name} (${faultsLong() ? 'long' : 'short'}): ${text}`);
}

/** A site for fault cases: one Modbus simulator whose meter gives `readingsPerSecond` readings a second. */
export interface FaultSite {
  simPort: number;
  /** The `devices:` block of a gateway configuration polling it. */
  devicesYaml: string;
  readingsPerSecond: number;
  close(): Promise<void>;
}

export async function startFaultSite(readingsPerSecond = 10_000): Promise<FaultSite> {
  const POINTS = 200;
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-fault-site-'));
  const lines = Array.from({ length: POINTS }, (_, i) => `  - { id: r${i}, table: holding, address: ${i}, type: uint16 }`);
  const text = `name: fault-meter\ndescription: ${POINTS} holding registers, r0 counting\npoints:\n${lines.join('\n')}\nsimulate:\n  r0: { kind: counter, start: 0, step: 1, interval: 10ms }\n`;
  const profile = join(dir, 'fault-meter.yaml');
  await writeFile(profile, text);
  const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(profile) }] });
  const interval = Math.max(1, Math.round((POINTS * 1000) / readingsPerSecond));
  const devicesYaml = `devices:
  - id: meter-1
    driver: modbus
    profile: ${profile}
    pollInterval: ${interval}ms
    timeout: 2s
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1, maxRegisters: 125 }
`;
  return {
    simPort: sim.port,
    devicesYaml,
    readingsPerSecond: (POINTS * 1000) / interval,
    close: async () => {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a gateway configuration for a fault site: its meter, one MQTT sink, and any extra YAML. */
export async function writeSiteConfig(file: string, options: { gateway: string; site: FaultSite; brokerUrl: string; extra?: string }): Promise<string> {
  await writeFile(
    file,
    `gateway: { id: ${options.gateway} }
log: { level: info }
${options.site.devicesYaml}sinks:
  - type: mqtt
    url: ${options.brokerUrl}
    reconnect: { initialDelay: 200ms, maxDelay: 1s }
${options.extra ?? ''}`,
  );
  return file;
}

/** Starts `sensegate run` (the built CLI, its own process) on a configuration and data folder, and waits until it has started. */
export async function startGateway(config: string, data: string): Promise<CliProcess> {
  const p = startCli(['run', '--config', config, '--data', data, '--log-format', 'json']);
  await p.waitForOutput(/gateway .* started/);
  return p;
}

/**
 * Waits until a gateway that has just started has delivered the backlog it replays, if it replays
 * one. A graceful stop sends live data and what is in flight and leaves the rest of a replay in the
 * journal for the next start: a case that stops the gateway for good and then counts what arrived
 * must let the replay finish first, or it counts as lost whatever in that rest no earlier run had
 * delivered.
 */
export async function replayFinished(gateway: CliProcess, timeout = 60_000): Promise<void> {
  await gateway.waitForOutput(/sink \S+: (re)?connected to/, timeout);
  // Logged in the same tick as the connection, right after it, when there is a backlog.
  const replaying = await gateway.waitForOutput(/replaying \d+ journaled entries/, 1000).catch(() => undefined);
  if (replaying) await gateway.waitForOutput(/backlog replayed/, timeout);
}

/** What every fault case runs against: a folder, a site at 10,000 readings/s, a broker it can stop, a consumer and its witness. */
export interface FaultBench {
  dir: string;
  site: FaultSite;
  broker: StoppableBroker;
  consumer: FeedConsumer;
  /** A second subscriber to the same gateway, to tell a gap the gateway made from one the broker made (`explainGaps`). */
  witness: SeqWitness;
  /** `explainGaps` for this bench's witness and broker. */
  explain(check: FeedCheck): string;
  /** `startGateway`, remembered so `close` stops whatever is still running. */
  start(config: string, data: string): Promise<CliProcess>;
  close(): Promise<void>;
}

/**
 * `persistent`: the broker keeps sessions across its restarts and the consumer reads through a
 * persistent session, so a gap the consumer sees is the gateway's (see `stoppableBroker`).
 */
export async function openFaultBench(gateway: string, options: { persistent?: boolean } = {}): Promise<FaultBench> {
  const dir = await mkdtemp(join(tmpdir(), 'sensegate-fault-'));
  const site = await startFaultSite(10_000);
  const broker = await stoppableBroker(options);
  const consumer = await FeedConsumer.connect(broker.url, gateway, undefined, options);
  const witness = await SeqWitness.connect(broker.url, gateway, options);
  const started: CliProcess[] = [];
  return {
    dir,
    site,
    broker,
    consumer,
    witness,
    explain: (check) => explainGaps(check, witness, broker),
    async start(config, data) {
      const p = await startGateway(config, data);
      started.push(p);
      return p;
    },
    async close() {
      for (const p of started) await p.kill9();
      await consumer.close();
      await witness.close();
      await broker.close();
      await site.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
