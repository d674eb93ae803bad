/**
 * One RTSP connection: reads requests and interleaved frames, answers each method, and carries
 * the RTP of its playing sessions. A connection is a player's or a publisher's by what it does:
 * ANNOUNCE and SETUP with mode=record make it the publisher of a stream (loopback only, with the
 * encoder's account). Nothing one connection sends can throw out of it: bad input is answered 400
 * and the socket closed; every other connection carries on.
 */
import type { Socket } from 'node:net';
import type { Logger } from '@sensegate/sdk';
import { formatResponse, header, interleavedFrame, RtspReader, type RtspRequest, type RtspResponse } from './message.js';
import { RtspSession, type SessionLink } from './session.js';
import type { RtspStream } from './stream.js';
import { chooseInterleaved, formatInterleaved } from './transport.js';

export const PUBLIC_METHODS = ['OPTIONS', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'RECORD', 'GET_PARAMETER', 'SET_PARAMETER', 'TEARDOWN'];

/** What a connection needs from its server. */
export interface ConnectionContext {
  /** The stream a request URI names, the rest of its path (a track control or ''), and the Content-Base for it. */
  resolve(uri: string): { stream: RtspStream; suffix: string; base: string } | undefined;
  /** undefined when the request may go on; otherwise the answer (401, 403). */
  authorize(request: RtspRequest, role: 'player' | 'publisher', connection: RtspConnection): RtspResponse | undefined;
  /** Seconds a session may stay idle outside PLAY/RECORD. */
  readonly sessionTimeout: number;
  /** Milliseconds a player may lag above the high water before it is disconnected. */
  readonly playerStallTimeout: number;
  readonly log: Logger;
  closed(connection: RtspConnection): void;
}

export class RtspConnection implements SessionLink {
  readonly sessions = new Map<string, RtspSession>();
  /** The account this connection proved (it need not send Authorization again). */
  user: string | undefined;
  lastActivity = Date.now();
  private readonly reader = new RtspReader();
  /** Publisher channels -> track and kind. */
  private readonly publisherChannels = new Map<number, { stream: RtspStream; track: number; rtcp: boolean }>();
  private announced: RtspStream | undefined;
  private ended = false;
  readonly remote: string;

  constructor(
    readonly socket: Socket,
    private readonly context: ConnectionContext,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => context.log.debug({ remote: this.remote, err: err.message }, 'rtsp connection error'));
    socket.on('close', () => this.onClose());
  }

  get queued(): number {
    return this.socket.writableLength;
  }

  /** Whether a session of this connection is playing or recording (then it does not time out). */
  get streaming(): boolean {
    for (const session of this.sessions.values()) if (session.state !== 'ready') return true;
    return false;
  }

  sendInterleaved(channel: number, data: Buffer): boolean {
    if (this.ended || this.socket.destroyed) return false;
    this.socket.write(interleavedFrame(channel, data));
    return true;
  }

  close(reason: string): void {
    if (this.ended) return;
    this.context.log.debug({ remote: this.remote, reason }, 'rtsp connection closed by the server');
    this.ended = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    this.lastActivity = Date.now();
    for (const item of this.reader.push(chunk)) {
      if (this.ended) return;
      try {
        if (item.kind === 'interleaved') this.onInterleaved(item.channel, item.data);
        else if (item.kind === 'request') this.respond(item.request, this.handle(item.request));
        else {
          this.write(formatResponse({ status: item.status, body: `${item.reason}\n` }, undefined));
          this.socket.end();
          this.ended = true;
        }
      } catch (err) {
        // A bug must not take the server down; this connection alone ends.
        this.context.log.error({ remote: this.remote, err: err instanceof Error ? err.message : String(err) }, 'rtsp connection failed');
        this.write(formatResponse({ status: 500 }, item.kind === 'request' ? header(item.request, 'cseq') : undefined));
        this.close('internal error');
      }
    }
  }

  private onInterleaved(channel: number, data: Buffer): void {
    const target = this.publisherChannels.get(channel);
    if (target) {
      if (target.stream.isPublisher(this)) target.stream.packet(target.track, data, target.rtcp);
      return;
    }
    // A player's RTCP receiver reports: proof of life, nothing to forward.
    for (const session of this.sessions.values()) session.touch();
  }

  private onClose(): void {
    this.ended = true;
    for (const session of this.sessions.values()) this.endSession(session, 'the connection closed');
    this.sessions.clear();
    if (this.announced?.isPublisher(this)) this.announced.unpublish('the encoder disconnected');
    this.context.closed(this);
  }

  private write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  private respond(request: RtspRequest, response: RtspResponse & { after?: () => void }): void {
    this.write(formatResponse(response, header(request, 'cseq')));
    response.after?.();
  }

  /** Ends a session: a player leaves its stream, a publisher takes its stream down. */
  endSession(session: RtspSession, reason: string): void {
    this.sessions.delete(session.id);
    const stream = this.context.resolve(session.streamPath)?.stream;
    if (!stream) return;
    if (session.role === 'publisher' && stream.isPublisher(this)) stream.unpublish(`the encoder ${reason === 'TEARDOWN' ? 'tore the stream down' : 'disconnected'}`);
    else stream.leave(session);
  }

  private handle(request: RtspRequest): RtspResponse & { after?: () => void } {
    if (header(request, 'cseq') === undefined) return { status: 400, body: 'CSeq header missing\n' };
    if (request.version !== 'RTSP/1.0') return { status: 505, body: 'this server speaks RTSP/1.0\n' };
    const require = header(request, 'require');
    if (require !== undefined) return { status: 551, headers: [['Unsupported', require]] };
    switch (request.method) {
      case 'OPTIONS':
        return { status: 200, headers: [['Public', PUBLIC_METHODS.join(', ')]] };
      case 'DESCRIBE':
        return this.describe(request);
      case 'ANNOUNCE':
        return this.announce(request);
      case 'SETUP':
        return this.setup(request);
      case 'PLAY':
        return this.play(request);
      case 'PAUSE':
        return this.pause(request);
      case 'RECORD':
        return this.record(request);
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        return this.keepAlive(request);
      case 'TEARDOWN':
        return this.teardown(request);
      default:
        return { status: 501, headers: [['Public', PUBLIC_METHODS.join(', ')]], body: `${request.method} is not supported\n` };
    }
  }

  private session(request: RtspRequest): RtspSession | RtspResponse {
    const value = header(request, 'session');
    if (value === undefined) return { status: 454, body: 'no Session header\n' };
    const session = this.sessions.get(value.split(';')[0]!.trim());
    if (!session) return { status: 454, body: `no session ${value.split(';')[0]} on this connection\n` };
    session.touch();
    return session;
  }

  private sessionHeader(session: RtspSession): [string, string] {
    return ['Session', `${session.id};timeout=${this.context.sessionTimeout}`];
  }

  private notFound(request: RtspRequest): RtspResponse {
    return { status: 404, body: `no stream at ${request.uri}\n` };
  }

  private unavailable(stream: RtspStream): RtspResponse {
    return { status: 503, body: `stream ${stream.path} is not publishing: ${stream.downReason}\n` };
  }

  private describe(request: RtspRequest): RtspResponse {
    const denied = this.context.authorize(request, 'player', this);
    if (denied) return denied;
    const found = this.context.resolve(request.uri);
    if (!found || found.suffix !== '') return this.notFound(request);
    if (!found.stream.publishing) return this.unavailable(found.stream);
    const host = /^rtsp:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(request.uri)?.[1] ?? '0.0.0.0';
    return {
      status: 200,
      headers: [['Content-Base', found.base]],
      contentType: 'application/sdp',
      body: found.stream.sdpFor(host),
    };
  }

  private announce(request: RtspRequest): RtspResponse {
    const denied = this.context.authorize(request, 'publisher', this);
    if (denied) return denied;
    const found = this.context.resolve(request.uri);
    if (!found || found.suffix !== '') return this.notFound(request);
    const type = header(request, 'content-type') ?? '';
    if (!/^application\/sdp\b/i.test(type)) return { status: 415, body: 'ANNOUNCE takes an application/sdp body\n' };
    if (found.stream.hasPublisher() && !found.stream.isPublisher(this)) return { status: 455, body: `${found.stream.path} already has a publisher\n` };
    try {
      found.stream.announce(this, request.body.toString('utf8'));
    } catch (err) {
      return { status: 400, body: `bad SDP: ${err instanceof Error ? err.message : String(err)}\n` };
    }
    this.announced = found.stream;
    this.context.log.debug({ remote: this.remote, stream: found.stream.path }, 'publisher announced');
    return { status: 200 };
  }

  private setup(request: RtspRequest): RtspResponse {
    const transportHeader = header(request, 'transport') ?? '';
    const record = /mode\s*=\s*"?record/i.test(transportHeader);
    const denied = this.context.authorize(request, record ? 'publisher' : 'player', this);
    if (denied) return denied;
    const found = this.context.resolve(request.uri);
    if (!found) return this.notFound(request);
    const { stream, suffix } = found;
    const tracks = stream.tracks;
    const track =
      tracks.find((t) => suffix !== '' && (t.control === suffix || t.publisherControl === suffix)) ??
      (suffix === '' && tracks.length === 1 ? tracks[0] : undefined);
    if (record) {
      if (!stream.isPublisher(this)) return { status: 455, body: 'SETUP with mode=record comes after ANNOUNCE on the same connection\n' };
    } else if (!stream.publishing) {
      return this.unavailable(stream);
    }
    if (!track) return { status: 404, body: `no track "${suffix}" in ${stream.path} (tracks: ${tracks.map((t) => t.control).join(', ')})\n` };

    const used = new Set<number>();
    for (const s of this.sessions.values()) for (const c of s.tracks.values()) used.add(c.rtp).add(c.rtcp);
    let free = track.index * 2;
    while (used.has(free) || used.has(free + 1)) free += 2;
    const channels = chooseInterleaved(transportHeader, { rtp: free, rtcp: free + 1 });
    if (!channels) return { status: 461, body: 'only RTP/AVP/TCP (interleaved in the RTSP connection) is offered\n' };

    let session: RtspSession;
    if (header(request, 'session') !== undefined) {
      const existing = this.session(request);
      if (!(existing instanceof RtspSession)) return existing;
      if (existing.streamPath !== stream.path) return { status: 459, body: 'one session covers one stream\n' };
      if (existing.role !== (record ? 'publisher' : 'player')) return { status: 455, body: 'a session is a player or a publisher, not both\n' };
      session = existing;
    } else {
      session = new RtspSession(record ? 'publisher' : 'player', stream.path, this, this.context.playerStallTimeout);
      this.sessions.set(session.id, session);
    }
    session.tracks.set(track.index, channels);
    if (record) {
      this.publisherChannels.set(channels.rtp, { stream, track: track.index, rtcp: false });
      this.publisherChannels.set(channels.rtcp, { stream, track: track.index, rtcp: true });
    }
    return { status: 200, headers: [['Transport', formatInterleaved(channels)], this.sessionHeader(session)] };
  }

  private play(request: RtspRequest): RtspResponse & { after?: () => void } {
    const denied = this.context.authorize(request, 'player', this);
    if (denied) return denied;
    const session = this.session(request);
    if (!(session instanceof RtspSession)) return session;
    if (session.role !== 'player') return { status: 455, body: 'a publisher session cannot PLAY\n' };
    // RTP-Info URLs are matched against the client's own control URLs: build them on the URI it used.
    const requested = this.context.resolve(request.uri);
    const found = requested?.stream.path === session.streamPath ? requested : this.context.resolve(session.streamPath);
    if (!found) return this.notFound(request);
    if (!found.stream.publishing) return this.unavailable(found.stream);
    if (session.state === 'playing') return { status: 200, headers: [this.sessionHeader(session), ['Range', 'npt=0.000-']] };
    const { rtpInfo, begin } = found.stream.play(session);
    const headers: Array<[string, string]> = [this.sessionHeader(session), ['Range', 'npt=0.000-']];
    if (rtpInfo.length > 0) {
      const tracks = found.stream.tracks;
      headers.push(['RTP-Info', rtpInfo.map((i) => `url=${found.base}${tracks[i.track]!.control};seq=${i.seq};rtptime=${i.rtptime}`).join(',')]);
    }
    return { status: 200, headers, after: begin };
  }

  private pause(request: RtspRequest): RtspResponse {
    const denied = this.context.authorize(request, 'player', this);
    if (denied) return denied;
    const session = this.session(request);
    if (!(session instanceof RtspSession)) return session;
    if (session.role !== 'player') return { status: 455, body: 'a publisher session cannot PAUSE\n' };
    this.context.resolve(session.streamPath)?.stream.leave(session);
    return { status: 200, headers: [this.sessionHeader(session)] };
  }

  private record(request: RtspRequest): RtspResponse {
    const denied = this.context.authorize(request, 'publisher', this);
    if (denied) return denied;
    const session = this.session(request);
    if (!(session instanceof RtspSession)) return session;
    const stream = this.context.resolve(session.streamPath)?.stream;
    if (session.role !== 'publisher' || !stream?.isPublisher(this)) return { status: 455, body: 'RECORD needs ANNOUNCE and SETUP with mode=record first\n' };
    session.state = 'recording';
    stream.record();
    this.context.log.debug({ remote: this.remote, stream: stream.path }, 'publisher recording');
    return { status: 200, headers: [this.sessionHeader(session), ['Range', header(request, 'range') ?? 'npt=0.000-']] };
  }

  private keepAlive(request: RtspRequest): RtspResponse {
    if (header(request, 'session') === undefined) return { status: 200 };
    const denied = this.context.authorize(request, 'player', this);
    if (denied) return denied;
    const session = this.session(request);
    if (!(session instanceof RtspSession)) return session;
    return { status: 200, headers: [this.sessionHeader(session)] };
  }

  private teardown(request: RtspRequest): RtspResponse {
    const session = this.session(request);
    if (!(session instanceof RtspSession)) return session;
    this.endSession(session, 'TEARDOWN');
    return { status: 200 };
  }
}
