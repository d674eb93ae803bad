/**
 * The station's TCP link to the centre. Stations dial in: the link connects, reconnects with
 * backoff when the connection is lost, and keeps frames in order in a bounded queue while it is
 * down, as an RTU stores reports until its modem is back. After the centre says EOT (hang up) the
 * link stays down until the next frame needs sending.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { RetryTimer, type BackoffSettings } from '@sensegate/sdk';

export interface OutgoingFrame {
  bytes: Buffer;
  /** Write in pieces of this many bytes (0: at once). */
  split: number;
  /** Noise written before the frame. */
  garbage?: Buffer;
}

export interface LinkEvents {
  data(chunk: Buffer): void;
  connect(): void;
  disconnect(reason: string): void;
}

/** Frames kept while the link is down; the oldest are dropped beyond this. */
const QUEUE_LIMIT = 1000;
/** Pause between the pieces of a split frame: long enough for each to arrive in its own TCP segment. */
const SPLIT_PAUSE_MS = 5;

export class StationLink {
  private socket: Socket | undefined;
  private state: 'idle' | 'connecting' | 'open' | 'closed' = 'idle';
  private readonly queue: OutgoingFrame[] = [];
  private readonly retry: RetryTimer;
  private writing = false;
  /** Reconnect when the connection is lost; false after the centre's EOT until the next send. */
  private stayOnline = true;
  connects = 0;
  dropped = 0;
  bytesOut = 0;
  framesOut = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    reconnect: BackoffSettings,
    private readonly events: LinkEvents,
  ) {
    this.retry = new RetryTimer(reconnect);
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  get queued(): number {
    return this.queue.length;
  }

  open(): void {
    this.stayOnline = true;
    if (this.state === 'idle') this.dial();
  }

  send(frame: OutgoingFrame): void {
    if (this.state === 'closed') return;
    this.queue.push(frame);
    if (this.queue.length > QUEUE_LIMIT) {
      this.queue.shift();
      this.dropped++;
    }
    this.stayOnline = true;
    if (this.state === 'idle') this.dial();
    else void this.pump();
  }

  /** The centre said EOT: hang up, and dial again only for the next frame. */
  hangUp(): void {
    this.stayOnline = false;
    this.socket?.end();
  }

  /** Cut the connection now, as a modem losing its carrier does; the link reconnects. */
  drop(): void {
    this.socket?.destroy();
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.retry.cancel();
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  private dial(): void {
    this.state = 'connecting';
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    let opened = false;
    socket.on('connect', () => {
      opened = true;
      this.state = 'open';
      this.connects++;
      this.retry.succeeded();
      this.events.connect();
      void this.pump();
    });
    socket.on('data', (chunk: Buffer) => this.events.data(chunk));
    let reason = 'closed by the centre';
    socket.on('error', (err) => (reason = err.message));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (this.state === 'closed') return;
      if (opened) this.events.disconnect(reason);
      if (this.stayOnline || this.queue.length > 0) {
        this.state = 'connecting';
        this.retry.schedule(() => {
          if (this.state === 'connecting') this.dial();
        });
      } else {
        this.state = 'idle';
      }
    });
  }

  /** Writes queued frames in order; a frame cut short by a lost connection is sent again whole. */
  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0 && this.state === 'open') {
        const socket = this.socket!;
        const frame = this.queue[0]!;
        if (frame.garbage?.length) socket.write(frame.garbage);
        if (frame.split > 0) {
          for (let at = 0; at < frame.bytes.length && !socket.destroyed; at += frame.split) {
            socket.write(frame.bytes.subarray(at, at + frame.split));
            await sleep(SPLIT_PAUSE_MS);
          }
        } else {
          socket.write(frame.bytes);
        }
        if (socket.destroyed || this.socket !== socket) break;
        this.queue.shift();
        this.framesOut++;
        this.bytesOut += frame.bytes.length;
      }
    } finally {
      this.writing = false;
    }
  }
}
