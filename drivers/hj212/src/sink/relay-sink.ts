/**
 * The HJ 212 relay: the gateway reports its stations' data to a higher platform the way a data
 * logger would, over one TCP connection. With `ack` on, every packet asks for a CN 9014 answer
 * and a message counts as delivered only when all its packets were answered; a packet left
 * unanswered past `ackTimeout` replaces the connection, and the forwarder replays from the
 * journal. Events are not part of HJ 212's data and are passed over.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  Backoff,
  SensegateError,
  type BirthInfo,
  type CounterSeries,
  type GaugeSeries,
  type OutboundMessage,
  type Reading,
  type SinkContext,
  type SinkEvents,
  type SinkInstance,
} from '@sensegate/sdk';
import { encodeFrame, FrameDecoder, formatQn, formatSegment, makeFlag, parseSegment } from '../protocol/index.js';
import { relayPackets, type RelayPacket } from './packets.js';
import type { Hj212SinkConfig } from './schema.js';
import { relayStations, type RelayStation } from './stations.js';

interface AwaitingAck {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

class Hj212Sink extends EventEmitter<SinkEvents> implements SinkInstance {
  readonly name: string;
  private readonly endpoint: string;
  private readonly stations: Map<string, RelayStation>;
  private readonly backoff: Backoff;
  private socket: Socket | undefined;
  private isConnected = false;
  private stopped = false;
  private failing = false;
  private everConnected = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly awaiting = new Map<string, AwaitingAck>();
  private lastQn = 0;
  private readonly metrics: { connected: GaugeSeries; connects: CounterSeries; bytes: CounterSeries; packets: CounterSeries };

  constructor(
    private readonly config: Hj212SinkConfig,
    private readonly context: SinkContext,
  ) {
    super();
    this.name = context.name;
    this.endpoint = `${config.host}:${config.port}`;
    this.stations = relayStations(config, context.devices, context);
    this.backoff = new Backoff(config.reconnect);
    this.metrics = {
      connected: context.metrics.gauge('sensegate_sink_connected', '1 while the sink is connected to its endpoint.'),
      connects: context.metrics.counter('sensegate_sink_connects_total', 'Successful connections of a sink to its endpoint.'),
      bytes: context.metrics.counter('sensegate_sink_bytes_total', 'Payload bytes published by a sink.'),
      packets: context.metrics.counter('sensegate_hj212_relay_packets_total', 'HJ 212 packets relayed upstream (acknowledged when `ack` is on).'),
    };
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async start(_birth: BirthInfo): Promise<void> {
    if (this.stations.size === 0) this.context.log.warn(`sink ${this.name}: no hj212 device to relay; the sink passes every message over`);
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const log = this.context.log;
    const socket = connect({ host: this.config.host, port: this.config.port, noDelay: true });
    this.socket = socket;
    const decoder = new FrameDecoder();
    let lastError: Error | undefined;
    const connectTimer = setTimeout(() => socket.destroy(new Error(`no connection within ${this.config.connectTimeout} ms`)), this.config.connectTimeout);
    socket.on('connect', () => {
      clearTimeout(connectTimer);
      if (this.socket !== socket || this.stopped) return;
      this.backoff.reset();
      this.failing = false;
      this.isConnected = true;
      this.metrics.connected.set(1);
      this.metrics.connects.inc();
      log.info({ endpoint: this.endpoint }, `sink ${this.name}: ${this.everConnected ? 'reconnected' : 'connected'} to ${this.endpoint} (HJ 212 relay)`);
      this.everConnected = true;
      this.emit('connect');
    });
    socket.on('data', (chunk) => {
      for (const result of decoder.push(chunk)) {
        if (!result.ok) {
          log.debug({ endpoint: this.endpoint, excerpt: result.excerpt }, `sink ${this.name}: ignoring a malformed frame from the platform: ${result.error.message}`);
          continue;
        }
        this.answered(result.segment);
      }
    });
    socket.on('error', (err) => {
      lastError = err;
    });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      const reason = lastError?.message ?? 'connection closed';
      this.rejectAwaiting(reason);
      if (this.isConnected) {
        this.isConnected = false;
        this.metrics.connected.set(0);
        if (!this.stopped) log.warn({ endpoint: this.endpoint, reason }, `sink ${this.name}: connection to ${this.endpoint} lost (${reason}); reconnecting, data is kept in the journal`);
        this.emit('disconnect', reason);
      } else if (!this.stopped && !this.failing) {
        this.failing = true;
        log.warn({ endpoint: this.endpoint, reason }, `sink ${this.name}: cannot connect to ${this.endpoint} (${reason}); retrying with backoff, data is kept in the journal`);
      }
      if (!this.stopped) this.reconnectTimer = setTimeout(() => this.connect(), this.backoff.next());
    });
  }

  /** A frame from the platform: a 9014 settles the packet with its QN; anything else is not ours to act on. */
  private answered(segment: string): void {
    let packet;
    try {
      packet = parseSegment(segment);
    } catch (err) {
      this.context.log.debug(`sink ${this.name}: ignoring an unreadable packet from the platform: ${(err as Error).message}`);
      return;
    }
    if (packet.cn !== '9014' || packet.qn === undefined) return;
    const waiting = this.awaiting.get(packet.qn);
    if (!waiting) return;
    this.awaiting.delete(packet.qn);
    clearTimeout(waiting.timer);
    waiting.resolve();
  }

  async send(message: OutboundMessage): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.isConnected) throw new SensegateError('SG_NOT_CONNECTED', `sink ${this.name} is not connected`);
    if (message.kind !== 'reading') return;
    const packets = relayPackets(JSON.parse(`[${message.items}]`) as Reading[], this.stations);
    if (packets.length === 0) return;
    await Promise.all(packets.map((p) => this.sendPacket(socket, p)));
  }

  private sendPacket(socket: Socket, packet: RelayPacket): Promise<void> {
    const qn = this.nextQn(packet.station.timeZone);
    const flag = makeFlag({ dialect: '2017', ack: this.config.ack });
    const frame = encodeFrame(
      formatSegment({ qn, st: packet.station.st, cn: packet.cn, pw: packet.station.password, mn: packet.station.mn, flag, cp: packet.cp }),
    );
    this.metrics.bytes.inc(frame.length);
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.metrics.packets.inc();
        resolve();
      };
      if (this.config.ack) {
        const timer = setTimeout(() => {
          // An unanswered packet means the platform stopped listening: start over on a new connection.
          socket.destroy(new Error(`no 9014 acknowledgement for QN ${qn} within ${this.config.ackTimeout} ms`));
        }, this.config.ackTimeout);
        this.awaiting.set(qn, { resolve: done, reject, timer });
      }
      socket.write(frame, (err) => {
        if (err) return; // 'close' rejects what is awaiting
        if (!this.config.ack) done();
      });
    });
  }

  /** QNs are request times with millisecond precision; consecutive packets get distinct ones. */
  private nextQn(timeZone: string): string {
    const now = Math.max(Date.now(), this.lastQn + 1);
    this.lastQn = now;
    return formatQn(now, timeZone);
  }

  private rejectAwaiting(reason: string): void {
    for (const [qn, waiting] of this.awaiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new SensegateError('SG_CONNECTION_LOST', `sink ${this.name}: connection lost before the platform acknowledged QN ${qn} (${reason})`));
    }
    this.awaiting.clear();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    if (socket) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      });
    }
    this.rejectAwaiting('sink stopped');
    if (this.isConnected) {
      this.isConnected = false;
      this.metrics.connected.set(0);
      this.emit('disconnect', 'stopped');
    }
    this.context.log.info(`sink ${this.name}: closed`);
  }
}

export function createHj212Sink(config: Hj212SinkConfig, context: SinkContext): SinkInstance {
  return new Hj212Sink(config, context);
}
