/**
 * One simulated camera's video: its publish point on the RTSP server, its encoder, the latest
 * snapshot JPEG, and the stream-drop fault.
 */
import { SensegateError, type Logger } from '@sensegate/sdk';
import type { ResolvedStreamSpec } from '../options.js';
import type { RtspStream } from '../rtsp/stream.js';
import { Encoder } from './encoder.js';
import { markerAt } from './ffmpeg-args.js';

/** How long `snapshot()` waits for the first JPEG of a stream that is up. */
const FIRST_JPEG_TIMEOUT_MS = 3000;

export interface CameraStats {
  /** The encoder is publishing: a player can DESCRIBE and PLAY the stream now. */
  publishing: boolean;
  /** Players in PLAY. */
  viewers: number;
  /** Bytes relayed to players (RTP and RTCP with their 4-byte interleaved headers). */
  bytesOut: number;
  /** Encoder relaunches: after a crash or stall, and after each `dropStream`. */
  restarts: number;
}

export class Camera {
  private readonly encoder: Encoder;
  private latest: Buffer | undefined;
  private readonly jpegWaiters = new Set<(jpeg: Buffer) => void>();
  private dropTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly spec: ResolvedStreamSpec,
    readonly stream: RtspStream,
    ffmpegPath: string,
    publishUrl: string,
    log: Logger,
  ) {
    this.encoder = new Encoder({ camera: spec, ffmpegPath, publishUrl, stream, log, onJpeg: (jpeg) => this.onJpeg(jpeg) });
    // A picture from before the stream went down is not the current one.
    stream.on('unpublished', () => (this.latest = undefined));
  }

  start(): Promise<void> {
    return this.encoder.start();
  }

  /** Moves the marker box to where the camera points (pan and tilt in [-1, 1]). */
  point(pan: number, tilt: number): void {
    const { x, y } = markerAt(this.spec, pan, tilt);
    this.encoder.moveMarker(x, y);
  }

  stats(): CameraStats {
    return { publishing: this.stream.publishing, viewers: this.stream.viewers, bytesOut: this.stream.bytesOut, restarts: this.encoder.restarts };
  }

  /** The newest JPEG (at most 1/SNAPSHOT_RATE s old, see ffmpeg-args.ts), or the next one if the stream just came up. */
  async snapshot(): Promise<Buffer> {
    if (!this.stream.publishing) {
      throw new SensegateError('SG_NOT_CONNECTED', `camera "${this.spec.id}": the stream is down (${this.stream.downReason})`);
    }
    if (this.latest) return this.latest;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.jpegWaiters.delete(take);
        reject(new SensegateError('SG_NOT_CONNECTED', `camera "${this.spec.id}": no picture within ${FIRST_JPEG_TIMEOUT_MS} ms`));
      }, FIRST_JPEG_TIMEOUT_MS);
      const take = (jpeg: Buffer) => {
        clearTimeout(timer);
        resolve(jpeg);
      };
      this.jpegWaiters.add(take);
    });
  }

  /**
   * The fault: the stream goes down now (viewers disconnected, the encoder killed) and comes back
   * by itself `ms` later. Resolves once it is down. A drop during a drop restarts the countdown.
   */
  async drop(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new SensegateError('SG_USAGE', `dropStream needs a duration in ms from 0, got ${String(ms)}`);
    }
    if (this.closed) throw new SensegateError('SG_USAGE', `camera "${this.spec.id}" is closed`);
    clearTimeout(this.dropTimer);
    this.dropTimer = undefined;
    const reason = `the stream was dropped on purpose (dropStream) for ${ms} ms`;
    await this.encoder.stop('SIGKILL', reason);
    if (this.closed) return;
    this.stream.setDownReason(reason);
    this.dropTimer = setTimeout(() => {
      this.dropTimer = undefined;
      if (!this.closed) this.encoder.resume();
    }, ms);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.dropTimer);
    this.dropTimer = undefined;
    await this.encoder.stop('SIGTERM', 'the camera is closing');
  }

  private onJpeg(jpeg: Buffer): void {
    if (!this.stream.publishing) return;
    this.latest = jpeg;
    for (const take of this.jpegWaiters) take(jpeg);
    this.jpegWaiters.clear();
  }
}
