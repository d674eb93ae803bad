/**
 * The MQTT sink: publishes the feed with QoS 1 and reports each PUBACK to the forwarder. One MQTT
 * client per connection: when a connection ends, everything unacknowledged on it is rejected and
 * the forwarder replays it from the journal, so nothing depends on a client library's in-memory
 * queue surviving. The birth message is published (retained) on every connect; the death message
 * is the last will, and is published explicitly on a graceful stop.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  Backoff,
  SensegateError,
  isLoopback,
  refused,
  type BirthInfo,
  type CommandHandler,
  type CounterSeries,
  type GaugeSeries,
  type OutboundMessage,
  type SinkContext,
  type SinkEvents,
  type SinkInstance,
} from '@sensegate/sdk';
import type { MqttSinkConfig } from './schema.js';

/** Version of the message envelope; bumped only for changes a consumer must know about. */
export const FEED_VERSION = 1;
const DEATH_TIMEOUT = 2000;
/** A PUBLISH packet's bytes besides topic and payload: fixed header, topic length, packet id, properties. */
const PUBLISH_OVERHEAD = 16;
/** MQTT 5 PUBACK reason codes that refuse this message whatever happens: packet too large, payload format invalid. */
const REFUSED_FOR_GOOD = new Set([0x95, 0x99]);

export interface FeedTopics {
  data: string;
  events: string;
  status: string;
  /** Command requests from the platform, and the gateway's acknowledgements (docs/commands.md). */
  commands: string;
  acks: string;
}

export function feedTopics(prefix: string, gatewayId: string): FeedTopics {
  const base = `${prefix}/${gatewayId}`;
  return { data: `${base}/data`, events: `${base}/events`, status: `${base}/status`, commands: `${base}/commands`, acks: `${base}/commands/ack` };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** The URL without credentials, for logs. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

class MqttSink extends EventEmitter<SinkEvents> implements SinkInstance {
  readonly name: string;
  private readonly topics: FeedTopics;
  private readonly options: IClientOptions;
  private readonly url: string;
  private readonly backoff: Backoff;
  private readonly gatewayJson: string;
  private client: MqttClient | undefined;
  private isConnected = false;
  /** Payload bytes the broker takes on this connection, from its CONNACK (MQTT 5 Maximum Packet Size). */
  private limit: number | undefined;
  private stopped = false;
  private birth: BirthInfo | undefined;
  private commandHandler: CommandHandler | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Pending>();
  /** Set while connection attempts fail; the failure is logged once per episode. */
  private failing = false;
  private everConnected = false;
  private readonly metrics: { connected: GaugeSeries; connects: CounterSeries; bytes: CounterSeries };

  constructor(
    private readonly config: MqttSinkConfig,
    private readonly context: SinkContext,
  ) {
    super();
    this.name = context.name;
    this.url = safeUrl(config.url);
    this.topics = feedTopics(config.topicPrefix, context.gatewayId);
    this.gatewayJson = JSON.stringify(context.gatewayId);
    this.backoff = new Backoff(config.reconnect);
    this.options = this.clientOptions();
    this.metrics = {
      connected: context.metrics.gauge('sensegate_sink_connected', '1 while the sink is connected to its endpoint.'),
      connects: context.metrics.counter('sensegate_sink_connects_total', 'Successful connections of a sink to its endpoint.'),
      bytes: context.metrics.counter('sensegate_sink_bytes_total', 'Payload bytes published by a sink.'),
    };
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get messageLimit(): number | undefined {
    return this.limit;
  }

  /** Secrets and certificate files are read here, so a missing one fails at startup, by name. */
  private clientOptions(): IClientOptions {
    const { config, context } = this;
    const file = (field: string, path: string) => {
      const full = isAbsolute(path) ? path : resolve(context.baseDir, path);
      try {
        return readFileSync(full);
      } catch (err) {
        throw new SensegateError('SG_CONFIG_INVALID', `sink ${this.name}: tls.${field}: cannot read ${full}: ${(err as Error).message}`, {
          source: `sink ${this.name}`,
          cause: err,
        });
      }
    };
    const options: IClientOptions = {
      protocolVersion: config.protocolVersion,
      clientId: config.clientId ?? `sensegate-${context.gatewayId}`,
      clean: true,
      keepalive: Math.round(config.keepalive / 1000),
      connectTimeout: config.connectTimeout,
      reconnectPeriod: 0, // reconnects are ours: with backoff and jitter, and a fresh client each time
      queueQoSZero: false,
    };
    if (config.username !== undefined) options.username = config.username;
    if (config.password !== undefined) options.password = context.secret('password', config.password);
    if (config.tls) {
      const tls = config.tls;
      if (tls.ca) options.ca = file('ca', tls.ca);
      if (tls.cert) options.cert = file('cert', tls.cert);
      if (tls.key) options.key = file('key', tls.key);
      // mqtt.js hands its options to tls.connect, which takes the key's passphrase.
      if (tls.passphrase !== undefined) (options as IClientOptions & { passphrase?: string }).passphrase = context.secret('tls.passphrase', tls.passphrase);
      options.rejectUnauthorized = tls.rejectUnauthorized;
      if (tls.servername) options.servername = tls.servername;
    }
    if (config.protocolVersion === 5) options.properties = { sessionExpiryInterval: 0 };
    return options;
  }

  async start(birth: BirthInfo): Promise<void> {
    this.birth = birth;
    this.warnIfClear();
    this.connect();
  }

  /** A password over plain mqtt:// or ws:// can be read by anyone on the way to the broker: say so once, at start. */
  private warnIfClear(): void {
    const { config } = this;
    if (config.password === undefined || !/^(mqtt|ws):/.test(config.url)) return;
    const host = hostOf(config.url);
    if (host !== undefined && isLoopback(host)) return;
    this.context.log.warn(
      { url: this.url, code: 'SG_CLEAR_CREDENTIALS' },
      `sink ${this.name}: the broker password for ${config.username ?? 'its user'} is sent unencrypted to ${this.url}; anyone on the network path can read it. ` +
        `Use mqtts:// (or wss://) with the broker's certificate (tls.ca), or a client certificate instead of a password`,
    );
  }

  acceptCommands(handler: CommandHandler, limits: { maxRequestBytes: number }): void {
    this.commandHandler = handler;
    // MQTT 5: the broker must not deliver a packet larger than this (it drops it instead), so an
    // oversized request never reaches the gateway's memory. MQTT 3.1.1 has no such limit; the
    // router refuses the request unread.
    if (this.config.protocolVersion === 5) {
      this.options.properties = { ...this.options.properties, maximumPacketSize: limits.maxRequestBytes + 1024 + Buffer.byteLength(this.topics.commands) };
    }
  }

  announce(birth: BirthInfo): void {
    this.birth = birth;
    if (this.isConnected && !this.stopped) this.client?.publish(this.topics.status, this.birthPayload(birth), { qos: 1, retain: true });
  }

  private connect(): void {
    if (this.stopped) return;
    const log = this.context.log;
    // The will carries this run's session, known once start() gave the birth.
    const will = { topic: this.topics.status, payload: Buffer.from(this.deathPayload('lost')), qos: 1 as const, retain: true };
    const client = mqtt.connect(this.config.url, { ...this.options, will });
    this.client = client;
    let opened = false;
    let lastError: Error | undefined;
    client.on('connect', (connack) => {
      if (this.client !== client || this.stopped) return;
      opened = true;
      const maximum = connack.properties?.maximumPacketSize;
      // A PUBLISH is its fixed header (at most 5 bytes), topic, packet id and properties, then the payload.
      this.limit = maximum === undefined ? undefined : Math.max(0, maximum - PUBLISH_OVERHEAD - Math.max(Buffer.byteLength(this.topics.data), Buffer.byteLength(this.topics.events)));
      this.backoff.reset();
      const again = this.everConnected;
      this.everConnected = true;
      this.failing = false;
      this.isConnected = true;
      this.metrics.connected.set(1);
      this.metrics.connects.inc();
      log.info(
        { url: this.url, protocolVersion: this.config.protocolVersion },
        `sink ${this.name}: ${again ? 'reconnected' : 'connected'} to ${this.url} (MQTT ${this.config.protocolVersion === 5 ? '5' : '3.1.1'})`,
      );
      if (this.birth) client.publish(this.topics.status, this.birthPayload(this.birth), { qos: 1, retain: true });
      if (this.commandHandler) this.listenForCommands(client, this.commandHandler);
      this.emit('connect');
    });
    client.on('error', (err) => {
      lastError = err;
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined; // first: end() may emit 'close' again, which must find nothing to do
      client.removeAllListeners('connect');
      client.end(true);
      const reason = lastError?.message ?? 'connection closed';
      this.rejectPending(reason);
      if (this.isConnected) {
        this.isConnected = false;
        this.metrics.connected.set(0);
        if (!this.stopped) log.warn({ url: this.url, reason }, `sink ${this.name}: connection to ${this.url} lost (${reason}); reconnecting, data is kept in the journal`);
        this.emit('disconnect', reason);
      } else if (!opened && !this.stopped) {
        if (!this.failing) {
          this.failing = true;
          log.warn(
            { url: this.url, reason },
            `sink ${this.name}: cannot connect to ${this.url} (${reason}); retrying with backoff, data is kept in the journal`,
          );
        } else {
          log.debug({ url: this.url, reason }, `sink ${this.name}: connection attempt failed (${reason})`);
        }
      }
      if (!this.stopped) {
        const delay = this.backoff.next();
        this.reconnectTimer = setTimeout(() => this.connect(), delay);
      }
    });
  }

  /**
   * Subscribes to the commands topic (QoS 1) and answers each request on the acks topic. A clean
   * session means no requests are queued for the gateway while it is away: a PTZ move or a setpoint
   * sent an hour ago should not run now.
   */
  private listenForCommands(client: MqttClient, handler: CommandHandler): void {
    const log = this.context.log;
    client.subscribe(this.topics.commands, { qos: 1 }, (err) => {
      if (err) log.warn({ topic: this.topics.commands }, `sink ${this.name}: cannot subscribe to ${this.topics.commands}: ${err.message}; commands are not received`);
    });
    if (client.listenerCount('message') > 0) return;
    client.on('message', (topic, payload, packet) => {
      if (topic !== this.topics.commands) return;
      void handler(payload, { retained: packet.retain }).then((ack) => {
        if (this.client === client && this.isConnected) client.publish(this.topics.acks, JSON.stringify(ack), { qos: 1 });
      });
    });
  }

  send(message: OutboundMessage): Promise<void> {
    const client = this.client;
    if (!client || !this.isConnected) return Promise.reject(new SensegateError('SG_NOT_CONNECTED', `sink ${this.name} is not connected`));
    const payload =
      `{"v":${FEED_VERSION},"gateway":${this.gatewayJson},"seq":${message.seq},"historical":${message.historical},"sent":${Date.now()},` +
      `"${message.kind === 'reading' ? 'readings' : 'events'}":[${message.items}]}`;
    if (this.limit !== undefined && Buffer.byteLength(payload) > this.limit) {
      // The broker said it takes no more: sending would only get the connection closed.
      return Promise.reject(refused(`sink ${this.name}: a message of ${Buffer.byteLength(payload)} bytes is over the ${this.limit} bytes ${this.url} takes (its Maximum Packet Size)`));
    }
    this.metrics.bytes.inc(payload.length);
    return new Promise<void>((resolve, reject) => {
      const entry: Pending = { resolve, reject };
      this.pending.add(entry);
      client.publish(message.kind === 'reading' ? this.topics.data : this.topics.events, payload, { qos: 1 }, (err) => {
        if (!this.pending.delete(entry)) return;
        if (!err) return resolve();
        const reason = (err as { code?: unknown }).code;
        const why = `sink ${this.name}: ${this.url} did not accept the message${typeof reason === 'number' ? ` (reason code 0x${reason.toString(16)})` : ''}: ${err.message}`;
        const forGood = typeof reason === 'number' && REFUSED_FOR_GOOD.has(reason);
        reject(forGood ? refused(why, { cause: err }) : new SensegateError('SG_SINK_REJECTED', why, { cause: err, retryable: true }));
      });
    });
  }

  private rejectPending(reason: string): void {
    for (const p of this.pending) p.reject(new SensegateError('SG_CONNECTION_LOST', `sink ${this.name}: connection lost before the broker acknowledged (${reason})`));
    this.pending.clear();
  }

  /** Publishes the death message (retained), then disconnects cleanly so the last will is not sent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return;
    if (this.isConnected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DEATH_TIMEOUT);
        client.publish(this.topics.status, this.deathPayload('shutdown', Date.now()), { qos: 1, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // A clean DISCONNECT when connected (so the broker does not publish the will); a still
    // connecting client is simply dropped.
    await new Promise<void>((resolve) => client.end(!this.isConnected, {}, () => resolve()));
    this.client = undefined;
    this.rejectPending('sink stopped');
    if (this.isConnected) {
      this.isConnected = false;
      this.metrics.connected.set(0);
      this.emit('disconnect', 'stopped');
    }
    this.context.log.info(`sink ${this.name}: closed`);
  }

  private birthPayload(birth: BirthInfo): string {
    return JSON.stringify({ v: FEED_VERSION, type: 'birth', ts: Date.now(), ...birth });
  }

  private deathPayload(reason: 'shutdown' | 'lost', ts?: number): string {
    return JSON.stringify({
      v: FEED_VERSION,
      type: 'death',
      gateway: this.context.gatewayId,
      session: this.birth?.session,
      reason,
      ...(ts === undefined ? {} : { ts }),
    });
  }
}

export function createMqttSink(config: MqttSinkConfig, context: SinkContext): SinkInstance {
  return new MqttSink(config, context);
}
