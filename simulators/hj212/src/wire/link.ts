/**
 * The station's TCP connection to the platform. Data loggers dial in: the link connects, and when
 * the connection drops it reconnects with exponential backoff (the sdk's, with jitter, so a
 * thousand stations do not return in the same millisecond). Its timers are the shared scheduler's:
 * the station asks `due()` and calls `run()`.
 */
import { connect, type Socket } from 'node:net';
import { Backoff, type BackoffSettings } from '@sensegate/sdk';

export interface LinkEvents {
  /** A connection is up (not called for the throwaway connections of a reconnect storm). */
  connected(): void;
  data(chunk: Buffer): void;
  /** The connection was lost; the next attempt is in `retryIn` ms. */
  disconnected(reason: string, retryIn: number): void;
  /** An attempt failed (refused, timed out); the next is in `retryIn` ms. */
  connectFailed(reason: string, retryIn: number): void;
}

export interface LinkOptions {
  host: string;
  port: number;
  reconnect: BackoffSettings;
  connectTimeout: number;
  random: () => number;
  realNow: () => number;
  /** Tells the scheduler that the link's next attempt moved (see `due()`). */
  wake(): void;
}

export class StationLink {
  private socket: Socket | undefined;
  private state: 'idle' | 'connecting' | 'open' | 'closed' = 'idle';
  private readonly backoff: Backoff;
  /** Real time of the next connection attempt (Infinity: none planned). */
  private reconnectAt = Infinity;
  /** Throwaway connections still to make (reconnect storm). */
  private storm = 0;
  /** Changes with every connection, so a slow write can tell its connection is gone. */
  generation = 0;
  connects = 0;
  disconnects = 0;
  bytesOut = 0;
  lastError: string | undefined;

  constructor(
    private readonly options: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.backoff = new Backoff(options.reconnect, options.random);
  }

  get open(): boolean {
    return this.state === 'open';
  }

  start(): void {
    if (this.state === 'idle' && this.reconnectAt === Infinity) this.connect();
  }

  due(): number {
    return this.reconnectAt;
  }

  run(now: number): void {
    if (this.state === 'idle' && now >= this.reconnectAt) this.connect();
  }

  /** Writes at once if connected; false (the bytes are dropped) otherwise. */
  write(bytes: Buffer): boolean {
    if (this.state !== 'open' || !this.socket) return false;
    this.bytesOut += bytes.length;
    this.socket.write(bytes);
    return true;
  }

  /** Closes the connection now, as a failing modem does; the link reconnects after its backoff. */
  drop(): void {
    this.socket?.destroy();
  }

  /** Connects and disconnects `count` times in a row, then connects for good. */
  reconnectStorm(count: number): void {
    this.storm += count;
    if (this.socket) this.socket.destroy();
    else if (this.state === 'idle') this.connect();
  }

  /** Closes for good; resolves once the socket is closed. */
  close(): Promise<void> {
    this.state = 'closed';
    this.reconnectAt = Infinity;
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private connect(): void {
    this.state = 'connecting';
    this.reconnectAt = Infinity;
    const socket = connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true); // a split frame's pieces leave as separate segments
    socket.setTimeout(this.options.connectTimeout, () => socket.destroy(new Error(`no connection within ${this.options.connectTimeout} ms`)));
    let opened = false;
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.connects++;
      this.generation++;
      if (this.storm > 0) {
        this.storm--;
        socket.destroy();
        return;
      }
      opened = true;
      this.state = 'open';
      this.backoff.reset();
      this.events.connected();
    });
    socket.on('data', (chunk: Buffer) => this.events.data(chunk));
    socket.on('error', (err) => (this.lastError = err.message));
    socket.once('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (this.state === 'closed') return;
      this.state = 'idle';
      this.generation++;
      // Storm connections follow each other at once; otherwise wait as the backoff says.
      const retryIn = this.storm > 0 ? 0 : this.backoff.next();
      this.reconnectAt = this.options.realNow() + retryIn;
      if (opened) {
        this.disconnects++;
        this.events.disconnected(this.lastError ?? 'closed by the platform', retryIn);
      } else if (this.lastError !== undefined) {
        this.events.connectFailed(this.lastError, retryIn);
      }
      this.lastError = undefined;
      this.options.wake();
    });
  }
}
