/**
 * One relayed camera stream: the library's RTSP pull session, watched. The library re-pulls by
 * itself after the RTSP connection closes or fails (doubling its delay, capped at 30 s, with no
 * way to set the cap) but it never notices a connection that stays open and goes silent, sets
 * no timeout on connecting, and reports no state. This file adds those: the state the relay
 * reports, a configurable cap on the retry delay, a watchdog that drops a silent or stuck
 * connection (the library's reconnect then takes over), the measured input bitrate, the
 * optional RTMP push, and the rule for answering the camera's login (rtsp-auth.ts).
 */
import { redactText, redactUrl, type BackoffSettings, type Logger } from '@sensegate/sdk';
import type { NmsLibrary, NmsRtmpPushSession, NmsRtspSession } from './library.js';
import { guardRtspAuth } from './rtsp-auth.js';

export type StreamState = 'up' | 'down' | 'connecting';

export interface StreamStatus {
  path: string;
  state: StreamState;
  /** When the stream entered this state (ms since the epoch). */
  since: number;
  /** Bytes received from the camera (RTP and RTCP), kbit/s over the last few seconds. */
  bitrate: number;
  /** HTTP-FLV, WS-FLV and RTMP players (the relay's own push is not one). */
  viewers: number;
  width?: number;
  height?: number;
  codec?: string;
  lastError?: string;
}

export interface WatchSettings {
  restart: BackoffSettings;
  /** An open connection that delivers no bytes for this long is dropped and re-pulled. */
  stallTimeout: number;
}

/** Bitrate window: bytes counted over the last few samples (one per watchdog tick). */
const RATE_WINDOW = 5;
/** RTP packets held while the library registers a new pull (a keyframe's worth at 720p). */
const EARLY_PACKETS = 1024;

export class RelayedStream {
  readonly session: NmsRtspSession;
  state: StreamState = 'connecting';
  since = Date.now();
  lastError: string | undefined;
  private push: NmsRtmpPushSession | undefined;
  private samples: Array<{ t: number; bytes: number }> = [];
  private lastBytes = 0;
  /** Monotonic ms, like `tick`'s `now`: stall timeouts are durations a wall-clock step must not trip. */
  private lastProgress = performance.now();
  private attemptStarted: number | undefined = performance.now();
  /** Why the watchdog dropped the connection: it stays the reason over the errors that follow. */
  private dropped: string | undefined;

  constructor(
    private readonly nms: NmsLibrary,
    /** The library's stream path, `/<app>/<name>`. */
    readonly streamPath: string,
    readonly path: string,
    /** The camera's RTSP URL with credentials: handed to the library only (its log lines are redacted). */
    url: string,
    private readonly pushUrl: string | undefined,
    private readonly settings: WatchSettings,
    private readonly log: Logger,
    private readonly onState: (stream: RelayedStream) => void,
    /** The camera's configuration allows RTSP Basic without TLS (rtsp-auth.ts); otherwise only Digest is answered. */
    allowBasic = false,
  ) {
    this.session = new nms.RtspClientSession({ rtspUrl: url, streamPath, reconnect: true, reconnectInterval: settings.restart.initialDelay });
    guardRtspAuth(this.session, allowBasic);
    this.hook(this.session);
    this.log.info({ path, url: redactUrl(url) }, `relaying ${redactUrl(url)} as ${path}`);
    void this.session.run();
  }

  private hook(session: NmsRtspSession): void {
    const { maxDelay } = this.settings.restart;
    // The library doubles this after each failed attempt up to its own 30 s; ours caps it.
    let interval = session.currentReconnectInterval;
    Object.defineProperty(session, 'currentReconnectInterval', {
      get: () => interval,
      set: (value: number) => (interval = Math.min(value, maxDelay)),
    });

    const connectAndPlay = session.connectAndPlay;
    session.connectAndPlay = async () => {
      this.attemptStarted = performance.now();
      this.dropped = undefined;
      try {
        await connectAndPlay();
      } catch (err) {
        this.attemptStarted = undefined;
        this.setState('down', this.dropped ?? (err instanceof Error ? err.message : String(err)));
        throw err;
      }
      this.attemptStarted = undefined;
      // The library's FLV header always announces audio; players (ffprobe) then wait for an
      // audio stream that never comes. Announce what the camera's SDP has.
      if (session.broadcast && session.sdp) {
        const has = (type: string) => session.sdp!.media.some((m) => m.type === type);
        session.broadcast.flvHeader = this.nms.createFlvHeader(has('audio'), has('video'));
      }
      this.lastProgress = performance.now();
      this.lastBytes = session.inBytes;
      this.setState('up');
    };
    const onClose = session.onConnectionClose;
    session.onConnectionClose = (hadError) => {
      if (!session.isClosing) this.setState('down', this.dropped ?? (this.state === 'down' && this.lastError ? this.lastError : 'the camera closed the connection'));
      onClose(hadError);
    };
    const onError = session.onConnectionError;
    session.onConnectionError = (error) => {
      if (!session.isClosing) this.setState('down', this.dropped ?? error.message);
      onError(error);
    };
    // Library bug (4.4.3): RTP that arrives in the same TCP read as the PLAY answer reaches
    // onRtpData before the session has registered its broadcast, and `this.broadcast` is null:
    // an uncaught TypeError that ends the process. Hold those packets until it is registered.
    const onRtpData = session.onRtpData;
    const early: Array<[number, Buffer]> = [];
    session.onRtpData = (channel, data) => {
      if (session.broadcast === null) {
        if (early.length < EARLY_PACKETS) early.push([channel, data]);
        return;
      }
      for (const [c, d] of early.splice(0)) onRtpData(c, d);
      onRtpData(channel, data);
    };
    // The first client got the unwrapped callbacks in the constructor; later ones read these.
    session.rtspClient.onCloseCallback = session.onConnectionClose;
    session.rtspClient.onErrorCallback = session.onConnectionError;
    session.rtspClient.onRtpDataCallback = session.onRtpData;
  }

  private setState(state: StreamState, error?: string): void {
    if (error !== undefined) this.lastError = redactText(error);
    if (state === this.state) return;
    this.state = state;
    this.since = Date.now();
    if (state === 'up') {
      this.log.info({ path: this.path }, `stream ${this.path} up`);
      this.startPush();
    } else if (state === 'down') {
      this.log.warn({ path: this.path, reason: this.lastError }, `stream ${this.path} down: ${this.lastError ?? 'unknown reason'}; re-pulling`);
    }
    this.onState(this);
  }

  /** Called about once a second by the relay with the monotonic clock: samples the byte counter, drops silent connections. */
  tick(now: number): void {
    const bytes = this.session.inBytes;
    this.samples.push({ t: now, bytes });
    if (this.samples.length > RATE_WINDOW) this.samples.shift();
    if (bytes !== this.lastBytes) {
      this.lastBytes = bytes;
      this.lastProgress = now;
    }
    const client = this.session.rtspClient;
    const seconds = this.settings.stallTimeout / 1000;
    if (this.state === 'up' && now - this.lastProgress > this.settings.stallTimeout) {
      this.dropped = `no media for ${seconds} s`;
      this.setState('down', this.dropped);
      client.socket?.destroy(new Error(`no media for ${seconds} s`));
    } else if (this.attemptStarted !== undefined && now - this.attemptStarted > this.settings.stallTimeout) {
      // Connecting or negotiating for too long (the library sets no timeout): give up this attempt.
      this.attemptStarted = undefined;
      this.dropped = `no answer from the camera within ${seconds} s`;
      this.setState('down', this.dropped);
      client.socket?.destroy(new Error(`no answer within ${seconds} s`));
    }
  }

  status(): StreamStatus {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    const span = first && last ? (last.t - first.t) / 1000 : 0;
    const bitrate = this.state === 'up' && span > 0 ? Math.round(((last!.bytes - first!.bytes) * 8) / span / 1000) : 0;
    const broadcast = this.nms.Context.broadcasts.get(this.streamPath);
    let viewers = 0;
    for (const s of broadcast?.subscribers.values() ?? []) if (s.ip !== '') viewers++;
    const video = this.session.getVideoTrack()?.videoInfo;
    const width = video?.width || this.session.videoWidth || undefined;
    const height = video?.height || this.session.videoHeight || undefined;
    const codec = this.session.sdp?.media.find((m) => m.type === 'video')?.codec?.toLowerCase();
    return {
      path: this.path,
      state: this.state,
      since: this.since,
      bitrate,
      viewers,
      ...(width ? { width } : {}),
      ...(height ? { height } : {}),
      ...(codec ? { codec } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** The push starts once the stream is first up (the library's push needs the local stream to exist). */
  private startPush(): void {
    if (!this.pushUrl || this.push) return;
    this.log.info({ path: this.path, push: redactUrl(this.pushUrl) }, `pushing ${this.path} to ${redactUrl(this.pushUrl)}`);
    this.push = new this.nms.RtmpClientSession({ url: this.pushUrl, mode: 'push', streamPath: this.streamPath, reconnectInterval: this.settings.restart.initialDelay });
    void this.push.run();
  }

  /** The local port of the push's connection, while it has one (to recognise a push to this relay itself). */
  pushLocalPort(): number | undefined {
    return this.push?.rtmpClient.socket?.localPort;
  }

  close(): void {
    this.push?.close();
    this.session.close();
  }
}
