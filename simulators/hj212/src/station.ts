/**
 * One simulated HJ 212-2017 station (a data logger with its analysers). It dials the platform,
 * samples its parameters every real-time interval and sends them (CN 2011), sends the statistics
 * of those very samples for each minute period (2051), hour (2061) and optionally day (2031),
 * answers the platform's commands, waits for 9014 acknowledgements when it asks for them, and
 * spoils its frames on demand. All its timing runs on a scheduler it may share with thousands of
 * other stations.
 */
import { SensegateError } from '@sensegate/sdk';
import { seedFor, seededRandom } from '@sensegate/sdk/simulate';
import {
  CN,
  FrameDecoder,
  cpDataTime,
  encodeFrame,
  formatCrc,
  formatDataTime,
  formatQn,
  formatSegment,
  makeFlag,
  parseCp,
  parseSegment,
  type Packet,
} from '@sensegate/driver-hj212/protocol';
import { Instruments } from './model/instruments.js';
import { PeriodStats } from './model/period-stats.js';
import { STATION_ST, type StationKind } from './model/stations.js';
import { parseOptions, stationOptionsSchema, type StationSettings } from './options.js';
import { PendingAcks } from './protocol/acks.js';
import { answerCommand, type CommandTarget } from './protocol/commands.js';
import { realtimeCp, statisticsCp } from './protocol/records.js';
import { emptyStats, type StationStats } from './stats.js';
import { DAY, HOUR, nextPeriodStart, periodStart } from './time/periods.js';
import { Scheduler, type Scheduled } from './time/scheduler.js';
import { StationClock } from './time/station-clock.js';
import { FaultControls } from './wire/fault-controls.js';
import { StationFaults, type FrameShape } from './wire/faults.js';
import { StationLink } from './wire/link.js';
import { FrameWriter } from './wire/writer.js';
import type { z } from 'zod';

export type DataKind = 'realtime' | 'minute' | 'hour' | 'day';

export type StationEvent =
  | { type: 'connected'; mn: string }
  | { type: 'disconnected'; mn: string; reason: string; retryIn: number }
  | { type: 'connect-failed'; mn: string; reason: string; retryIn: number }
  | { type: 'sent'; mn: string; kind: DataKind; cn: string; qn: string; dataTime: string }
  | { type: 'resent'; mn: string; qn: string; attempt: number }
  | { type: 'ack'; mn: string; qn: string }
  | { type: 'command'; mn: string; cn: string; qn: string | undefined; qnRtn: string; exeRtn?: string; detail: string }
  | { type: 'bad-frame'; mn: string; reason: string; excerpt: string };

export type StationOptions = z.input<typeof stationOptionsSchema> & {
  /** Called for everything the station does (the CLI prints these). */
  onEvent?: (event: StationEvent) => void;
};

/** What `startHj212Stations` passes to each of its stations. */
export interface StationWiring {
  scheduler?: Scheduler;
  /** Distinguishes the random walks of stations sharing a seed. */
  index?: number;
  /** Where in the real-time interval this station sends, 0..1 (spreads a group's frames). */
  phase?: number;
}

export interface Hj212Station {
  readonly mn: string;
  readonly st: string;
  readonly kind: StationKind;
  /** Pollutant codes sent, in order. */
  readonly parameters: readonly string[];
  readonly connected: boolean;
  /** Real-time interval now (ms of station time); CN 1062 changes it. */
  readonly realtimeInterval: number;
  readonly minuteInterval: number;
  readonly password: string;
  readonly faults: FaultControls;
  /** The station clock now (ms since the epoch). */
  now(): number;
  /**
   * Sends now: a real-time sample, or the statistics of the current minute period, hour or day so
   * far (DataTime = its start; the period goes on and is sent again, complete, when it ends).
   * Returns the frame's QN, or undefined when nothing went out (offline, no sample yet).
   */
  sendNow(kind: DataKind): string | undefined;
  /** Sends `flag` (N, F, M, S, D, C, T, B) with the parameter from now on. */
  setFlag(code: string, flag: string): void;
  /** Holds a parameter at `value`; undefined lets its generator move it again. */
  setValue(code: string, value: number | undefined): void;
  stats(): StationStats;
  close(): Promise<void>;
}

interface Period {
  kind: Exclude<DataKind, 'realtime'>;
  cn: string;
  length: number;
  stats: PeriodStats;
}

const SENT_COUNTER = { realtime: 'realtimeSent', minute: 'minuteSent', hour: 'hourSent', day: 'daySent' } as const;

/** Minute/hour/day frames kept while offline and sent on reconnection; beyond this the oldest go. */
const OUTBOX_LIMIT = 48;
/** Real-time samples caught up after a stall (a suspended laptop); beyond this the station skips ahead. */
const MAX_CATCH_UP = 10;

export function validateStationOptions(options: StationOptions): StationSettings {
  const { onEvent: _onEvent, ...rest } = options;
  return parseOptions(stationOptionsSchema, rest, `HJ 212 station ${String(rest.mn ?? '')}`.trimEnd());
}

/** Starts a station: it connects right away and keeps reconnecting until `close()`. */
export async function startHj212Station(options: StationOptions): Promise<Hj212Station> {
  return new Station(validateStationOptions(options), options.onEvent, {});
}

export class Station implements Hj212Station, Scheduled, CommandTarget {
  readonly mn: string;
  readonly st: string;
  readonly kind: StationKind;
  readonly timeZone: string;
  readonly faults: FaultControls;
  password: string;
  realtimeInterval: number;
  minuteInterval: number;

  private readonly clock: StationClock;
  private readonly instruments: Instruments;
  private readonly origin: number;
  private readonly periods: Period[] = [];
  private realtimeDue = 0;
  private readonly phase: number;
  private lastQn = 0;

  private readonly scheduler: Scheduler;
  private readonly link: StationLink;
  private readonly writer: FrameWriter;
  private readonly plan = new StationFaults();
  private readonly acks: PendingAcks;
  private decoder = new FrameDecoder();
  private readonly outbox: Packet[] = [];
  private readonly counts = emptyStats();
  private closed = false;

  constructor(
    private readonly settings: StationSettings,
    private readonly onEvent: ((event: StationEvent) => void) | undefined,
    wiring: StationWiring,
  ) {
    this.mn = settings.mn;
    this.kind = settings.kind;
    this.st = settings.st ?? STATION_ST[settings.kind];
    this.timeZone = settings.timeZone;
    this.password = settings.password;
    this.realtimeInterval = settings.realtimeInterval;
    this.minuteInterval = settings.minuteInterval;
    this.phase = wiring.phase ?? 0;
    const index = wiring.index ?? 0;

    this.clock = new StationClock(settings.timeScale, settings.startTime);
    this.origin = this.clock.now();
    this.instruments = new Instruments({
      kind: settings.kind,
      parameters: settings.parameters,
      simulate: settings.simulate,
      flags: settings.flags,
      seed: settings.seed,
      index,
    });
    const n = this.instruments.parameters.length;
    this.periods.push({ kind: 'minute', cn: CN.MINUTE_DATA, length: settings.minuteInterval, stats: new PeriodStats(n) });
    if (settings.hourly) this.periods.push({ kind: 'hour', cn: CN.HOUR_DATA, length: HOUR, stats: new PeriodStats(n) });
    if (settings.daily) this.periods.push({ kind: 'day', cn: CN.DAY_DATA, length: DAY, stats: new PeriodStats(n) });
    this.restartSchedule(this.origin);

    this.scheduler = wiring.scheduler ?? new Scheduler();
    this.acks = new PendingAcks(settings.ackTimeout, settings.ackRetries);
    const random = seededRandom(seedFor(settings.seed, index, 'wire'));
    this.link = new StationLink(
      {
        host: settings.host,
        port: settings.port,
        reconnect: settings.reconnect,
        connectTimeout: settings.connectTimeout,
        random,
        realNow: Date.now,
        wake: () => this.scheduler.wake(this),
      },
      {
        connected: () => this.onConnected(),
        data: (chunk) => this.onData(chunk),
        disconnected: (reason, retryIn) => this.onDisconnected(reason, retryIn),
        connectFailed: (reason, retryIn) => this.emit({ type: 'connect-failed', mn: this.mn, reason, retryIn }),
      },
    );
    this.writer = new FrameWriter(this.link, this.plan, random);
    this.faults = new FaultControls(this.plan, this.link);
    this.scheduler.add(this);
    this.link.start();
  }

  get parameters(): readonly string[] {
    return this.instruments.parameters.map((p) => p.code);
  }

  get connected(): boolean {
    return this.link.open;
  }

  now(): number {
    return this.clock.now();
  }

  stationTime(): number {
    return this.clock.now();
  }

  // ---- scheduling ----

  nextDue(): number {
    if (this.closed) return Infinity;
    let due = this.link.due();
    if (this.link.open) due = Math.min(due, this.acks.due());
    let next = this.realtimeDue;
    for (const p of this.periods) next = Math.min(next, p.stats.end);
    return Math.min(due, this.clock.toReal(next));
  }

  run(now: number): void {
    if (this.closed) return;
    this.link.run(now);
    if (this.link.open) {
      for (const w of this.acks.takeDue(now)) {
        this.writeSegment(w.segment, this.plan.nextFrame());
        this.emit({ type: 'resent', mn: this.mn, qn: w.qn, attempt: w.sent });
      }
    }
    this.advance(this.clock.now(now));
  }

  /** Takes every sample and closes every period due by station time `t`, in time order. */
  private advance(t: number): void {
    for (;;) {
      let period: Period | undefined;
      for (const p of this.periods) if (!period || p.stats.end < period.stats.end) period = p;
      // A period ending when a sample is due closes first: the sample opens the next period.
      if (period && period.stats.end <= t && period.stats.end <= this.realtimeDue) {
        const end = period.stats.end;
        for (const p of this.periods) if (p.stats.end === end) this.closePeriod(p);
        continue;
      }
      if (this.realtimeDue > t) return;
      this.sample(this.realtimeDue);
      this.realtimeDue += this.realtimeInterval;
      if (t - this.realtimeDue > MAX_CATCH_UP * this.realtimeInterval) this.realtimeDue = this.alignRealtime(t);
    }
  }

  private alignRealtime(t: number): number {
    const interval = this.realtimeInterval;
    const offset = this.phase * interval;
    return Math.floor((t - offset) / interval) * interval + offset + interval;
  }

  /** Realigns the real-time schedule and starts every period afresh at station time `t`. */
  private restartSchedule(t: number): void {
    this.realtimeDue = this.alignRealtime(t);
    for (const p of this.periods) this.restartPeriod(p, t);
  }

  private restartPeriod(p: Period, t: number): void {
    const start = periodStart(t, p.length, this.timeZone);
    p.stats.reset(start, nextPeriodStart(start, p.length, this.timeZone));
  }

  private sample(at: number): string | undefined {
    const values = this.instruments.sampleAt(at - this.origin);
    for (const p of this.periods) p.stats.add(values);
    const dataTime = formatDataTime(at, this.timeZone);
    return this.sendData('realtime', CN.REALTIME_DATA, realtimeCp(dataTime, this.instruments, values), at, dataTime);
  }

  private closePeriod(p: Period): void {
    if (p.stats.samples > 0) this.sendStatistics(p);
    const end = p.stats.end;
    p.stats.reset(end, nextPeriodStart(end, p.length, this.timeZone));
  }

  private sendStatistics(p: Period): string | undefined {
    const dataTime = formatDataTime(p.stats.start, this.timeZone);
    return this.sendData(p.kind, p.cn, statisticsCp(dataTime, this.instruments, p.stats), this.clock.now(), dataTime);
  }

  // ---- sending ----

  private nextQn(at: number): string {
    this.lastQn = Math.max(Math.floor(at), this.lastQn + 1);
    return formatQn(this.lastQn, this.timeZone);
  }

  private sendData(kind: DataKind, cn: string, cp: string, at: number, dataTime: string): string | undefined {
    const packet: Packet = { qn: this.nextQn(at), st: this.st, cn, pw: this.password, mn: this.mn, flag: makeFlag({ ack: this.settings.ack }), cp };
    if (!this.link.open || this.plan.silent) {
      // Real-time values are stale once the link is back; minute and hour records are kept, as loggers do.
      if (kind !== 'realtime' && !this.plan.silent) {
        if (this.outbox.length >= OUTBOX_LIMIT) {
          this.outbox.shift();
          this.counts.framesDropped++;
        }
        this.outbox.push(packet);
      } else {
        this.counts.framesDropped++;
      }
      return undefined;
    }
    this.transmitData(kind, packet);
    this.emit({ type: 'sent', mn: this.mn, kind, cn, qn: packet.qn!, dataTime });
    return packet.qn;
  }

  private transmitData(kind: DataKind, packet: Packet): void {
    const segment = this.writePacket(packet);
    this.counts[SENT_COUNTER[kind]]++;
    if (this.settings.ack) {
      this.acks.add(packet.qn!, segment, Date.now());
      this.scheduler.wake(this);
    }
  }

  /** Formats and writes a packet, spoiled as the fault plan says; returns the segment sent. */
  private writePacket(packet: Packet): string {
    const shape = this.plan.nextFrame();
    const segment = formatSegment(shape.wrongPassword ? { ...packet, pw: wrongPassword(packet.pw) } : packet);
    this.writeSegment(segment, shape);
    return segment;
  }

  private writeSegment(segment: string, shape: FrameShape): void {
    const frame = encodeFrame(segment);
    if (shape.badCrc) {
      const at = frame.length - 6;
      const crc = parseInt(frame.toString('latin1', at, at + 4), 16);
      frame.write(formatCrc(crc ^ 0xffff), at, 'latin1');
    }
    this.writer.send(frame, shape);
    this.counts.framesSent++;
  }

  // ---- receiving ----

  private onConnected(): void {
    this.emit({ type: 'connected', mn: this.mn });
    for (let p = this.outbox.shift(); p && this.link.open; p = this.outbox.shift()) {
      const kind = p.cn === CN.HOUR_DATA ? 'hour' : p.cn === CN.DAY_DATA ? 'day' : 'minute';
      this.transmitData(kind, p);
      this.emit({ type: 'sent', mn: this.mn, kind, cn: p.cn, qn: p.qn!, dataTime: cpDataTime(parseCp(p.cp)) ?? '' });
    }
    this.scheduler.wake(this);
  }

  private onDisconnected(reason: string, retryIn: number): void {
    this.decoder = new FrameDecoder();
    this.writer.reset();
    this.emit({ type: 'disconnected', mn: this.mn, reason, retryIn });
  }

  private onData(chunk: Buffer): void {
    for (const result of this.decoder.push(chunk)) {
      if (!result.ok) {
        this.counts.badFramesIn++;
        this.emit({ type: 'bad-frame', mn: this.mn, reason: result.error.message, excerpt: result.excerpt });
        continue;
      }
      let packet: Packet;
      try {
        packet = parseSegment(result.segment);
      } catch (err) {
        this.counts.badFramesIn++;
        this.emit({ type: 'bad-frame', mn: this.mn, reason: (err as Error).message, excerpt: result.segment.slice(0, 64) });
        continue;
      }
      this.onPacket(packet);
    }
  }

  private onPacket(packet: Packet): void {
    if (packet.cn === CN.DATA_ACK) {
      if (packet.qn !== undefined && this.acks.ack(packet.qn)) this.emit({ type: 'ack', mn: this.mn, qn: packet.qn });
      return;
    }
    // Other replies (9011-9013) answer requests this station does not make.
    if (packet.cn.startsWith('90') || this.plan.silent) return;
    const answer = answerCommand(packet, this, this.plan);
    for (const reply of answer.replies) this.writePacket(reply);
    this.counts.commandsAnswered++;
    if (answer.qnRtn !== '1') this.counts.commandsRefused++;
    else if (answer.exeRtn !== '1') this.counts.commandsFailed++;
    this.emit({
      type: 'command',
      mn: this.mn,
      cn: packet.cn,
      qn: packet.qn,
      qnRtn: answer.qnRtn,
      ...(answer.exeRtn !== undefined ? { exeRtn: answer.exeRtn } : {}),
      detail: answer.detail,
    });
  }

  // ---- what commands change ----

  setStationTime(ms: number): void {
    this.clock.set(ms);
    this.lastQn = 0;
    this.restartSchedule(ms);
    this.scheduler.wake(this);
  }

  setRealtimeInterval(ms: number): void {
    this.realtimeInterval = ms;
    this.realtimeDue = this.alignRealtime(this.clock.now());
    this.scheduler.wake(this);
  }

  setMinuteInterval(ms: number): void {
    this.minuteInterval = ms;
    const minute = this.periods.find((p) => p.kind === 'minute')!;
    minute.length = ms;
    // The period under way is dropped: its samples straddle two interval settings.
    this.restartPeriod(minute, this.clock.now());
    this.scheduler.wake(this);
  }

  setPassword(password: string): void {
    this.password = password;
  }

  // ---- the public API ----

  sendNow(kind: DataKind): string | undefined {
    if (this.closed) return undefined;
    const now = this.clock.now();
    this.advance(now);
    if (kind === 'realtime') return this.sample(now);
    const period = this.periods.find((p) => p.kind === kind);
    if (!period) throw new SensegateError('SG_USAGE', `station ${this.mn} does not send ${kind} data (${kind === 'day' ? 'daily' : 'hourly'}: false)`);
    return period.stats.samples > 0 ? this.sendStatistics(period) : undefined;
  }

  setFlag(code: string, flag: string): void {
    this.instruments.setFlag(code, flag);
  }

  setValue(code: string, value: number | undefined): void {
    this.instruments.pin(code, value);
  }

  stats(): StationStats {
    const s = { ...this.counts };
    s.connected = this.link.open ? 1 : 0;
    s.connects = this.link.connects;
    s.reconnects = Math.max(0, this.link.connects - 1);
    s.disconnects = this.link.disconnects;
    s.resent = this.acks.resent;
    s.acksReceived = this.acks.acked;
    s.awaitingAck = this.acks.size;
    s.ackAbandoned = this.acks.abandoned;
    s.framesDropped += this.writer.dropped;
    s.bytesOut = this.link.bytesOut;
    s.writes = this.writer.writes;
    return s;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.remove(this);
    await this.link.close();
  }

  private emit(event: StationEvent): void {
    this.onEvent?.(event);
  }
}

/** A password the platform will not accept: the same length, its last character changed. */
export function wrongPassword(password: string): string {
  return password.slice(0, -1) + (password.endsWith('0') ? '1' : '0');
}
