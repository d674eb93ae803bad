/**
 * One stream path (`/cam1/main`): at most one publisher, any number of players. The publisher's
 * SDP is kept for DESCRIBE, its RTP and RTCP packets go to every playing session unchanged (same
 * SSRC, sequence numbers and timestamps), and the packets since the last keyframe are kept so a
 * new player gets a decodable picture at once instead of waiting for the next keyframe.
 */
import { EventEmitter } from 'node:events';
import { parseSdp, playerSdp, type SessionDescription } from './sdp.js';
import { rtpMarker, rtpSequence, rtpTimestamp, startsH264Keyframe } from './rtp.js';
import type { RtspSession } from './session.js';

/** The keyframe cache gives up (until the next keyframe) past this many packets or bytes. */
const GOP_MAX_PACKETS = 4000;
const GOP_MAX_BYTES = 8 * 1024 * 1024;

export interface StreamEvents {
  /** The publisher recorded and its first keyframe arrived: players can start. */
  publishing: [];
  /** The stream went down (publisher gone or stopped); players were disconnected. */
  unpublished: [reason: string];
}

export interface PublisherLink {
  close(reason: string): void;
}

export class RtspStream extends EventEmitter<StreamEvents> {
  private description: SessionDescription | undefined;
  private sdpVersion = 0;
  private publisherLink: PublisherLink | undefined;
  private recording = false;
  private keyframeSeen = false;
  /** The first H.264 track: its keyframes gate players and fill the cache. */
  private videoTrack: number | undefined;
  private lastMarker = true;
  private gop: Buffer[] = [];
  private gopBytes = 0;
  private readonly players = new Set<RtspSession>();
  private lastPacketAt = 0;
  /** Why it is not publishing, for 503 answers. */
  private down = 'no encoder has published it yet';
  bytesOut = 0;
  bytesIn = 0;

  constructor(
    readonly path: string,
    /** Shown as the SDP session name. */
    readonly name: string,
  ) {
    super();
  }

  get publishing(): boolean {
    return this.recording && this.keyframeSeen;
  }

  get viewers(): number {
    return this.players.size;
  }

  get downReason(): string {
    return this.down;
  }

  get tracks(): SessionDescription['tracks'] {
    return this.description?.tracks ?? [];
  }

  /** Milliseconds since the publisher's last packet (Infinity before the first). */
  get silentFor(): number {
    return this.lastPacketAt === 0 ? Infinity : Date.now() - this.lastPacketAt;
  }

  isPublisher(link: PublisherLink): boolean {
    return this.publisherLink === link;
  }

  hasPublisher(): boolean {
    return this.publisherLink !== undefined;
  }

  /** ANNOUNCE: takes the publisher's SDP; throws if it cannot be read. */
  announce(link: PublisherLink, sdp: string): void {
    const description = parseSdp(sdp);
    this.publisherLink = link;
    this.description = description;
    this.sdpVersion++;
    this.recording = false;
    this.keyframeSeen = false;
    // The silence watch starts now: a publisher that never records is dropped too.
    this.lastPacketAt = Date.now();
    this.videoTrack = description.tracks.find((t) => t.encoding === 'H264')?.index;
    this.lastMarker = true;
    this.clearGop();
    this.down = 'the encoder is starting';
  }

  /** RECORD: packets may flow. Publishing starts with the first keyframe (or the first packet without H.264). */
  record(): void {
    this.recording = true;
    this.lastPacketAt = Date.now();
  }

  sdpFor(host: string): string {
    if (!this.description) throw new Error(`${this.path} has no SDP`);
    return playerSdp(this.description, { name: this.name, host, version: this.sdpVersion });
  }

  /** One packet from the publisher on `track`. */
  packet(track: number, data: Buffer, rtcp: boolean): void {
    if (!this.recording) return;
    this.lastPacketAt = Date.now();
    this.bytesIn += data.length;
    const video = track === this.videoTrack;
    let keyframe = false;
    if (video && !rtcp) {
      keyframe = this.lastMarker && startsH264Keyframe(data);
      this.lastMarker = rtpMarker(data);
      this.cache(data, keyframe);
    }
    if (!this.keyframeSeen && (keyframe || (this.videoTrack === undefined && !rtcp))) {
      this.keyframeSeen = true;
      this.down = '';
      this.emit('publishing');
    }
    for (const player of this.players) this.bytesOut += player.deliver(track, data, rtcp, video, keyframe);
  }

  /**
   * PLAY: the session joins; the RTP-Info of its first packets. Call `begin()` after the PLAY
   * answer went out: it sends the cached keyframe and what followed it, then live packets flow.
   */
  play(session: RtspSession): { rtpInfo: Array<{ track: number; seq: number; rtptime: number }>; begin: () => void } {
    const first = this.gop[0];
    const rtpInfo =
      first !== undefined && this.videoTrack !== undefined && session.tracks.has(this.videoTrack)
        ? [{ track: this.videoTrack, seq: rtpSequence(first), rtptime: rtpTimestamp(first) }]
        : [];
    return {
      rtpInfo,
      begin: () => {
        session.startPlaying();
        this.players.add(session);
        if (this.videoTrack === undefined) return;
        for (let i = 0; i < this.gop.length; i++) {
          this.bytesOut += session.deliver(this.videoTrack, this.gop[i]!, false, true, i === 0);
        }
      },
    };
  }

  /** PAUSE, TEARDOWN or a closed connection: the session stops receiving. */
  leave(session: RtspSession): void {
    this.players.delete(session);
    if (session.state === 'playing') session.state = 'ready';
  }

  /**
   * The stream goes down: the publisher's connection and every player's are closed (a camera
   * whose encoder stops drops its viewers), and DESCRIBE answers 503 with `reason` until the next
   * publisher records.
   */
  unpublish(reason: string): void {
    const link = this.publisherLink;
    const wasUp = this.publishing;
    this.publisherLink = undefined;
    this.recording = false;
    this.keyframeSeen = false;
    this.lastPacketAt = 0;
    this.clearGop();
    this.down = reason;
    const players = [...this.players];
    this.players.clear();
    for (const player of players) player.link.close(`stream ${this.path} went down: ${reason}`);
    link?.close(reason);
    if (wasUp || link) this.emit('unpublished', reason);
  }

  /** While down, why (shown in 503 answers); set by whoever takes it down on purpose. */
  setDownReason(reason: string): void {
    if (!this.publishing) this.down = reason;
  }

  private cache(packet: Buffer, keyframe: boolean): void {
    if (keyframe) this.clearGop();
    else if (this.gop.length === 0) return; // no keyframe yet: nothing a decoder could start from
    if (this.gop.length >= GOP_MAX_PACKETS || this.gopBytes + packet.length > GOP_MAX_BYTES) {
      this.clearGop();
      return;
    }
    // A copy: the packet is a view into the connection's read buffer.
    this.gop.push(Buffer.from(packet));
    this.gopBytes += packet.length;
  }

  private clearGop(): void {
    this.gop = [];
    this.gopBytes = 0;
  }
}
