/**
 * Who may play (and publish) on the relay. Without a token only loopback clients can reach it;
 * with one, every play and publish carries `?token=`. HTTP-FLV and WS-FLV are checked before the
 * library sees the request (401, and only `/<app>/<name>.flv` exists: its webadmin and /api
 * routes are unreachable); RTMP, which the library parses itself, is refused through the
 * library's own publish/play check (see `armLibraryCheck`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NmsLibrary, NmsSession } from './library.js';

/** The one URL shape the relay serves over HTTP: `/<app>/<name>.flv`, the library's safe names. */
const FLV_PATH = /^\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+\.flv$/;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class AccessCheck {
  private readonly expected: Buffer | undefined;

  constructor(token: string | undefined) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  get required(): boolean {
    return this.expected !== undefined;
  }

  allows(token: unknown): boolean {
    if (!this.expected) return true;
    return typeof token === 'string' && timingSafeEqual(digest(token), this.expected);
  }

  /** Puts the check in front of the library's HTTP handlers (plain requests and WebSocket upgrades). */
  guardHttp(server: Server): void {
    const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const refusal = this.refusal(req, false);
      if (refusal) {
        res.writeHead(refusal.status, { 'content-type': 'text/plain', connection: 'close' }).end(refusal.text + '\n');
        return;
      }
      for (const handler of handlers) handler(req, res);
    });
    const upgrades = server.listeners('upgrade') as Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => void>;
    server.removeAllListeners('upgrade');
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const refusal = this.refusal(req, true);
      if (refusal) {
        socket.end(`HTTP/1.1 ${refusal.status} ${refusal.text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      for (const handler of upgrades) handler(req, socket, head);
    });
  }

  private refusal(req: IncomingMessage, upgrade: boolean): { status: number; text: string } | undefined {
    const url = new URL(req.url ?? '/', 'http://relay');
    if (!FLV_PATH.test(url.pathname)) return { status: 404, text: 'Not Found' };
    // The relay only serves: HTTP POST and WebSocket "publisher" uploads would let a client publish.
    const protocol = String(req.headers['sec-websocket-protocol'] ?? '').toLowerCase();
    if (upgrade ? protocol === 'post' || protocol === 'publisher' : req.method !== 'GET' && req.method !== 'HEAD') {
      return { status: 405, text: 'Method Not Allowed' };
    }
    if (!this.allows(url.searchParams.get('token') ?? undefined)) return { status: 401, text: 'Unauthorized' };
    return undefined;
  }

  /**
   * RTMP play and publish: the library refuses them itself when `auth.play`/`auth.publish` is on
   * and the session's `sign` does not verify (md5 of path, expiry and secret). The secret is
   * random and never leaves this process; the `prePlay`/`prePublish` hooks, which run just before
   * that check, give a valid sign to sessions whose `?token=` matches and to the relay's own
   * pulls. Returns the function that removes the hooks.
   */
  armLibraryCheck(nms: NmsLibrary, isOwnSession: (session: NmsSession) => boolean): () => void {
    if (!this.required) return () => {};
    const secret = randomBytes(24).toString('hex');
    nms.Context.config.auth = { play: true, publish: true, secret };
    const sign = (session: NmsSession, allowed: boolean) => {
      const exp = Math.floor(Date.now() / 1000) + 60;
      const hash = createHash('md5').update(`${session.streamPath}-${exp}-${secret}`).digest('hex');
      session.streamQuery = { ...(session.streamQuery ?? {}), sign: allowed ? `${exp}-${hash}` : 'refused' };
    };
    const onPlay = (session: NmsSession) => sign(session, this.allows(session.streamQuery?.token));
    const onPublish = (session: NmsSession) => sign(session, isOwnSession(session) || this.allows(session.streamQuery?.token));
    nms.Context.eventEmitter.on('prePlay', onPlay);
    nms.Context.eventEmitter.on('prePublish', onPublish);
    return () => {
      nms.Context.eventEmitter.off('prePlay', onPlay);
      nms.Context.eventEmitter.off('prePublish', onPublish);
    };
  }
}
