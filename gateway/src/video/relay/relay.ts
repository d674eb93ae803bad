/**
 * `VideoRelay`: pulls camera RTSP streams and serves them as HTTP-FLV, WS-FLV and RTMP, copying
 * the H.264 as it comes (no transcoding), on top of node-media-server.
 *
 * The library keeps its state in one process-wide `Context`, so one relay runs per process.
 * Of the library the relay uses its HTTP(-FLV/WS-FLV) and RTMP servers and its RTSP/RTMP client
 * sessions; it does not `run()` the library, so its JSON store (relay tasks, records, history) is
 * never opened, its record/history/notify services never start, and nothing persists across runs:
 * the gateway's config is the only source of streams. It binds the listeners itself (the library
 * cannot take port 0, and exits the process when a port is taken).
 *
 * Players need the play token (when set); publishing is the relay's own (its camera pulls, its
 * pushes to itself) unless `publish` admits encoders (see access.ts and publish-policy.ts).
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { join } from 'node:path';
import { AllowList, SensegateError, isLoopback, type BackoffSettings, type Logger } from '@sensegate/sdk';
import type { Metrics } from '../../metrics.js';
import { AccessCheck } from './access.js';
import { loadLibrary, remoteOf, type NmsLibrary, type NmsServer, type NmsSession } from './library.js';
import { routeLibraryLog } from './library-log.js';
import { DEFAULT_PUBLISH_FROM, PublishPolicy, type PublishSettings } from './publish-policy.js';
import { ConnectionGuard, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connection-guard.js';
import { RefusalLog } from './refusals.js';
import { RelayedStream, type StreamState, type StreamStatus } from './stream.js';

export interface VideoRelayOptions {
  /** Bind address of the HTTP(-FLV/WS-FLV) and RTMP listeners (default 127.0.0.1). */
  host?: string;
  /** HTTP-FLV and WS-FLV port; 0 picks a free one (see `httpPort`). */
  httpPort: number;
  /** RTMP port; 0 picks a free one (see `rtmpPort`). */
  rtmpPort: number;
  /** Players' token: required when `host` is not a loopback address; when set, every player needs `?token=`. It never publishes. */
  token?: string;
  /** Encoders admitted to publish (their token, paths and addresses); without it only the relay itself publishes. */
  publish?: PublishSettings;
  /** Where refusals are counted (`sensegate_video_refused_total`). */
  metrics?: Metrics;
  /** Folder for the library's own files (its store path points here; the relay never opens it). */
  dataDir: string;
  log: Logger;
  /** Re-pull delay after a camera drop: starts at initialDelay, doubles up to maxDelay (default 1 s to 30 s). */
  restart?: Partial<BackoffSettings>;
  /** An open RTSP connection without media, or an attempt without an answer, for this long is dropped and re-pulled (default 10 s). */
  stallTimeout?: number;
  /** Connections per address and in all, and the handshake deadline, on both ports (see connection-guard.ts). */
  limits?: Partial<ConnectionLimits>;
}

export interface RelayStreamSpec {
  /** `<camera>/<stream>`, each part letters, digits, `_` and `-` (e.g. `cam-1/main`); served as `/<camera>/<stream>.flv`. */
  path: string;
  /** The camera's RTSP URL, credentials included; never logged (see `redactUrl`). */
  url: string;
  /** Optional RTMP URL the stream is also pushed to (e.g. a platform media server). */
  push?: string;
  /** The camera's configuration allows RTSP Basic without TLS; otherwise only Digest is answered. */
  allowBasicOverHttp?: boolean;
}

export interface RelayUrls {
  flv: string;
  ws: string;
  rtmp: string;
}

export interface VideoRelayEvents {
  state: [path: string, state: StreamState, info: StreamStatus];
}

/** The library's names: two parts, each of its "safe" characters. */
const PATH = /^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/;
const TICK_MS = 1000;

let running = false;

function listen(server: Server | NetServer, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(new SensegateError('SG_CONFIG_INVALID', `video relay: cannot listen for ${what} on ${host}:${port} (${err.code ?? err.message}); choose another port or stop what holds it`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function closed(server: Server | NetServer | undefined): Promise<void> {
  return new Promise((resolve) => (server?.listening ? server.once('close', () => resolve()) : resolve()));
}

export class VideoRelay extends EventEmitter<VideoRelayEvents> {
  httpPort = 0;
  rtmpPort = 0;
  private readonly streamsByPath = new Map<string, RelayedStream>();
  private readonly own = new Set<NmsSession>();
  private readonly refusalLog: RefusalLog;
  private readonly httpSockets = new Set<Socket>();
  private readonly undo: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly host: string;
  private readonly restart: BackoffSettings;
  private readonly stallTimeout: number;
  private readonly access: AccessCheck;

  private constructor(
    private readonly options: VideoRelayOptions,
    private readonly nms: NmsLibrary,
    private readonly server: NmsServer,
  ) {
    super();
    this.refusalLog = new RefusalLog(options.log, options.metrics ? { metrics: options.metrics } : {});
    this.access = new AccessCheck({
      playToken: options.token,
      publish: new PublishPolicy(options.publish),
      refusals: this.refusalLog,
      isOwnSession: (session) => this.isOwnSession(session),
      cameraPaths: () => new Set(this.streamsByPath.keys()),
    });
    this.host = options.host ?? '127.0.0.1';
    this.restart = { initialDelay: options.restart?.initialDelay ?? 1000, maxDelay: options.restart?.maxDelay ?? 30_000 };
    this.stallTimeout = options.stallTimeout ?? 10_000;
  }

  static async start(options: VideoRelayOptions): Promise<VideoRelay> {
    const host = options.host ?? '127.0.0.1';
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 8)) {
      throw new SensegateError('SG_CONFIG_INVALID', 'video relay: token must be a string of at least 8 characters');
    }
    if (!isLoopback(host) && options.token === undefined) {
      throw new SensegateError('SG_CONFIG_INVALID', `video relay: binding to ${host} (not loopback) needs a token; set one, or bind to 127.0.0.1`);
    }
    if (options.publish) checkPublish(options.publish, options.token, host);
    if (running) throw new SensegateError('SG_CONFIG_INVALID', 'video relay: one relay per process (node-media-server keeps global state); stop the running one first');
    running = true;

    const nms = loadLibrary();
    const undo: Array<() => void> = [routeLibraryLog(nms, options.log.child({ component: 'node-media-server' }))];
    let relay: VideoRelay | undefined;
    try {
      // Placeholder ports only make the library create its listeners; the relay binds them itself.
      const server = new nms.NodeMediaServer({
        bind: host,
        http: { port: options.httpPort || 1 },
        rtmp: { port: options.rtmpPort || 1 },
        webadmin: { enable: false },
        store: { path: join(options.dataDir, 'node-media-server') },
      });
      relay = new VideoRelay(options, nms, server);
      relay.undo.push(...undo);
      await relay.bind();
      return relay;
    } catch (err) {
      if (relay) await relay.stop();
      else {
        for (const u of undo) u();
        running = false;
      }
      throw err;
    }
  }

  private async bind(): Promise<void> {
    const http = this.server.httpServer.httpServer!;
    const rtmp = this.server.rtmpServer.tcpServer!;
    // The library's listen-error handlers call process.exit(1); listen() reports errors instead.
    http.removeAllListeners('error');
    rtmp.removeAllListeners('error');
    this.server.httpServer.wsServer?.on('error', () => {});
    this.access.guardHttp(http);
    this.access.guardRtmp(rtmp, this.nms);
    // Outermost: a connection over the limits never reaches the checks above or the library.
    const connections = new ConnectionGuard({ ...DEFAULT_CONNECTION_LIMITS, ...this.options.limits }, this.refusalLog);
    connections.guardHttp(http);
    connections.guardRtmp(rtmp, (socket) => [...this.nms.Context.sessions.values()].some((s) => s.socket === socket && Boolean(s.streamPath)));
    http.on('connection', (socket: Socket) => {
      this.httpSockets.add(socket);
      socket.once('close', () => this.httpSockets.delete(socket));
    });
    this.undo.push(this.access.armLibraryCheck(this.nms));
    this.httpPort = await listen(http, this.options.httpPort, this.host, 'HTTP-FLV');
    this.rtmpPort = await listen(rtmp, this.options.rtmpPort, this.host, 'RTMP');
    const config = this.nms.Context.config as { http: { port: number }; rtmp: { port: number } };
    config.http.port = this.httpPort;
    config.rtmp.port = this.rtmpPort;
    this.timer = setInterval(() => {
      const now = performance.now();
      for (const s of this.streamsByPath.values()) s.tick(now);
    }, TICK_MS);
    this.timer.unref();
    const publish = this.options.publish;
    this.options.log.info(
      { host: this.host, httpPort: this.httpPort, rtmpPort: this.rtmpPort, token: this.access.required, publishPaths: publish?.paths ?? [] },
      `video relay listening on ${this.host} (HTTP-FLV/WS-FLV ${this.httpPort}, RTMP ${this.rtmpPort}); ` +
        (publish
          ? `encoders may publish on ${publish.paths.join(', ')} from ${(publish.from ?? DEFAULT_PUBLISH_FROM).join(', ')} with the publish token`
          : 'only the relay itself publishes'),
    );
  }

  addStream(spec: RelayStreamSpec): void {
    if (this.stopping) throw new SensegateError('SG_CONFIG_INVALID', 'video relay: stopped');
    if (!PATH.test(spec.path)) {
      throw new SensegateError('SG_CONFIG_INVALID', `video relay: stream path "${spec.path}" must be <camera>/<stream>, each part letters, digits, _ or -`);
    }
    if (this.streamsByPath.has(spec.path)) throw new SensegateError('SG_CONFIG_INVALID', `video relay: stream "${spec.path}" is already relayed`);
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      throw new SensegateError('SG_CONFIG_INVALID', `video relay: stream "${spec.path}" url is not a URL`);
    }
    if (url.protocol !== 'rtsp:') throw new SensegateError('SG_CONFIG_INVALID', `video relay: stream "${spec.path}" url must be rtsp://, got ${url.protocol}`);
    if (spec.push !== undefined && !/^rtmp:\/\//.test(spec.push)) {
      throw new SensegateError('SG_CONFIG_INVALID', `video relay: stream "${spec.path}" push must be an rtmp:// URL`);
    }
    const stream = new RelayedStream(
      this.nms,
      `/${spec.path}`,
      spec.path,
      spec.url,
      spec.push,
      { restart: this.restart, stallTimeout: this.stallTimeout },
      this.options.log.child({ stream: spec.path }),
      (s) => this.emit('state', s.path, s.state, s.status()),
      spec.allowBasicOverHttp === true,
    );
    this.own.add(stream.session);
    this.streamsByPath.set(spec.path, stream);
    // A camera's path is the camera's: an encoder publishing there (a path also listed for
    // encoders, which the configuration check refuses) is cut off.
    const publisher = this.nms.Context.broadcasts.get(stream.streamPath)?.publisher;
    if (publisher && !this.isOwnSession(publisher)) publisher.close();
  }

  removeStream(path: string): void {
    const stream = this.streamsByPath.get(path);
    if (!stream) return;
    this.streamsByPath.delete(path);
    stream.close();
    this.own.delete(stream.session);
    // Its players end with it, rather than wait on a stream that will not come back.
    const broadcast = this.nms.Context.broadcasts.get(stream.streamPath);
    if (broadcast) {
      broadcast._finishPublish();
      for (const player of [...broadcast.subscribers.values()]) player.close();
    }
    this.options.log.info({ path }, `stream ${path} removed`);
  }

  /** Refused plays and publishes so far, by `action:reason` (e.g. `publish:camera-path`). */
  refusals(): Record<string, number> {
    return this.refusalLog.counts();
  }

  /** The relay's own sessions: its camera pulls, and its pushes when they target this relay itself. */
  private isOwnSession(session: NmsSession): boolean {
    if (this.own.has(session)) return true;
    if (session.protocol !== 'rtmp') return false;
    const { address, port } = remoteOf(session);
    if (!address || !isLoopback(address) || port === undefined) return false;
    for (const stream of this.streamsByPath.values()) if (stream.pushLocalPort() === port) return true;
    return false;
  }

  streams(): StreamStatus[] {
    return [...this.streamsByPath.values()].map((s) => s.status());
  }

  /** Play URLs of a stream; `host` defaults to the bind address (127.0.0.1 when bound to every address). */
  urls(path: string, host?: string): RelayUrls {
    if (!PATH.test(path)) throw new SensegateError('SG_CONFIG_INVALID', `video relay: stream path "${path}" must be <camera>/<stream>`);
    let h = host ?? (this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host);
    if (h.includes(':') && !h.startsWith('[')) h = `[${h}]`;
    // Players' URLs: the play token only, never the publish token.
    const query = this.options.token === undefined ? '' : `?token=${encodeURIComponent(this.options.token)}`;
    return {
      flv: `http://${h}:${this.httpPort}/${path}.flv${query}`,
      ws: `ws://${h}:${this.httpPort}/${path}.flv${query}`,
      rtmp: `rtmp://${h}:${this.rtmpPort}/${path}${query}`,
    };
  }

  /** Ends every stream, player, socket and timer; the ports are free when it resolves. */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    for (const path of [...this.streamsByPath.keys()]) this.removeStream(path);
    const http = this.server.httpServer.httpServer;
    const rtmp = this.server.rtmpServer.tcpServer;
    const done = Promise.all([closed(http), closed(rtmp)]);
    await this.server.stop();
    for (const ws of this.server.httpServer.wsServer?.clients ?? []) ws.terminate();
    for (const socket of this.httpSockets) socket.destroy();
    for (const socket of this.server.rtmpServer._sockets) socket.destroy();
    await done;
    const { Context } = this.nms;
    for (const broadcast of Context.broadcasts.values()) broadcast._finishPublish();
    Context.broadcasts.clear();
    Context.sessions.clear();
    Context.config = {};
    for (const u of this.undo.reverse()) u();
    this.refusalLog.close();
    running = false;
    this.options.log.info('video relay stopped');
  }
}

/** A publish setting the relay cannot honour, or that would weaken it, is refused at start. */
function checkPublish(publish: PublishSettings, playToken: string | undefined, host: string): void {
  const invalid = (message: string) => new SensegateError('SG_CONFIG_INVALID', `video relay: publish: ${message}`);
  if (typeof publish.token !== 'string' || publish.token.length < 8) throw invalid('token must be a string of at least 8 characters');
  if (publish.token === playToken) throw invalid('token must differ from the players\' token: player URLs carry that one, and must never let anyone publish');
  if (publish.paths.length === 0) throw invalid('paths must list at least one <app>/<name> path');
  for (const path of publish.paths) {
    if (!PATH.test(path)) throw invalid(`path "${path}" must be <app>/<name>, each part letters, digits, _ or -`);
  }
  let from: AllowList;
  try {
    from = new AllowList(publish.from ?? DEFAULT_PUBLISH_FROM);
  } catch (err) {
    throw invalid(`from: ${(err as Error).message}`);
  }
  if (isLoopback(host) && !from.loopbackOnly) {
    throw invalid(`from lists addresses beyond loopback, but the relay listens on ${host} only; set host, or publish from the gateway itself`);
  }
}
