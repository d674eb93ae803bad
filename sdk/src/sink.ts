/**
 * The sink contract. A sink delivers the feed to one platform endpoint (an MQTT broker, NATS
 * JetStream, an HTTP collector, a higher HJ 212 platform). It formats and sends one message at a
 * time and says what became of it; the gateway's forwarder owns everything else: which entries go
 * in a message, in which order, how many are in flight, the journal cursor, replay after an outage,
 * and what happens to an entry the endpoint refuses for good.
 *
 * Every `send` has one of three answers:
 * - resolve: delivered, the endpoint acknowledged it (MQTT PUBACK, JetStream ack, HTTP 2xx);
 * - reject with any error: not delivered this time; the forwarder sends it again later (the default,
 *   for a lost connection, a timeout, an endpoint that is busy or down);
 * - reject with `refused(reason)` (a `SensegateError` with code SG_MESSAGE_REFUSED): the endpoint
 *   will never take this message. The forwarder splits it to find the entries refused on their
 *   own, moves those to the journal's dead letters (counted, logged once per episode, listed by
 *   `sensegate dead-letters`) and moves on.
 *
 * Obligations of every sink:
 * - `create` validates what the schema could not and reads secrets and certificate files, so a
 *   missing one fails at startup by name; it must not connect.
 * - `start` begins connecting and resolves at once; the sink reconnects with backoff on its own
 *   and emits `connect` and `disconnect` as its connection comes and goes.
 * - A message whose answer is not yet known when the connection ends is rejected (retried later).
 * - `stop` releases every socket and timer; in-flight sends settle or reject.
 */
import type { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { SensegateError } from './errors.js';
import type { Logger } from './logger.js';
import type { DriverMetrics } from './metrics.js';
import type { BasePoint } from './schema.js';
import type { SecretRef } from './secret.js';

/** What a journal entry is: a reading, or an event. */
export type EntryKind = 'reading' | 'event';

/** A message for one sink: consecutive entries of one kind, live or replayed from the journal. */
export interface OutboundMessage {
  kind: EntryKind;
  /** Sequence number of the first entry; entry `i` has `seq + i`. */
  seq: number;
  count: number;
  /** True when the entries are replayed from the journal after an outage or a restart, not sent live. */
  historical: boolean;
  /**
   * The entries as JSON objects joined by commas, without the enclosing brackets: a JSON array of
   * them is `[` + items + `]`. Entries follow docs/feed.schema.json (readings and events).
   */
  items: string;
}

/** Metadata announced in the birth message, so consumers know the gateway's devices and points. */
export interface BirthInfo {
  gateway: string;
  /** The gateway's name and tags from its configuration (site, district, coordinates). */
  name?: string;
  tags?: Record<string, string>;
  version: string;
  /** Increments at every start; lets consumers pair a birth with the death that follows it. */
  session: number;
  startedAt: number;
  /** Each driver in use: its package, its own version and the driver contract it was built for. */
  drivers?: Array<{ name: string; package: string; version: string; contract: number }>;
  devices: Array<{
    id: string;
    name?: string;
    driver: string;
    tags?: Record<string, string>;
    /** What the device said about itself (manufacturer, model, firmware, serial). */
    info?: Record<string, string | number | boolean>;
    /** `direction: write` points are never polled: they have no `pollInterval` and get no readings. */
    points: Array<{
      id: string;
      name?: string;
      unit?: string;
      type?: string;
      writable: boolean;
      direction?: 'read' | 'write' | 'readwrite';
      pollInterval?: number;
      derived?: string;
    }>;
  }>;
}

/** Takes one request as it arrived; resolves with the acknowledgement to publish. */
export type CommandHandler = (payload: Buffer, delivery: { retained: boolean }) => Promise<object>;

export interface SinkEvents {
  connect: [];
  disconnect: [reason: string];
}

/** A running sink: what `create` returns. */
export interface SinkInstance extends EventEmitter<SinkEvents> {
  /** The sink's name from the configuration; also the name of its journal cursor. */
  readonly name: string;
  readonly connected: boolean;
  /**
   * Largest message payload the endpoint said it takes on this connection (MQTT 5's Maximum Packet
   * Size in CONNACK, less the packet's own overhead), when it said so. The forwarder packs within it.
   */
  readonly messageLimit?: number | undefined;
  /** Begins connecting; resolves at once, without waiting for the endpoint. */
  start(birth: BirthInfo): Promise<void>;
  /**
   * Sinks that can receive commands (MQTT) take requests from the platform and hand each to this
   * handler, publishing the acknowledgement it resolves with. Set before `start`. Where the
   * protocol allows, the sink asks its endpoint not to deliver requests over `maxRequestBytes`.
   */
  acceptCommands?(handler: CommandHandler, limits: { maxRequestBytes: number }): void;
  /** A changed birth (a device described itself): announce it now if connected, and at every connect after. */
  announce?(birth: BirthInfo): void;
  /**
   * Sends one message. Called only while `connected`. Resolves when the endpoint acknowledged it;
   * rejects when it was not delivered this time (sent again later); rejects with `refused(reason)`
   * when the endpoint will never take it (too large for it, or refused by its reason code or
   * status): the forwarder then splits it, and dead-letters an entry refused on its own.
   */
  send(message: OutboundMessage): Promise<void>;
  /** Announces a graceful shutdown where the protocol has one (a death message), then closes. */
  stop(): Promise<void>;
}

/** A device of the gateway, for sinks that speak a device protocol upstream (the HJ 212 relay). */
export interface SinkDevice {
  readonly id: string;
  /** The `driver` value as written in the configuration. */
  readonly driver: string;
  readonly enabled: boolean;
  /** The device's `connection` block, validated by its driver's schema. */
  readonly connection: unknown;
  readonly tags: Readonly<Record<string, string>>;
  /** The device's points: the generic fields and its driver's own. */
  readonly points: ReadonlyArray<Readonly<BasePoint & Record<string, unknown>>>;
}

/** What the gateway gives a sink. */
export interface SinkContext {
  /** The sink's `name` from the configuration (its journal cursor's name). */
  readonly name: string;
  readonly gatewayId: string;
  /** The gateway's version, for a sink that announces it. */
  readonly version: string;
  /** A logger bound to this sink. */
  readonly log: Logger;
  /**
   * Counters and gauges served with the gateway's metrics, each series labelled `sink` with the
   * sink's name. The same obligations as a driver's metrics (see DriverMetrics).
   */
  readonly metrics: DriverMetrics;
  /** Folder of the configuration file: relative certificate and secret paths start here. */
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** The gateway's devices. */
  readonly devices: readonly SinkDevice[];
  /**
   * Resolves a secret field of the sink's block (declared with the SDK's `secret()` schema):
   * `{ env: NAME }`, `{ file: PATH }` relative to the configuration file, or a literal. `field`
   * names it for errors (`tls.passphrase`). Throws SG_SECRET_MISSING.
   */
  secret(field: string, ref: SecretRef): string;
}

// Typed loosely (any zod object) so that definitions written against one zod minor version still
// type-check against another.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyObjectSchema = z.ZodObject<any>;

export interface SinkDefinition<CS extends AnyObjectSchema = AnyObjectSchema> {
  /** Short name (`mqtt`) for built-ins; a third-party sink is referenced by its package name. */
  type: string;
  version: string;
  /** One line, shown in the configuration reference. */
  description: string;
  /**
   * Schema of the sink's own fields in its `sinks:` block. The gateway adds `type`, `name` and the
   * delivery settings every sink shares (`batch`, `inFlight`, `replay`); unknown keys are rejected.
   * A field named `maxMessageBytes` is also the forwarder's bound on a message's payload.
   */
  config: CS;
  create(config: z.output<CS>, context: SinkContext): SinkInstance;
}

const BRAND = Symbol.for('sensegate.sink');

/**
 * The version of the contract between a gateway and its sinks that this SDK speaks. It goes up
 * when a change would make a sink built against one SDK misbehave in a gateway of another; a
 * gateway refuses, at load, a sink made for a contract it does not speak, naming both.
 */
export const SINK_CONTRACT = 1;

export type Sink<CS extends AnyObjectSchema = AnyObjectSchema> = Readonly<SinkDefinition<CS>> & {
  readonly [BRAND]: true;
  /** The sink contract of the SDK that made this sink (see SINK_CONTRACT). */
  readonly contract: number;
};

const TYPE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
/** Fields the gateway owns in every sink block. */
const RESERVED = ['type', 'name', 'batch', 'inFlight', 'replay'];

/** Declares a sink. Default-export the result from a sink package. */
export function defineSink<CS extends AnyObjectSchema>(definition: SinkDefinition<CS>): Sink<CS> {
  const problems: string[] = [];
  if (!TYPE.test(definition.type ?? '')) problems.push('`type` must be a lowercase npm-style name');
  if (!definition.version) problems.push('`version` is required');
  if (!definition.description) problems.push('`description` is required');
  if (typeof definition.create !== 'function') problems.push('`create` must be a function');
  if (!definition.config || typeof definition.config.shape !== 'object') {
    problems.push('`config` must be a zod object schema');
  } else {
    const taken = RESERVED.filter((key) => key in definition.config.shape);
    if (taken.length > 0) problems.push(`\`config\` must not declare ${taken.map((k) => `\`${k}\``).join(', ')}: the gateway adds those to every sink`);
  }
  if (problems.length > 0) {
    throw new TypeError(`invalid sink definition "${String(definition.type)}": ${problems.join('; ')}`);
  }
  return Object.freeze({ ...definition, contract: SINK_CONTRACT, [BRAND]: true as const });
}

export function isSink(value: unknown): value is Sink {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * The error by which a sink says its endpoint will never take this message (an HTTP 422, an MQTT 5
 * reason code 0x99): the forwarder splits the message and dead-letters an entry refused on its own,
 * instead of sending it again. `reason` says what the endpoint answered; it is kept with the dead letter.
 */
export function refused(reason: string, options: { cause?: unknown } = {}): SensegateError {
  return new SensegateError('SG_MESSAGE_REFUSED', reason, { retryable: false, ...(options.cause !== undefined ? { cause: options.cause } : {}) });
}

/** True for an error by which a sink said the message is refused for good (from any copy of the SDK). */
export function isRefused(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SG_MESSAGE_REFUSED';
}
