/**
 * A simulated SL 651 telemetry station (遥测站): it dials the centre (the gateway), keeps the link
 * alive (2F), sends timed reports (32) on schedule, add reports (33) when rain falls, hourly reports
 * (34) on the hour, test reports (30) on demand, each as one frame or as SYN packets, reads the
 * centre's confirmations, and injects faults on demand.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import {
  END,
  FrameDecoder,
  encodeKeepAlive,
  encodeReport,
  epochToStationTime,
  type ElementToEncode,
  type StationIdentity,
} from '@sensegate/driver-sl651/protocol';
import { SensegateError, isTimeZone, type BackoffSettings } from '@sensegate/sdk';
import type { Generator, GeneratorSpec } from '@sensegate/sdk/simulate';
import { StationFaults } from './faults.js';
import { StationLink } from './link.js';
import { Measurements, tips, type Quantity } from './measurements.js';
import { addElements, hourlyElements, timedElements, toMinute } from './reports.js';

export interface Sl651StationOptions {
  /** The centre (gateway) to dial. Default 127.0.0.1. */
  host?: string;
  /** Default 5651. */
  port?: number;
  /** Station address, 10 hex digits. */
  address: string;
  /** 4 hex digits. Default 1234. */
  password?: string;
  /** Centre address, 0..255. Default 1. */
  centre?: number;
  /** Station category: a letter (`H` river, `P` rainfall, `K` reservoir, ...) or its code. Default `H`. */
  category?: string | number;
  /** Timed report (32) interval in ms; 0: only on demand. Default 5 minutes. */
  interval?: number;
  /** Keep-alive (2F) interval in ms; 0: none. Default 40 s, as the standard recommends. */
  keepAlive?: number;
  /** Hourly report (34) at every full hour of the station's clock. Default true. */
  hourly?: boolean;
  /** Rain (mm) since the last add or timed report that triggers an add report (33); 0: none. Default 1. */
  addThreshold?: number;
  /** Send reports as SYN packets with at most this many body bytes each; 0: one frame. Default 0. */
  packetSize?: number;
  /** Generators of rainRate (mm/h; at or below 0 is dry), waterLevel (m), batteryVoltage (V), flow (m3/s), velocity (m/s). */
  values?: Partial<Record<Quantity, Generator | GeneratorSpec>>;
  /** Cumulative rainfall at start, mm. Default 0. */
  rainTotal?: number;
  /** The station's clock zone. Default Asia/Shanghai. */
  timeZone?: string;
  /** Seed of random walks. Default 1. */
  seed?: number;
  /** How often values move and the add-report rule is checked, ms. Default 1000. */
  tick?: number;
  /** Reconnect backoff. Default 500 ms doubling to 30 s. */
  reconnect?: BackoffSettings;
}

export interface Sl651StationStats {
  connected: boolean;
  connects: number;
  /** Messages sent, by function code (`32`: 4). */
  sent: Record<string, number>;
  /** Frames and bytes written (packets count one each). */
  framesOut: number;
  bytesOut: number;
  /** Frames waiting for the link. */
  queued: number;
  /** Frames dropped from a full queue. */
  dropped: number;
  /** Replies from the centre, by end byte. */
  confirmed: number;
  hangUps: number;
  acks: number;
  naks: number;
  /** Serial numbers the centre confirmed (last 100). */
  confirmedSerials: number[];
  badReplies: number;
}

const CATEGORIES: Record<string, number> = { P: 0x50, H: 0x48, K: 0x4b, Z: 0x5a, D: 0x44, T: 0x54, M: 0x4d, G: 0x47, Q: 0x51, I: 0x49, O: 0x4f };

export interface ReportOptions {
  /** Send as SYN packets of at most this many body bytes (overrides the station's `packetSize`). */
  packetSize?: number;
}

export class Sl651Station extends EventEmitter {
  readonly host: string;
  readonly port: number;
  readonly address: string;
  readonly password: string;
  readonly centre: number;
  readonly category: number;
  readonly timeZone: string;
  readonly faults = new StationFaults();
  readonly options: Readonly<Required<Pick<Sl651StationOptions, 'interval' | 'keepAlive' | 'hourly' | 'addThreshold' | 'packetSize' | 'tick'>>>;
  private readonly measurements: Measurements;
  private readonly link: StationLink;
  private readonly decoder = new FrameDecoder();
  private readonly timers: NodeJS.Timeout[] = [];
  private hourTimer: NodeJS.Timeout | undefined;
  private serial = 0;
  /** The rain counter when the last timed / add report went out: "current rainfall" counts from there. */
  private totalAtTimed: number;
  private totalAtAdd: number;
  private readonly counts: Omit<Sl651StationStats, 'connected' | 'connects' | 'framesOut' | 'bytesOut' | 'queued' | 'dropped'> = {
    sent: {},
    confirmed: 0,
    hangUps: 0,
    acks: 0,
    naks: 0,
    confirmedSerials: [],
    badReplies: 0,
  };
  private started = false;

  constructor(options: Sl651StationOptions) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 5651;
    this.address = check(options.address, /^[0-9A-Fa-f]{10}$/, 'address must be 10 hex digits').toUpperCase();
    this.password = check(options.password ?? '1234', /^[0-9A-Fa-f]{4}$/, 'password must be 4 hex digits').toUpperCase();
    this.centre = options.centre ?? 1;
    if (!Number.isInteger(this.centre) || this.centre < 0 || this.centre > 255) throw usage(`centre must be 0..255, got ${options.centre}`);
    this.category = categoryCode(options.category ?? 'H');
    this.timeZone = options.timeZone ?? 'Asia/Shanghai';
    if (!isTimeZone(this.timeZone)) throw usage(`unknown time zone "${this.timeZone}"`);
    this.options = {
      interval: options.interval ?? 300_000,
      keepAlive: options.keepAlive ?? 40_000,
      hourly: options.hourly ?? true,
      addThreshold: options.addThreshold ?? 1,
      packetSize: options.packetSize ?? 0,
      tick: options.tick ?? 1000,
    };
    const now = Date.now();
    // History starts at the current minute, so an observation time of this minute (the times have
    // no seconds) has values rather than "before the start".
    this.measurements = new Measurements(options.values ?? {}, options.seed ?? 1, this.options.tick, toMinute(now), options.rainTotal ?? 0);
    this.totalAtTimed = this.measurements.rainTotal;
    this.totalAtAdd = this.measurements.rainTotal;
    this.link = new StationLink(this.host, this.port, options.reconnect ?? { initialDelay: 500, maxDelay: 30_000 }, {
      data: (chunk) => this.receive(chunk),
      connect: () => this.emit('connect'),
      disconnect: (reason) => this.emit('disconnect', reason),
    });
  }

  get connected(): boolean {
    return this.link.connected;
  }

  /** Dials the centre and starts the schedules. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.link.open();
    const every = (ms: number, fn: () => void) => ms > 0 && this.timers.push(setInterval(fn, ms));
    every(this.options.tick, () => this.tick());
    every(this.options.interval, () => this.sendTimedReport());
    every(this.options.keepAlive, () => this.sendKeepAlive());
    if (this.options.hourly) this.scheduleHour();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    if (this.hourTimer) clearTimeout(this.hourTimer);
    await this.link.close();
  }

  /** Cuts the connection now; the station reconnects with backoff. */
  dropConnection(): void {
    this.link.drop();
  }

  sendKeepAlive(): number | undefined {
    const now = Date.now();
    return this.transmit(0x2f, (id, serial) => [encodeKeepAlive(id, serial, this.time(now))]);
  }

  sendTestReport(options: ReportOptions = {}): number | undefined {
    const now = this.advance();
    return this.report(0x30, now, toMinute(now), timedElements(this.measurements, now, this.totalAtTimed, this.timeZone), options);
  }

  sendTimedReport(options: ReportOptions = {}): number | undefined {
    const now = this.advance();
    const serial = this.report(0x32, now, toMinute(now), timedElements(this.measurements, now, this.totalAtTimed, this.timeZone), options);
    this.totalAtTimed = this.measurements.rainTotal;
    this.totalAtAdd = this.measurements.rainTotal;
    return serial;
  }

  sendAddReport(options: ReportOptions = {}): number | undefined {
    const now = this.advance();
    const serial = this.report(0x33, now, toMinute(now), addElements(this.measurements, now, this.totalAtAdd), options);
    this.totalAtAdd = this.measurements.rainTotal;
    return serial;
  }

  /**
   * The hourly report for the hour ending at `observed` (default: now rounded down to the minute;
   * on schedule: the full hour).
   */
  sendHourlyReport(options: ReportOptions & { observed?: number } = {}): number | undefined {
    const now = this.advance();
    const observed = toMinute(options.observed ?? now);
    return this.report(0x34, now, observed, hourlyElements(this.measurements, observed, now), options);
  }

  /** Rain that fell at once; sends an add report if it crosses the threshold. */
  addRain(mm: number): void {
    this.measurements.addRain(mm);
    this.checkAddReport(Date.now());
  }

  /** Pins a quantity (rainRate, waterLevel, batteryVoltage, flow, velocity) to a value. */
  set(quantity: Quantity, value: number): void {
    this.measurements.pin(quantity, value);
  }

  release(quantity: Quantity): void {
    this.measurements.release(quantity);
  }

  value(quantity: Quantity): number | undefined {
    return this.measurements.value(quantity, Date.now());
  }

  get rainTotal(): number {
    return this.measurements.rainTotal;
  }

  stats(): Sl651StationStats {
    return {
      ...this.counts,
      sent: { ...this.counts.sent },
      confirmedSerials: [...this.counts.confirmedSerials],
      connected: this.link.connected,
      connects: this.link.connects,
      framesOut: this.link.framesOut,
      bytesOut: this.link.bytesOut,
      queued: this.link.queued,
      dropped: this.link.dropped,
    };
  }

  private tick(): void {
    this.checkAddReport(this.advance());
  }

  private advance(): number {
    const now = Date.now();
    this.measurements.advance(now);
    return now;
  }

  private checkAddReport(now: number): void {
    const threshold = this.options.addThreshold;
    if (threshold <= 0) return;
    this.measurements.advance(now);
    if (tips(this.measurements.rainTotal - this.totalAtAdd) >= threshold) this.sendAddReport();
  }

  private scheduleHour(): void {
    const now = Date.now();
    const local = epochToStationTime(now, this.timeZone);
    const toNextHour = (60 - local.minute) * 60_000 - local.second * 1000 - (now % 1000);
    this.hourTimer = setTimeout(() => {
      this.sendHourlyReport({ observed: now + toNextHour });
      this.scheduleHour();
    }, toNextHour);
  }

  private report(functionCode: number, now: number, observed: number, elements: ElementToEncode[], options: ReportOptions): number | undefined {
    const packetSize = options.packetSize ?? this.options.packetSize;
    return this.transmit(functionCode, (id, serial) =>
      encodeReport(
        id,
        functionCode,
        { serial, sendTime: this.time(now), category: this.category, observed: this.time(observed), elements },
        packetSize > 0 ? packetSize : undefined,
      ),
    );
  }

  /** Encodes with the next serial number, applies the faults, queues the frames; returns the serial. */
  private transmit(functionCode: number, encode: (id: StationIdentity, serial: number) => Buffer[]): number | undefined {
    if (this.faults.silent) return undefined;
    this.serial = (this.serial % 0xffff) + 1;
    const wrong = this.faults.takeWrongPassword();
    const password = wrong ? ((parseInt(this.password, 16) ^ 0xffff).toString(16).toUpperCase().padStart(4, '0')) : this.password;
    const frames = encode({ station: this.address, password, centre: this.centre }, this.serial);
    for (const bytes of frames) {
      if (this.faults.takeBadCrc()) bytes[bytes.length - 1]! ^= 0x5a;
      const garbage = this.faults.takeGarbage();
      this.link.send({ bytes, split: this.faults.splitSize, ...(garbage ? { garbage: noise(garbage) } : {}) });
    }
    const key = functionCode.toString(16).toUpperCase();
    this.counts.sent[key] = (this.counts.sent[key] ?? 0) + 1;
    return this.serial;
  }

  private receive(chunk: Buffer): void {
    for (const result of this.decoder.push(chunk)) {
      if (!result.ok || result.frame.direction !== 'down' || result.frame.station !== this.address) {
        this.counts.badReplies++;
        continue;
      }
      const { frame } = result;
      const serial = frame.body.length >= 2 ? (frame.body[0]! << 8) | frame.body[1]! : undefined;
      if (frame.end === END.ESC || frame.end === END.EOT) {
        this.counts.confirmed++;
        if (serial !== undefined) {
          this.counts.confirmedSerials.push(serial);
          if (this.counts.confirmedSerials.length > 100) this.counts.confirmedSerials.shift();
        }
        if (frame.end === END.EOT) {
          this.counts.hangUps++;
          this.link.hangUp();
        }
      } else if (frame.end === END.ACK) {
        this.counts.acks++;
      } else if (frame.end === END.NAK) {
        this.counts.naks++;
      }
      this.emit('reply', { functionCode: frame.functionCode, serial, end: frame.end });
    }
  }

  private time(instant: number) {
    return epochToStationTime(instant, this.timeZone);
  }
}

/** Creates a station and starts it: it dials the centre in the background and keeps reporting. */
export function startSl651Station(options: Sl651StationOptions): Sl651Station {
  const station = new Sl651Station(options);
  station.start();
  return station;
}

function categoryCode(category: string | number): number {
  if (typeof category === 'number') {
    if (!Number.isInteger(category) || category < 0 || category > 255) throw usage(`category must be a letter or 0..255, got ${category}`);
    return category;
  }
  const code = CATEGORIES[category.toUpperCase()];
  if (code === undefined) throw usage(`category must be one of ${Object.keys(CATEGORIES).join(', ')}, got "${category}"`);
  return code;
}

function check(value: string, pattern: RegExp, message: string): string {
  if (!pattern.test(value)) throw usage(`${message}, got "${value}"`);
  return value;
}

function usage(message: string): SensegateError {
  return new SensegateError('SG_USAGE', message);
}

/** Random bytes without 7E, so noise never looks like the start of a frame. */
function noise(n: number): Buffer {
  const bytes = randomBytes(n);
  for (let i = 0; i < n; i++) if (bytes[i] === 0x7e) bytes[i] = 0x7d;
  return bytes;
}
