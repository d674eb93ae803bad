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
  devices: Array<{
    id: string;
    name?: string;
    driver: string;
    tags?: Record<string, string>;
    points: Array<{ id: string; name?: string; unit?: string; type?: string; writable: boolean; pollInterval?: number; derived?: string }>;
  }>;
}

export interface SinkEvents {
  connect: [];
  disconnect: [reason: string];
}

export interface Sink extends EventEmitter<SinkEvents> {
  /** The sink's name from the configuration; also the name of its journal cursor. */
  readonly name: string;
  readonly connected: boolean;
  /** Begins connecting; resolves at once, without waiting for the endpoint. */
  start(birth: BirthInfo): Promise<void>;
  /**
   * Sends one message. Resolves when the endpoint acknowledged it (MQTT PUBACK, JetStream ack,
   * HTTP 2xx); rejects if it cannot be delivered on this connection. Called only while `connected`.
   */
  send(message: OutboundMessage): Promise<void>;
  /** Announces a graceful shutdown (death message), then closes. In-flight sends settle or reject. */
  stop(): Promise<void>;
}
