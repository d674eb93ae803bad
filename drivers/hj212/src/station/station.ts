/**
 * One configured station: its health, the uploads it sends (published to the points that take
 * their values, split messages put together, acknowledged when asked), and the commands sent to
 * it. A station may be heard on several connections at once (a logger that reconnects before its
 * old connection times out); it is online while any of them is open, and commands go to the one
 * it used last.
 */
import {
  AllowList,
  Episodes,
  SensegateError,
  printable,
  type BackoffSettings,
  type CounterSeries,
  type DeviceRef,
  type DriverContext,
  type ListenedStation,
  type Logger,
  type LogLimiter,
  type MemoryBudget,
  type PublishOptions,
  type Quality,
} from '@sensegate/sdk';
import type { Hj212Connection } from '../config/connection.js';
import type { CommandName, Hj212PointFields } from '../config/point.js';
import { CN, ST } from '../protocol/codes.js';
import type { CpField, PollutantValue } from '../protocol/cp.js';
import { readCpRecords } from '../protocol/cp-records.js';
import { DEFAULT_DATA_FLAG, flagQuality, flagStatus } from '../protocol/data-flags.js';
import { formatQn, parseDataTime } from '../protocol/data-time.js';
import { isSplit, needsAck } from '../protocol/flags.js';
import { encodeFrame } from '../protocol/frame.js';
import { formatSegment, type Packet } from '../protocol/packet.js';
import { buildDataAck, buildRequest } from '../protocol/replies.js';
import { emptyStats, type Hj212Stats } from '../server/stats.js';
import { commandRequest, PendingRequests } from './commands.js';
import { PointMap, dataKindOf } from './point-map.js';
import { RecentPackets } from './recent-packets.js';
import { SplitMessages } from './split-messages.js';
import { UnmatchedValues } from './unmatched.js';
import { toValue } from './values.js';

export type Hj212Device = DeviceRef<Hj212Connection, Hj212PointFields>;

/** A connection as a station sees it: where it comes from and a way to answer. */
export interface StationLink {
  readonly remote: string;
  readonly open: boolean;
  /** Writes a frame; false if the connection can no longer take it. */
  send(frame: Buffer): boolean;
}

/**
 * What a station shares with its listener for split messages: the memory budget, the count of
 * those dropped, and the log limit (whoever knows a password can make a station drop sets).
 */
export interface PiecesBudget {
  budget: MemoryBudget;
  dropped: CounterSeries;
  lines: LogLimiter;
}

/** Packets remembered to recognise a retransmission (the station missed our 9014). */
const REMEMBERED = 64;

interface DecodedRecord {
  ts: number | undefined;
  values: PollutantValue[];
}

export class Station implements ListenedStation {
  readonly id: string;
  readonly mn: string;
  readonly connection: Hj212Connection;
  /** The MN: what the listener knows the station by. */
  readonly key: string;
  /** The listener fields of the connection block. */
  readonly listen: Hj212Connection;
  readonly reconnect: Readonly<BackoffSettings>;
  readonly stats: Hj212Stats = emptyStats();
  readonly allow: AllowList | undefined;
  readonly log: Logger;
  /** Prefix of the listener's episodes of packets refused for this station. */
  readonly refusedEpisodes: string;
  private readonly points: PointMap;
  private readonly split: SplitMessages;
  private readonly requests: PendingRequests;
  private readonly episodes = new Episodes();
  private readonly unmatched = new UnmatchedValues();
  private readonly links = new Set<StationLink>();
  private readonly recent = new RecentPackets(REMEMBERED);
  private current: StationLink | undefined;
  private state: 'waiting' | 'online' | 'offline' | 'refused' = 'waiting';
  /** Set when the device is removed or the driver stops: health is the gateway's business then. */
  private detached = false;
  private lastSt: string | undefined;
  private lastQn = 0;

  constructor(
    readonly device: Hj212Device,
    private readonly context: DriverContext,
    private readonly pieces: PiecesBudget,
  ) {
    this.id = device.id;
    this.mn = device.connection.mn;
    this.key = this.mn;
    this.connection = device.connection;
    this.listen = device.connection;
    this.reconnect = device.reconnect;
    this.log = device.log;
    this.refusedEpisodes = `refused/${this.mn}/`;
    this.allow = device.connection.allow ? new AllowList(device.connection.allow) : undefined;
    this.points = new PointMap(device.points);
    this.requests = new PendingRequests({ driver: context.driver, device: device.id, mn: this.mn });
    this.split = new SplitMessages(
      device.connection.splitTimeout,
      (reason) => {
        this.stats.splitDropped++;
        this.pieces.dropped.inc();
        this.pieces.lines.write({ kind: 'dropped', log: this.log, fields: { station: this.mn }, message: `dropped a split message from station ${this.mn}: ${reason}` });
      },
      this.pieces.budget,
    );
  }

  get online(): boolean {
    return this.state === 'online';
  }

  detach(): void {
    this.detached = true;
    this.split.dispose();
    this.requests.fail(new SensegateError('SG_NOT_CONNECTED', `station ${this.mn} was removed from the configuration`, { driver: this.context.driver, device: this.id }));
  }

  /** A packet from this station was accepted on `link`. */
  accepted(link: StationLink): void {
    this.links.add(link);
    this.current = link;
    if (this.state === 'online' || this.detached) return;
    this.state = 'online';
    this.context.health(this.id, 'online', `station ${this.mn} reporting from ${link.remote}`);
  }

  /** A connection that carried this station closed. */
  linkClosed(link: StationLink, reason: string): void {
    if (!this.links.delete(link)) return;
    if (this.current === link) this.current = [...this.links].at(-1);
    if (this.links.size > 0 || this.detached) return;
    const error = new SensegateError('SG_CONNECTION_LOST', `station ${this.mn}: ${reason}`, { driver: this.context.driver, device: this.id });
    this.requests.fail(error);
    if (this.state !== 'online') return;
    this.state = 'offline';
    this.context.health(this.id, 'offline', error);
  }

  /**
   * Packets claiming to be this station were refused (wrong password, address not allowed). Shown
   * in health only while the station has not got in, so a stray packet cannot mark it down.
   */
  refused(error: SensegateError): void {
    this.stats.framesRefused++;
    if (this.state === 'online' || this.state === 'refused' || this.detached) return;
    this.state = 'refused';
    this.context.health(this.id, 'offline', error);
  }

  /** An accepted packet. Never throws: a bad packet costs only itself. */
  handle(packet: Packet, link: StationLink): void {
    this.stats.framesAccepted++;
    if (packet.st !== ST.SYSTEM) this.lastSt = packet.st;
    if (packet.cn === CN.REQUEST_REPLY || packet.cn === CN.EXECUTION_RESULT) {
      let answered = false;
      try {
        answered = this.requests.answer(packet);
      } catch (err) {
        return this.malformed(err as SensegateError, packet);
      }
      if (!answered) {
        this.stats.ignored++;
        this.log.debug({ station: this.mn, qn: packet.qn }, `station ${this.mn} answered CN ${packet.cn} to a request that is no longer waiting (QN ${packet.qn ?? '-'})`);
      }
      return;
    }
    if (this.recent.has(packet)) {
      this.stats.duplicates++;
      this.log.debug({ station: this.mn, qn: packet.qn }, `station ${this.mn} sent CN ${packet.cn} QN ${packet.qn} again; acknowledged again, not published twice`);
      return this.ack(packet, link);
    }
    if (dataKindOf(packet.cn) !== undefined) return this.data(packet, link);
    if (packet.cn === CN.BOOT_TIME) this.booted(packet);
    else {
      this.stats.ignored++;
      if (this.episodes.occur(`ignored/${packet.cn}`)) {
        this.log.info({ station: this.mn, cn: packet.cn }, `station ${this.mn} sent CN ${packet.cn}, which this driver does not act on (logged once)`);
      }
    }
    this.recent.remember(packet);
    this.ack(packet, link);
  }

  private data(packet: Packet, link: StationLink): void {
    let cp = packet.cp;
    if (isSplit(packet.flag) && packet.pnum !== undefined && packet.pno !== undefined && packet.pnum > 1) {
      const outcome = this.split.add({ ...packet, pnum: packet.pnum, pno: packet.pno });
      if (outcome.kind === 'refused') {
        this.stats.splitDropped++;
        this.pieces.dropped.inc();
        this.pieces.lines.write({ kind: 'dropped', log: this.log, fields: { station: this.mn }, message: `refused a split message from station ${this.mn}: ${outcome.reason}` });
        return;
      }
      this.recent.remember(packet);
      this.ack(packet, link);
      if (outcome.kind === 'partial') return;
      cp = outcome.cp;
      const records = this.decode(cp, packet);
      if (records) this.publish(packet.cn, records);
      return;
    }
    const records = this.decode(cp, packet);
    if (!records) return; // not acknowledged: the data did not reach the gateway
    this.publish(packet.cn, records);
    this.recent.remember(packet);
    this.ack(packet, link);
  }

  private decode(cp: string, packet: Packet): DecodedRecord[] | undefined {
    try {
      const records = readCpRecords(cp);
      const decoded: DecodedRecord[] = new Array(records.length);
      for (let i = 0; i < records.length; i++) {
        const { dataTime, values } = records[i]!;
        decoded[i] = { ts: dataTime === undefined ? undefined : parseDataTime(dataTime, this.connection.timeZone), values };
      }
      return decoded;
    } catch (err) {
      this.malformed(err as SensegateError, packet);
      return undefined;
    }
  }

  private publish(cn: string, records: readonly DecodedRecord[]): void {
    const byCode = this.points.ofCn(cn);
    for (const { ts, values } of records) {
      // Values of a record mostly share their flag: they share one options object too, as the
      // points of one value always have (publish only reads it).
      let options: PublishOptions | undefined;
      for (const v of values) {
        const points = byCode?.get(v.code)?.get(v.field);
        if (!points) {
          this.stats.valuesUnmatched++;
          if (this.unmatched.first(cn, v.code, v.field)) {
            const code = printable(v.code, 40);
            const field = printable(v.field, 40);
            this.log.debug({ station: this.mn, cn, code, field }, `station ${this.mn} sends ${code}-${field} in CN ${cn}; no point takes it (logged once)`);
          }
          continue;
        }
        const flag = v.flag ?? DEFAULT_DATA_FLAG;
        const value = toValue(v.value);
        const quality: Quality = value === null ? 'bad' : flagQuality(flag);
        const status = flagStatus(flag);
        if (options === undefined || options.quality !== quality || options.status !== status) {
          options = ts === undefined ? { quality, status } : { quality, status, ts };
        }
        for (const point of points) {
          this.context.publish(this.id, point.id, value, options);
          this.stats.valuesPublished++;
        }
      }
    }
  }

  private booted(packet: Packet): void {
    const restart = /(?:^|[;,])RestartTime=(\d{14})/.exec(packet.cp)?.[1];
    this.context.event({
      type: 'hj212.boot',
      ts: Date.now(),
      device: this.id,
      severity: 'info',
      message: `station ${this.mn} reports that its data logger started${restart ? ` at ${restart}` : ''}`,
      data: { mn: this.mn, ...(restart ? { restartTime: restart } : {}) },
    });
  }

  /** A packet that passed framing and checks but whose content is unreadable. */
  private malformed(error: SensegateError, packet: Packet): void {
    this.stats.framesMalformed++;
    if (this.episodes.occur('malformed-content')) {
      const cp = printable(packet.cp, 64);
      this.log.warn(
        { code: error.code, station: this.mn, cn: packet.cn, excerpt: cp },
        `unreadable CN ${packet.cn} from station ${this.mn}: ${printable(error.message)}; CP: ${cp} (logged once until a packet reads well)`,
      );
    }
  }

  /** Counts a malformed frame on a connection that carried this station. */
  noteMalformed(): void {
    this.stats.framesMalformed++;
  }

  private ack(packet: Packet, link: StationLink): void {
    this.episodes.end('malformed-content');
    if (!needsAck(packet.flag)) return;
    if (link.send(encodeFrame(formatSegment(buildDataAck(packet, this.connection.dialect))))) this.stats.acksSent++;
  }

  /** Sends a named command and waits for the station to execute it. */
  command(name: CommandName, value: Parameters<typeof commandRequest>[1], timeout: number): Promise<void> {
    const request = commandRequest(name, value, this.connection.timeZone);
    return this.request(request.cn, request.fields, timeout);
  }

  /** Sends any request (CN and CP fields) and waits for ExeRtn 1. */
  async request(cn: string, fields: readonly CpField[], timeout: number): Promise<void> {
    const link = this.current;
    if (!link || !link.open || this.detached) {
      throw new SensegateError('SG_NOT_CONNECTED', `station ${this.mn} is not connected; commands go out on the station's own connection`, {
        driver: this.context.driver,
        device: this.id,
        status: 'hj212:not-connected',
      });
    }
    const qn = this.nextQn();
    const request = buildRequest({
      qn,
      st: this.connection.st ?? this.lastSt ?? ST.AIR_QUALITY,
      cn,
      pw: this.connection.password,
      mn: this.mn,
      fields: [...fields],
      dialect: this.connection.dialect,
    });
    const answered = this.requests.wait(qn, cn, timeout);
    if (!link.send(encodeFrame(formatSegment(request)))) {
      this.requests.fail(new SensegateError('SG_NOT_CONNECTED', `the connection of station ${this.mn} closed before CN ${cn} could be sent`, { driver: this.context.driver, device: this.id }), qn);
    }
    this.log.info({ station: this.mn, cn, qn, remote: link.remote }, `sent CN ${cn} to station ${this.mn} (QN ${qn})`);
    await answered;
  }

  /** QNs are the send time in ms in the station's zone; two requests in one ms get distinct ones. */
  private nextQn(): string {
    const ms = Math.max(Date.now(), this.lastQn + 1);
    this.lastQn = ms;
    return formatQn(ms, this.connection.timeZone);
  }
}
