/**
 * An RTSP session: what SETUP created on one connection, for one stream. A player's session
 * carries the interleaved channels of each track it set up and, while playing, receives the
 * stream's packets; a publisher's session maps its channels back to tracks. A player that cannot
 * keep up (its socket buffer stays full) loses packets until the next keyframe, and is disconnected
 * when it stalls for good, so it never holds back the others.
 */
import { randomBytes } from 'node:crypto';
import type { Interleaved } from './transport.js';

/** What a session needs from its connection. */
export interface SessionLink {
  /** Bytes queued in the socket and not yet taken by the kernel. */
  readonly queued: number;
  /** Writes a `$` frame; false when the connection is gone. */
  sendInterleaved(channel: number, data: Buffer): boolean;
  close(reason: string): void;
}

/** Above this many queued bytes a player loses packets until the next keyframe. */
export const PLAYER_HIGH_WATER = 512 * 1024;
/** A player whose buffer stays above the high water this long is disconnected (the default). */
export const PLAYER_STALL_MS = 10_000;

export class RtspSession {
  readonly id = randomBytes(8).toString('hex');
  state: 'ready' | 'playing' | 'recording' = 'ready';
  /** Track index -> channels. */
  readonly tracks = new Map<number, Interleaved>();
  lastActivity = Date.now();
  /** The player waits for a keyframe before it gets video (at start, and after falling behind). */
  private waitKeyframe = true;
  private laggingSince: number | undefined;
  bytesOut = 0;
  dropped = 0;

  constructor(
    readonly role: 'player' | 'publisher',
    readonly streamPath: string,
    readonly link: SessionLink,
    private readonly stallTimeout = PLAYER_STALL_MS,
  ) {}

  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Resets the keyframe wait for a (re)start of playing. */
  startPlaying(): void {
    this.state = 'playing';
    this.waitKeyframe = true;
    this.laggingSince = undefined;
  }

  /**
   * Sends one packet of `track` if the player set it up and can take it. `video` marks the track
   * whose keyframes gate the start; `keyframe` says this packet opens one. Returns bytes written.
   */
  deliver(track: number, packet: Buffer, rtcp: boolean, video: boolean, keyframe: boolean): number {
    if (this.state !== 'playing') return 0;
    const channels = this.tracks.get(track);
    if (!channels) return 0;
    if (this.link.queued > PLAYER_HIGH_WATER) {
      const now = Date.now();
      this.laggingSince ??= now;
      this.dropped++;
      if (video) this.waitKeyframe = true;
      if (now - this.laggingSince > this.stallTimeout) this.link.close(`the player took nothing for ${this.stallTimeout / 1000} s`);
      return 0;
    }
    this.laggingSince = undefined;
    if (video && !rtcp && this.waitKeyframe) {
      if (!keyframe) return 0;
      this.waitKeyframe = false;
    }
    if (!this.link.sendInterleaved(rtcp ? channels.rtcp : channels.rtp, packet)) return 0;
    const bytes = packet.length + 4;
    this.bytesOut += bytes;
    return bytes;
  }
}
