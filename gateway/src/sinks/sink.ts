/**
 * A sink delivers journal entries to a platform endpoint (an MQTT broker, NATS JetStream, an HTTP
 * collector). It formats and sends one message at a time and reports when the endpoint has
 * acknowledged it; the forwarder decides what to send, when, and in which order.
 */
import type { EventEmitter } from 'node:events';
import type { OutboundMessage } from '../feed/entry.js';

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

export interface Sink extends EventEmitter<SinkEvents> {
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
   * Sends one message. Resolves when the endpoint acknowledged it (MQTT PUBACK, JetStream ack,
   * HTTP 2xx); rejects if it cannot be delivered on this connection. Called only while `connected`.
   * Rejects with SG_MESSAGE_REFUSED when the endpoint will never take this message (too large for
   * it, or refused by its reason code): the forwarder then splits it, and dead-letters an entry
   * refused on its own, instead of sending it again.
   */
  send(message: OutboundMessage): Promise<void>;
  /** Announces a graceful shutdown (death message), then closes. In-flight sends settle or reject. */
  stop(): Promise<void>;
}
