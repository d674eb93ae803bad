/**
 * The parts of node-media-server (CommonJS, v4.4) the relay reaches into. Its package has no
 * `exports` map, so internal modules load by path; every use of its internals is typed here and
 * nowhere else, so an upgrade of the library is reviewed in one file.
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';

const require = createRequire(import.meta.url);

/**
 * What every library session has (BaseSession). `ip` is '' for internal sessions (relay push),
 * the camera's `host:port` for RTSP pulls, and the client's `address:port` for RTMP and FLV
 * clients, whose socket is `socket` (RTMP) or `req.socket` (FLV).
 */
export interface NmsSession {
  id: string;
  ip: string;
  protocol: string;
  streamPath: string;
  streamQuery: Record<string, unknown>;
  inBytes: number;
  videoWidth: number;
  videoHeight: number;
  socket?: Socket | null;
  req?: IncomingMessage;
  close(): void;
}

/** The client end of a session's connection (undefined for internal sessions). */
export function remoteOf(session: NmsSession): { address: string | undefined; port: number | undefined } {
  const socket = session.socket ?? session.req?.socket;
  return { address: socket?.remoteAddress, port: socket?.remotePort };
}

/** RtmpSession: one RTMP client connection; its parser hands every audio, video and data message to `rtmp.onPacketCallback`. */
export interface NmsRtmpSession extends NmsSession {
  rtmp: { onPacketCallback: (packet: unknown) => void };
  /** Broadcasts a packet to the players of the session's path, whether or not the session is its publisher. */
  onPacket(packet: unknown): void;
  /** The path's broadcast once the client asked to play or publish (a placeholder before). */
  broadcast: NmsBroadcast;
}

export interface NmsBroadcast {
  flvHeader: Buffer;
  publisher: NmsSession | null;
  subscribers: Map<string, NmsSession>;
  _publishGraceTimer: NodeJS.Timeout | null;
  _finishPublish(): void;
}

export interface NmsRtspClient {
  connected: boolean;
  /** Bytes received and not parsed yet; a response's header block starts it when headers are parsed. */
  recvBuffer: Buffer;
  /** Parses the header block at the start of `recvBuffer`, keeping only the last value of a repeated header. */
  parseResponseHeaders(): boolean;
  /** Sends one request; `uri` goes into the request line as given (and into a Digest answer). */
  sendRequest(method: string, uri: string, ...rest: unknown[]): Promise<unknown>;
  /** Answers a 401 with the given WWW-Authenticate value (Basic or Digest), or rejects `pending`. */
  handleAuthChallenge(wwwAuth: string, pending: { reject(error: Error): void }): void;
  socket: import('node:net').Socket | null;
  onCloseCallback: (hadError: boolean) => void;
  onErrorCallback: (error: Error) => void;
  onRtpDataCallback: (channel: number, data: Buffer) => void;
}

/** RtspClientSession: pulls one RTSP URL (TCP interleaved) and publishes it on `streamPath`. */
export interface NmsRtspSession extends NmsSession {
  rtspClient: NmsRtspClient;
  reconnectInterval: number;
  currentReconnectInterval: number;
  isClosing: boolean;
  sdp: { media: Array<{ type: string; codec: string }> } | null;
  broadcast: NmsBroadcast | null;
  run(): Promise<void>;
  connectAndPlay(): Promise<void>;
  onConnectionClose(hadError: boolean): void;
  onConnectionError(error: Error): void;
  onRtpData(channel: number, data: Buffer): void;
  getVideoTrack(): { videoInfo?: { width: number; height: number } } | null;
}

/** RtmpClientSession in push mode: plays the local stream and publishes it to a remote RTMP URL. */
export interface NmsRtmpPushSession extends NmsSession {
  /** Its connection to the remote server (a new client after each reconnect). */
  rtmpClient: { socket: Socket | null };
  run(): Promise<void>;
}

export interface NmsServer {
  httpServer: { httpServer?: HttpServer; wsServer?: EventEmitter & { clients: Set<{ terminate(): void }> } };
  rtmpServer: { tcpServer?: NetServer; _sockets: Set<import('node:net').Socket> };
  stop(): Promise<void>;
}

export interface NmsLibrary {
  NodeMediaServer: new (config: object) => NmsServer;
  RtspClientSession: new (config: { rtspUrl: string; streamPath: string; reconnect?: boolean; reconnectInterval?: number }) => NmsRtspSession;
  RtmpClientSession: new (config: { url: string; mode: 'push'; streamPath: string; reconnectInterval?: number }) => NmsRtmpPushSession;
  Context: {
    config: Record<string, unknown>;
    sessions: Map<string, NmsSession>;
    broadcasts: Map<string, NmsBroadcast>;
    eventEmitter: EventEmitter;
  };
  createFlvHeader(hasAudio: boolean, hasVideo: boolean): Buffer;
  /** The library's one logger (a singleton writing to stdout with console.log). */
  logger: { level: string; log(message: string, level?: string): void };
}

export function loadLibrary(): NmsLibrary {
  return {
    NodeMediaServer: require('node-media-server'),
    RtspClientSession: require('node-media-server/src/session/rtsp_client_session.js'),
    RtmpClientSession: require('node-media-server/src/session/rtmp_client_session.js'),
    Context: require('node-media-server/src/core/context.js'),
    createFlvHeader: (audio, video) => require('node-media-server/src/protocol/flv.js').createHeader(audio, video),
    logger: require('node-media-server/src/core/logger.js'),
  };
}
