/**
 * Who may play and who may publish on the relay. Two credentials, never interchangeable:
 * - play: without a `token` only loopback clients can reach the relay; with one, every player
 *   carries `?token=`. Player URLs hold this token, so it grants playing and nothing else.
 * - publish: decided by the `PublishPolicy` (off unless `video.relay.publish` admits encoders,
 *   with their own token, paths and addresses); the relay's own sessions always publish.
 *
 * HTTP-FLV and WS-FLV are checked before the library sees the request: only `/<app>/<name>.flv`
 * exists (its webadmin and /api routes are unreachable, 404), uploads (HTTP POST, WebSocket
 * `post`/`publisher` subprotocols, wherever they appear in the header) get 405, a missing or wrong
 * play token 401. RTMP, which the library parses itself, is refused through the library's own
 * publish/play check (see `armLibraryCheck`), which also backs up the HTTP checks; a refused RTMP
 * client is disconnected, and media reaches players only from a path's accepted publisher (see
 * `guardRtmp`). Every refusal goes to the `RefusalLog` with the client's address.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { plainAddress } from '@sensegate/sdk';
import { remoteOf, type NmsLibrary, type NmsRtmpSession, type NmsSession } from './library.js';
import { PUBLISH_REFUSALS, type PublishPolicy } from './publish-policy.js';
import type { RefusalLog } from './refusals.js';

/** The one URL shape the relay serves over HTTP: `/<app>/<name>.flv`, the library's safe names. */
const FLV_PATH = /^\/([A-Za-z0-9_-]+\/[A-Za-z0-9_-]+)\.flv$/;
/** WebSocket subprotocols with which the library takes the connection as an upload. */
const UPLOAD_SUBPROTOCOLS = new Set(['post', 'publisher']);

const BAD_PLAY_TOKEN = 'the token is missing or wrong; players take it from the URLs the gateway gives (video.relay.token)';

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface AccessOptions {
  /** The players' token; undefined: anyone who can reach the relay (loopback only) plays. */
  playToken: string | undefined;
  publish: PublishPolicy;
  refusals: RefusalLog;
  /** The relay's own sessions: its camera pulls and its pushes to itself. */
  isOwnSession(session: NmsSession): boolean;
  /** `<app>/<name>` of every relayed camera stream, whatever its state. */
  cameraPaths(): ReadonlySet<string>;
}

export class AccessCheck {
  private readonly expected: Buffer | undefined;

  constructor(private readonly options: AccessOptions) {
    this.expected = options.playToken === undefined ? undefined : digest(options.playToken);
  }

  get required(): boolean {
    return this.expected !== undefined;
  }

  allowsPlay(token: unknown): boolean {
    if (!this.expected) return true;
    return typeof token === 'string' && timingSafeEqual(digest(token), this.expected);
  }

  /** Puts the check in front of the library's HTTP handlers (plain requests and WebSocket upgrades). */
  guardHttp(server: Server): void {
    const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const refusal = this.httpRefusal(req, false);
      if (refusal) {
        res.writeHead(refusal.status, { 'content-type': 'text/plain', connection: 'close' }).end(refusal.text + '\n');
        return;
      }
      for (const handler of handlers) handler(req, res);
    });
    const upgrades = server.listeners('upgrade') as Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => void>;
    server.removeAllListeners('upgrade');
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const refusal = this.httpRefusal(req, true);
      if (refusal) {
        socket.end(`HTTP/1.1 ${refusal.status} ${refusal.text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      for (const handler of upgrades) handler(req, socket, head);
    });
  }

  private httpRefusal(req: IncomingMessage, upgrade: boolean): { status: number; text: string } | undefined {
    const url = new URL(req.url ?? '/', 'http://relay');
    const path = FLV_PATH.exec(url.pathname)?.[1];
    if (path === undefined) return { status: 404, text: 'Not Found' };
    const protocol = upgrade ? 'ws-flv' : 'http-flv';
    const address = plainAddress(req.socket.remoteAddress ?? 'unknown');
    // The relay only serves over HTTP: POST and WebSocket upload subprotocols would let a client publish.
    const subprotocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim().toLowerCase());
    if (upgrade ? subprotocols.some((p) => UPLOAD_SUBPROTOCOLS.has(p)) : req.method !== 'GET' && req.method !== 'HEAD') {
      this.options.refusals.record({ action: 'publish', protocol, address, path, reason: 'upload-not-rtmp', explanation: PUBLISH_REFUSALS['upload-not-rtmp'] });
      return { status: 405, text: 'Method Not Allowed' };
    }
    if (!this.allowsPlay(url.searchParams.get('token') ?? undefined)) {
      this.options.refusals.record({ action: 'play', protocol, address, path, reason: 'bad-token', explanation: BAD_PLAY_TOKEN });
      return { status: 401, text: 'Unauthorized' };
    }
    return undefined;
  }

  /**
   * Media from an RTMP client reaches players only while that client is its path's accepted
   * publisher. The library broadcasts every audio, video and data message a client sends once it
   * has asked to play or publish, accepted or not, and after a refusal it only half-closes the
   * socket: a refused publisher, or a player, could otherwise feed pictures to a path's players
   * (a camera's included) and replace the picture new players start with. A refused client's
   * socket is destroyed (see `armLibraryCheck`); this guard drops whatever it sent before that.
   */
  guardRtmp(server: NetServer, nms: NmsLibrary): void {
    const handlers = server.listeners('connection') as Array<(socket: Socket) => void>;
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      for (const handler of handlers) handler(socket);
      for (const session of nms.Context.sessions.values()) {
        if (session.socket !== socket) continue;
        const rtmp = session as NmsRtmpSession;
        rtmp.rtmp.onPacketCallback = (packet) => {
          if (rtmp.broadcast.publisher === rtmp) rtmp.onPacket(packet);
        };
        break;
      }
    });
  }

  /**
   * RTMP play and publish (and, as a second line, FLV uploads): the library refuses them itself
   * when `auth.play`/`auth.publish` is on and the session's `sign` does not verify (md5 of path,
   * expiry and secret). The secret is random and never leaves this process; the `prePlay` and
   * `prePublish` hooks, which run just before that check, give a valid sign only to sessions this
   * check lets through. Publishing is always checked; playing when a play token is set. Returns the
   * function that removes the hooks.
   */
  armLibraryCheck(nms: NmsLibrary): () => void {
    const secret = randomBytes(24).toString('hex');
    nms.Context.config.auth = { play: this.required, publish: true, secret };
    const sign = (session: NmsSession, allowed: boolean) => {
      const exp = Math.floor(Date.now() / 1000) + 60;
      const hash = createHash('md5').update(`${session.streamPath}-${exp}-${secret}`).digest('hex');
      session.streamQuery = { ...(session.streamQuery ?? {}), sign: allowed ? `${exp}-${hash}` : 'refused' };
    };
    const path = (session: NmsSession) => session.streamPath.replace(/^\//, '');
    const onPlay = (session: NmsSession) => {
      const allowed = this.allowsPlay(session.streamQuery?.token);
      if (!allowed) {
        const address = plainAddress(remoteOf(session).address ?? 'unknown');
        this.options.refusals.record({ action: 'play', protocol: protocolOf(session), address, path: path(session), reason: 'bad-token', explanation: BAD_PLAY_TOKEN });
        hangUp(session);
      }
      sign(session, allowed);
    };
    const onPublish = (session: NmsSession) => {
      if (this.options.isOwnSession(session)) return sign(session, true);
      const { address } = remoteOf(session);
      const attempt = { path: path(session), protocol: session.protocol, address, token: session.streamQuery?.token };
      const reason = this.options.publish.refusal(attempt, this.options.cameraPaths());
      if (reason) {
        this.options.refusals.record({
          action: 'publish',
          protocol: protocolOf(session),
          address: plainAddress(address ?? 'unknown'),
          path: attempt.path,
          reason,
          explanation: PUBLISH_REFUSALS[reason],
        });
        hangUp(session);
      }
      sign(session, reason === undefined);
    };
    nms.Context.eventEmitter.on('prePlay', onPlay);
    nms.Context.eventEmitter.on('prePublish', onPublish);
    return () => {
      nms.Context.eventEmitter.off('prePlay', onPlay);
      nms.Context.eventEmitter.off('prePublish', onPublish);
    };
  }
}

/**
 * After a refusal the library half-closes the connection (`end()`) and keeps reading what the
 * client sends; the relay closes it for good once the library is done with it.
 */
function hangUp(session: NmsSession): void {
  const socket = session.socket ?? session.req?.socket;
  if (socket) setImmediate(() => socket.destroy());
}

/** The library's `flv` sessions are HTTP-FLV or WS-FLV; which one does not change a decision. */
function protocolOf(session: NmsSession): string {
  return session.protocol === 'rtmp' ? 'rtmp' : 'http-flv';
}
