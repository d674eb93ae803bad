/**
 * A small RTSP 1.0 server: streams are publish points (`/cam1/main`) that a local encoder pushes
 * into with ANNOUNCE/RECORD and players pull from with DESCRIBE/SETUP/PLAY, RTP interleaved in
 * the RTSP connection (TCP). Publishing takes the server's own encoder account and a connection
 * from this machine; players need `credentials` when they are set. Idle sessions and silent
 * connections time out; a publisher that stops sending for `publisherTimeout` is dropped.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { silentLogger, type Logger } from '@sensegate/sdk';
import { Authenticator, type Account } from '../auth.js';
import { urlHost } from '../options.js';
import { RtspConnection, type ConnectionContext } from './connection.js';
import { header, type RtspRequest, type RtspResponse } from './message.js';
import { RtspStream } from './stream.js';
import { PLAYER_STALL_MS } from './session.js';

export interface RtspServerOptions {
  /** Address to bind to, and the host of stream URLs (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 8554; 0 picks a free one). */
  port?: number;
  /** When set, players must authenticate (Digest or Basic) as this account. */
  credentials?: Account;
  /** Realm of the challenges (default `sensegate`). */
  realm?: string;
  /** Seconds a session may stay idle outside PLAY/RECORD, and a connection without one (default 60). */
  sessionTimeout?: number;
  /** Milliseconds without packets after which a recording publisher is dropped (default 5000). */
  publisherTimeout?: number;
  /** Milliseconds a player may stay above the high water before it is disconnected (default 10000). */
  playerStallTimeout?: number;
  /** Connections served at once; more are closed at once (default 256). */
  maxConnections?: number;
  log?: Logger;
}

const PUBLISHER_USER = 'sensegate-encoder';

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/** Where a local encoder connects to reach a server bound to `host`. */
function publishHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return urlHost(host);
}

export class RtspServer {
  private readonly streams = new Map<string, RtspStream>();
  private readonly connections = new Set<RtspConnection>();
  private readonly players: Authenticator | undefined;
  private readonly publishers: Authenticator;
  private readonly publisherAccount: Account = { user: PUBLISHER_USER, password: randomBytes(16).toString('hex') };
  private readonly sweeper: NodeJS.Timeout;
  private readonly context: ConnectionContext;
  readonly host: string;
  readonly sessionTimeout: number;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    options: RtspServerOptions,
  ) {
    this.host = options.host ?? '127.0.0.1';
    this.sessionTimeout = options.sessionTimeout ?? 60;
    const realm = options.realm ?? 'sensegate';
    const log = options.log ?? silentLogger;
    const publisherTimeout = options.publisherTimeout ?? 5000;
    this.players = options.credentials ? new Authenticator([options.credentials], { realm, qop: false }) : undefined;
    this.publishers = new Authenticator([this.publisherAccount], { realm, qop: false });
    this.context = {
      resolve: (uri) => this.resolve(uri),
      authorize: (request, role, connection) => this.authorize(request, role, connection),
      sessionTimeout: this.sessionTimeout,
      playerStallTimeout: options.playerStallTimeout ?? PLAYER_STALL_MS,
      log,
      closed: (connection) => this.connections.delete(connection),
    };
    const maxConnections = options.maxConnections ?? 256;
    server.on('connection', (socket: Socket) => {
      if (this.connections.size >= maxConnections) {
        socket.destroy();
        return;
      }
      this.connections.add(new RtspConnection(socket, this.context));
    });
    this.sweeper = setInterval(() => this.sweep(publisherTimeout), 1000);
    this.sweeper.unref();
  }

  static async start(options: RtspServerOptions = {}): Promise<RtspServer> {
    const server = createServer();
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8554, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new RtspServer(server, (server.address() as { port: number }).port, options);
  }

  /** Declares a publish point; `path` like `/cam1/main`. */
  addStream(path: string, name = path.slice(1)): RtspStream {
    if (!/^(\/[A-Za-z0-9._-]+)+$/.test(path)) throw new Error(`a stream path is /segment/segment..., got "${path}"`);
    if (this.streams.has(path)) throw new Error(`stream ${path} exists`);
    const stream = new RtspStream(path, name);
    this.streams.set(path, stream);
    return stream;
  }

  stream(path: string): RtspStream | undefined {
    return this.streams.get(path);
  }

  /** What players open: `rtsp://host:port/cam1/main`, without credentials. */
  url(path: string): string {
    return `rtsp://${urlHost(this.host)}:${this.port}${path}`;
  }

  /** What the local encoder publishes to: the URL with the encoder account in it. */
  publishUrl(path: string): string {
    return `rtsp://${this.publisherAccount.user}:${this.publisherAccount.password}@${publishHost(this.host)}:${this.port}${path}`;
  }

  /** Open connections (players, publishers, and anything else connected). */
  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const stream of this.streams.values()) stream.unpublish('the server is closing');
    for (const connection of this.connections) connection.close('the server is closing');
    await closed;
  }

  private resolve(uri: string): { stream: RtspStream; suffix: string; base: string } | undefined {
    let path: string;
    let origin = '';
    if (uri.startsWith('/')) path = uri;
    else {
      const match = /^rtsps?:\/\/(?:[^@/]*@)?([^/?#]*)([^?#]*)/i.exec(uri);
      if (!match) return undefined;
      origin = `rtsp://${match[1]}`;
      path = match[2] || '/';
    }
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
    path = path.replace(/\/+$/, '');
    for (const [streamPath, stream] of this.streams) {
      if (path === streamPath || path.startsWith(streamPath + '/')) {
        return { stream, suffix: path.slice(streamPath.length + 1), base: `${origin || this.url('').replace(/\/$/, '')}${streamPath}/` };
      }
    }
    return undefined;
  }

  private authorize(request: RtspRequest, role: 'player' | 'publisher', connection: RtspConnection): RtspResponse | undefined {
    if (role === 'publisher') {
      const local = isLoopback(connection.socket.remoteAddress) || connection.socket.remoteAddress === connection.socket.localAddress;
      if (!local) return { status: 403, body: 'only the local encoder publishes here\n' };
      if (connection.user === PUBLISHER_USER) return undefined;
      const user = this.publishers.check(request.method, header(request, 'authorization'));
      if (user !== undefined) {
        connection.user = user;
        return undefined;
      }
      return this.challenge(this.publishers);
    }
    if (!this.players || connection.user !== undefined) return undefined;
    const user = this.players.check(request.method, header(request, 'authorization')) ?? this.publishers.check(request.method, header(request, 'authorization'));
    if (user !== undefined) {
      connection.user = user;
      return undefined;
    }
    return this.challenge(this.players);
  }

  private challenge(authenticator: Authenticator): RtspResponse {
    return { status: 401, headers: authenticator.challenge().map((value) => ['WWW-Authenticate', value] as [string, string]), body: 'authentication required\n' };
  }

  private sweep(publisherTimeout: number): void {
    const now = Date.now();
    for (const connection of this.connections) {
      for (const session of [...connection.sessions.values()]) {
        if (session.state === 'ready' && now - session.lastActivity > this.sessionTimeout * 1000) {
          connection.endSession(session, 'timeout');
        }
      }
      if (!connection.streaming && now - connection.lastActivity > this.sessionTimeout * 1000) {
        connection.close(`idle for ${this.sessionTimeout} s`);
      }
    }
    for (const stream of this.streams.values()) {
      if (stream.hasPublisher() && stream.silentFor > publisherTimeout) {
        stream.unpublish(`the encoder sent nothing for ${publisherTimeout} ms`);
      }
    }
  }
}
