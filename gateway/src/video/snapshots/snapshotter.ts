/**
 * `Snapshotter`: takes a camera's picture for an event or a schedule and stores it. It prefers the
 * camera's snapshot URL (a JPEG the camera already has, no decoding) and falls back to one frame
 * of the RTSP stream, or the other way round; concurrent takes for one camera share one grab, so a
 * burst of motion events costs one picture. Errors name the camera and every source tried, with
 * credentials hidden.
 */
import { resolveFfmpeg, SensegateError, silentLogger, urlWithCredentials, type Logger, type MediaSource } from '@sensegate/sdk';
import { DEFAULT_MAX_SNAPSHOT_BYTES, fetchSnapshot } from './fetch-snapshot.js';
import { grabFrame } from './grab-frame.js';
import { jpegSize } from './jpeg.js';
import { SnapshotSchedule, type SnapshotScheduleOptions } from './schedule.js';
import type { SnapshotRef, SnapshotStore } from './store.js';

/** Where a picture comes from: the camera's snapshot URL or a frame of its stream. */
export type SnapshotSourceKind = 'snapshotUrl' | 'stream';

export interface SnapshotterOptions {
  store: SnapshotStore;
  /** The configured ffmpeg path (`ffmpeg:` in the configuration); resolved with the sdk's `resolveFfmpeg` when a stream is first grabbed. */
  ffmpeg?: string;
  log?: Logger;
  /** Milliseconds allowed for each source tried (default 10,000); a take that falls back can last twice as long. */
  timeout?: number;
  /** Which source to try first when a camera has both (default `snapshotUrl`). */
  prefer?: SnapshotSourceKind;
  /** Largest picture accepted, in bytes (default 16 MiB). */
  maxBytes?: number;
}

export interface SnapshotterStats {
  /** Pictures stored. */
  taken: number;
  /** Takes that joined a grab already in flight for the same camera. */
  shared: number;
  /** Takes that ended with an error (each shared take counted once). */
  failed: number;
  /** Pictures by the source that delivered them. */
  bySource: Record<SnapshotSourceKind, number>;
  /** Pictures that came from the second source after the first failed. */
  fallbacks: number;
}

export const DEFAULT_TAKE_TIMEOUT = 10_000;

export class Snapshotter {
  private readonly log: Logger;
  private readonly timeout: number;
  private readonly inFlight = new Map<string, Promise<SnapshotRef>>();
  private readonly closing = new AbortController();
  private readonly schedules = new Set<SnapshotSchedule>();
  /** Per camera, the failure of its preferred source, logged once until it works again. */
  private readonly preferredFailing = new Map<string, string>();
  private ffmpegPath: string | undefined;
  private readonly counts: SnapshotterStats = { taken: 0, shared: 0, failed: 0, bySource: { snapshotUrl: 0, stream: 0 }, fallbacks: 0 };

  constructor(private readonly options: SnapshotterOptions) {
    this.log = options.log ?? silentLogger;
    this.timeout = options.timeout ?? DEFAULT_TAKE_TIMEOUT;
  }

  /**
   * A picture of `device` from `source`, stored with `reason`. While a take for the camera is in
   * flight, another joins it and gets the same picture. Throws SensegateError with `device` set:
   * SG_AUTH_FAILED when every source refused the credentials, SG_STREAM_UNAVAILABLE when the
   * stream could not be reached, SG_SNAPSHOT_FAILED otherwise (SG_FFMPEG_MISSING when the stream
   * was the only source and there is no ffmpeg).
   */
  take(device: string, source: MediaSource, reason: string): Promise<SnapshotRef> {
    const running = this.inFlight.get(device);
    if (running) {
      this.counts.shared++;
      return running;
    }
    const taking = this.grabAndStore(device, source, reason).finally(() => this.inFlight.delete(device));
    this.inFlight.set(device, taking);
    return taking;
  }

  /**
   * Takes a picture of `device` every `ms` until stopped; failures are logged once per episode.
   * `source` may be a function, so a schedule follows a camera whose streams are announced anew.
   */
  every(device: string, ms: number, source: MediaSource | (() => MediaSource | undefined), options: Omit<SnapshotScheduleOptions, 'every' | 'log'> = {}): SnapshotSchedule {
    const current = typeof source === 'function' ? source : () => source;
    const schedule = new SnapshotSchedule(
      device,
      (reason) => {
        const media = current();
        if (!media) throw new SensegateError('SG_STREAM_UNAVAILABLE', `camera "${device}": no media source announced`, { device });
        return this.take(device, media, reason);
      },
      { ...options, every: ms, log: this.log },
    );
    this.schedules.add(schedule);
    schedule.onStop(() => this.schedules.delete(schedule));
    return schedule;
  }

  stats(): SnapshotterStats {
    return { ...this.counts, bySource: { ...this.counts.bySource } };
  }

  /** Stops every schedule and cancels takes in flight (they fail with SG_SNAPSHOT_FAILED). */
  async close(): Promise<void> {
    for (const schedule of [...this.schedules]) schedule.stop();
    this.closing.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private order(source: MediaSource): SnapshotSourceKind[] {
    if (!source.snapshotUrl) return ['stream'];
    return this.options.prefer === 'stream' ? ['stream', 'snapshotUrl'] : ['snapshotUrl', 'stream'];
  }

  private async grabAndStore(device: string, source: MediaSource, reason: string): Promise<SnapshotRef> {
    const failures: SensegateError[] = [];
    try {
      if (this.closing.signal.aborted) throw new SensegateError('SG_SNAPSHOT_FAILED', `camera "${device}": the snapshotter is closed`, { device });
      const order = this.order(source);
      for (const kind of order) {
        let jpeg: Buffer;
        try {
          jpeg = await this.fetch(kind, source);
        } catch (err) {
          const error = err instanceof SensegateError ? err : new SensegateError('SG_SNAPSHOT_FAILED', err instanceof Error ? err.message : String(err), { cause: err });
          failures.push(error);
          if (kind === order[0] && order.length > 1) this.preferredFailed(device, kind, error);
          if (this.closing.signal.aborted) break;
          continue;
        }
        if (kind === order[0]) this.preferredWorks(device, kind);
        else this.counts.fallbacks++;
        const ref = await this.options.store.save(device, jpeg, { reason });
        this.counts.taken++;
        this.counts.bySource[kind]++;
        this.log.debug({ device, file: ref.file, bytes: ref.bytes, source: kind, reason }, `camera "${device}": snapshot ${ref.file}`);
        return ref;
      }
    } catch (err) {
      this.counts.failed++;
      throw err instanceof SensegateError ? err.withContext({ device }) : err;
    }
    this.counts.failed++;
    throw combine(device, failures);
  }

  private async fetch(kind: SnapshotSourceKind, source: MediaSource): Promise<Buffer> {
    const signal = this.closing.signal;
    const maxBytes = this.options.maxBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
    const jpeg =
      kind === 'snapshotUrl'
        ? await fetchSnapshot(source.snapshotUrl!, source.auth, { timeout: this.timeout, signal, maxBytes, basicOverHttp: source.allowBasicOverHttp === true })
        : await grabFrame(urlWithCredentials(source.url, source.auth), { ffmpeg: this.ffmpeg(), timeout: this.timeout, signal, maxBytes, basicOverRtsp: source.allowBasicOverHttp === true });
    if (!jpegSize(jpeg)) {
      const where = kind === 'snapshotUrl' ? `snapshot ${source.snapshotUrl}` : `stream ${source.url}`;
      throw new SensegateError('SG_SNAPSHOT_FAILED', `${where}: the JPEG has no frame header (${jpeg.length} bytes)`, { source: where });
    }
    return jpeg;
  }

  private ffmpeg(): string {
    // Resolved on first use, and again after a failure, so installing ffmpeg needs no restart.
    this.ffmpegPath ??= resolveFfmpeg({ configured: this.options.ffmpeg }).path;
    return this.ffmpegPath;
  }

  private preferredFailed(device: string, kind: SnapshotSourceKind, error: SensegateError): void {
    if (this.preferredFailing.get(device) === error.code) return;
    this.preferredFailing.set(device, error.code);
    this.log.warn({ device, code: error.code, source: kind }, `camera "${device}": ${error.message}; trying the other source (logged once until it works again)`);
  }

  private preferredWorks(device: string, kind: SnapshotSourceKind): void {
    if (!this.preferredFailing.delete(device)) return;
    this.log.info({ device, source: kind }, `camera "${device}": snapshots from the ${kind === 'snapshotUrl' ? 'snapshot URL' : 'stream'} work again`);
  }
}

/** One error for a take that found no picture: every source tried, and the code that fits best. */
function combine(device: string, failures: SensegateError[]): SensegateError {
  const all = (code: string) => failures.length > 0 && failures.every((f) => f.code === code);
  const code = all('SG_AUTH_FAILED')
    ? 'SG_AUTH_FAILED'
    : all('SG_INSECURE_AUTH')
      ? 'SG_INSECURE_AUTH'
      : failures.length === 1
        ? failures[0]!.code
        : failures.some((f) => f.code === 'SG_STREAM_UNAVAILABLE')
          ? 'SG_STREAM_UNAVAILABLE'
          : 'SG_SNAPSHOT_FAILED';
  const tried = failures.map((f) => f.message).join('; ');
  const status = failures.find((f) => f.status !== undefined)?.status;
  return new SensegateError(code, `camera "${device}": no snapshot; tried ${tried}`, {
    device,
    ...(status !== undefined ? { status } : {}),
    cause: failures.length === 1 ? failures[0] : new AggregateError(failures),
  });
}
