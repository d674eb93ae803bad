/**
 * One camera's encoder: an ffmpeg process that publishes the camera's stream to the RTSP server
 * and writes snapshot JPEGs to stdout. It is supervised: an ffmpeg that exits unexpectedly, or
 * whose stream goes down under it, is restarted with a short backoff (each relaunch counts in
 * `restarts`). The last lines of its stderr are kept for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { RetryTimer, type Logger } from '@sensegate/sdk';
import type { ResolvedStreamSpec } from '../options.js';
import type { RtspStream } from '../rtsp/stream.js';
import { JpegSplitter } from '../snapshot/jpeg.js';
import { adopt, exited, terminate } from './children.js';
import { encoderArgs, markerCommands } from './ffmpeg-args.js';

/** How long a fresh ffmpeg may take to publish its first keyframe. */
export const START_TIMEOUT_MS = 15_000;
/** An ffmpeg that ran this long before failing starts the backoff over. */
const STABLE_MS = 10_000;
const STDERR_LINES = 12;

export interface EncoderOptions {
  camera: ResolvedStreamSpec;
  ffmpegPath: string;
  /** The URL ffmpeg publishes to (with the encoder account in it). */
  publishUrl: string;
  /** The stream it publishes, watched to know when it is up. */
  stream: RtspStream;
  log: Logger;
  /** Each snapshot JPEG as ffmpeg writes it. */
  onJpeg(jpeg: Buffer): void;
}

export class Encoder {
  /** Relaunches after the first start (after a crash, a stall or a dropped stream). */
  restarts = 0;
  private child: ChildProcess | undefined;
  private stderrTail: string[] = [];
  /** Whether the encoder should be running (false while stopped, dropped or closed). */
  private wanted = false;
  private startedAt = 0;
  private stopReason = 'the camera is stopping';
  private readonly restart = new RetryTimer({ initialDelay: 200, maxDelay: 5000 });
  /** Where the marker box is drawn; a relaunched ffmpeg starts with it there. */
  private marker: { x: number; y: number } | undefined;

  constructor(private readonly options: EncoderOptions) {
    // A stream that goes down while its ffmpeg still runs (stalled, kicked): replace that ffmpeg.
    options.stream.on('unpublished', () => {
      const child = this.child;
      if (this.wanted && child && !exited(child)) child.kill('SIGKILL');
    });
  }

  get running(): boolean {
    return this.child !== undefined && !exited(this.child);
  }

  /** The last lines ffmpeg wrote to stderr. */
  get stderr(): string {
    return this.stderrTail.join('\n');
  }

  /**
   * Starts ffmpeg and resolves once its stream publishes (a player can DESCRIBE it); rejects,
   * naming the camera and quoting ffmpeg's last words, if it exits or stalls first. Later exits
   * are restarted.
   */
  async start(): Promise<void> {
    this.wanted = true;
    const child = this.launch();
    try {
      await this.published(child);
    } catch (err) {
      await this.stop('SIGKILL', 'the encoder failed to start');
      throw err;
    }
  }

  /**
   * Stops ffmpeg for good (until `start` or `resume`): the stream goes down at once with `reason`
   * (its players are disconnected), then ffmpeg gets `signal`, and SIGKILL after 2 s.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', reason = 'the camera is stopping'): Promise<void> {
    this.wanted = false;
    this.stopReason = reason;
    this.restart.cancel();
    this.options.stream.unpublish(reason);
    const child = this.child;
    if (child) await terminate(child, 2000, signal);
  }

  /** Moves the marker box (where the camera points) in the running picture, without a restart. */
  moveMarker(x: number, y: number): void {
    if (this.marker?.x === x && this.marker.y === y) return;
    this.marker = { x, y };
    const child = this.child;
    if (child && !exited(child) && child.stdin?.writable) child.stdin.write(markerCommands(x, y));
  }

  /** Starts again after a stop, counted as a restart; does not wait for publishing. */
  resume(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.restarts++;
    this.launch();
  }

  private launch(): ChildProcess {
    const { camera, ffmpegPath, publishUrl, log, onJpeg } = this.options;
    this.stderrTail = [];
    const child = spawn(ffmpegPath, encoderArgs(camera, publishUrl, this.marker), { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin!.on('error', () => {}); // a dying ffmpeg closes it
    adopt(child);
    this.child = child;
    this.startedAt = Date.now();
    const splitter = new JpegSplitter();
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const jpeg of splitter.push(chunk)) onJpeg(jpeg);
    });
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.stderrTail.push(line.replace(publishUrl, '<publish url>'));
      if (this.stderrTail.length > STDERR_LINES) this.stderrTail.splice(0, this.stderrTail.length - STDERR_LINES);
    });
    child.on('error', (err) => this.stderrTail.push(`spawn failed: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      if (partial.trim() !== '') this.stderrTail.push(partial);
      const { stream } = this.options;
      if (!this.wanted) {
        if (stream.hasPublisher()) stream.unpublish(this.stopReason);
        return;
      }
      stream.unpublish(`the encoder (ffmpeg) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; it restarts`);
      if (Date.now() - this.startedAt > STABLE_MS) this.restart.succeeded();
      const delay = this.restart.schedule(() => {
        if (!this.wanted) return;
        this.restarts++;
        this.watchStart(this.launch());
      });
      log.warn({ camera: camera.id, code, signal, delay, stderr: this.stderr }, 'encoder exited; restarting');
    });
    // The pipes break when ffmpeg dies; that is the exit handler's business, not an uncaught error.
    child.stdout!.on('error', () => {});
    child.stderr!.on('error', () => {});
    return child;
  }

  /** A relaunched ffmpeg that does not publish in time is killed, which restarts it again. */
  private watchStart(child: ChildProcess): void {
    this.published(child).catch(() => {
      if (this.child === child && !exited(child)) child.kill('SIGKILL');
    });
  }

  private published(child: ChildProcess): Promise<void> {
    const { camera, stream } = this.options;
    return new Promise<void>((resolve, reject) => {
      if (stream.publishing) return resolve();
      const done = (err?: Error) => {
        clearTimeout(timer);
        stream.off('publishing', onPublishing);
        child.off('close', onExit);
        if (err) reject(err);
        else resolve();
      };
      const onPublishing = () => done();
      // 'close' comes after stderr drained, so the message quotes ffmpeg's last words.
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        done(new Error(`camera "${camera.id}": ffmpeg ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before publishing its stream${this.quote()}`));
      const timer = setTimeout(
        () => done(new Error(`camera "${camera.id}": ffmpeg did not publish its stream within ${START_TIMEOUT_MS / 1000} s${this.quote()}`)),
        START_TIMEOUT_MS,
      );
      stream.on('publishing', onPublishing);
      child.once('close', onExit);
    });
  }

  private quote(): string {
    return this.stderrTail.length ? `; its last stderr lines:\n${this.stderr}` : ' (it wrote nothing to stderr)';
  }
}
