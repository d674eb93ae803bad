/**
 * The gateway's camera video service: it takes the streams drivers announce (`context.media`),
 * relays them, takes snapshots on events and on a schedule, attaches each snapshot to the event that
 * asked for it, and publishes the relay's state as readings of the camera (`stream.up`,
 * `stream.bitrate`, `stream.viewers`). The relay and the snapshotter are given to it, so that each
 * can be built and tested on its own.
 */
import { SensegateError, redactUrl, toSensegateError, urlWithCredentials, type DeviceEvent, type Logger, type MediaSource, type Value } from '@sensegate/sdk';
import type { SnapshotsConfig } from './schema.js';
import type { SnapshotRef, SnapshotSchedule, SnapshotStore, Snapshotter } from './snapshots/index.js';

/** What the service needs of a relay (gateway/src/video/relay). */
export interface RelayPort {
  /** The port players connect to for HTTP-FLV and WS-FLV. */
  readonly httpPort: number;
  addStream(stream: { path: string; url: string; push?: string; allowBasicOverHttp?: boolean }): void;
  removeStream(path: string): void;
  streams(): ReadonlyArray<{ path: string; state: 'up' | 'down' | 'connecting'; bitrate: number; viewers: number }>;
  urls(path: string, host?: string): { flv: string; ws: string; rtmp: string };
  on(event: 'state', listener: (path: string, state: 'up' | 'down' | 'connecting', info: { lastError?: string }) => void): unknown;
  stop(): Promise<void>;
}

export interface VideoServiceOptions {
  gatewayId: string;
  relay?: RelayPort;
  /** RTMP URL template for pushing every relayed stream (`{gateway}`, `{device}`, `{stream}`). */
  push?: string;
  statsInterval?: number;
  snapshots?: { snapshotter: Snapshotter; store: SnapshotStore; config: SnapshotsConfig };
  /** Publishes a reading of a camera's point if the device has that point; others are skipped silently. */
  publish: (device: string, point: string, value: Value) => void;
  log: Logger;
}

export interface StreamStatus {
  device: string;
  stream: string;
  /** The camera's own URL, credentials removed. */
  source: string;
  state?: 'up' | 'down' | 'connecting';
  bitrate?: number;
  viewers?: number;
  /** Where the gateway serves it (with the token hidden), when relayed. */
  urls?: { flv: string; ws: string; rtmp: string };
}

export class VideoService {
  private readonly media = new Map<string, readonly MediaSource[]>();
  /** Per camera: the tail of its event chain, so events leave in the order they came. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly schedules = new Map<string, SnapshotSchedule>();
  private readonly failing = new Set<string>();
  private statsTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: VideoServiceOptions) {
    options.relay?.on('state', (path, state, info) => this.onRelayState(path, state, info.lastError));
    if (options.relay) {
      this.statsTimer = setInterval(() => this.publishStats(), options.statsInterval ?? 10_000);
      this.statsTimer.unref();
    }
  }

  /** A driver announced (or withdrew, with `[]`) a device's streams. */
  setMedia(device: string, sources: readonly MediaSource[]): void {
    if (this.stopped) return;
    const { relay, log } = this.options;
    const before = this.media.get(device) ?? [];
    if (sameSources(before, sources)) return;
    for (const s of before) relay?.removeStream(pathOf(device, s));
    if (sources.length === 0) this.media.delete(device);
    else this.media.set(device, sources);
    for (const s of sources) {
      const taken = this.sourceOfPath(pathOf(device, s));
      if (taken[0] !== undefined && taken[0] !== device) {
        log.error({ device, stream: s.id }, `camera ${device}: its relay path ${pathOf(device, s)} is taken by ${taken[0]}; rename one of the devices (ids that differ only in . and : share a path)`);
        continue;
      }
      log.info({ device, stream: s.id, url: redactUrl(s.url) }, `camera ${device}: stream ${s.id} at ${redactUrl(s.url)}${relay ? ', relayed' : ''}`);
      relay?.addStream({ path: pathOf(device, s), url: urlWithCredentials(s.url, s.auth), ...(this.pushUrl(device, s)), ...(s.allowBasicOverHttp ? { allowBasicOverHttp: true } : {}) });
    }
    this.schedule(device);
  }

  /**
   * An event from a driver, on its way to the pipeline. An event type the snapshot configuration
   * names waits (at most the snapshot timeout) for a picture and carries its reference, or the reason
   * there is none; others pass at once, behind any earlier event of the same device.
   */
  event(event: DeviceEvent, next: (event: DeviceEvent) => void): void {
    const device = event.device;
    const snapshots = this.options.snapshots;
    const wants = !this.stopped && device !== undefined && snapshots !== undefined && snapshots.config.on.includes(event.type);
    const previous = (device && this.chains.get(device)) || undefined;
    if (!wants && !previous) return next(event);
    const work = async () => {
      await previous;
      next(wants ? await this.withSnapshot(event, device!) : event);
    };
    const tail = work().catch((err) => this.options.log.error({ err: toSensegateError(err).toJSON(), device }, `camera ${device}: event lost in the video service: ${(err as Error).message}`));
    this.chains.set(device!, tail);
    void tail.then(() => {
      if (this.chains.get(device!) === tail) this.chains.delete(device!);
    });
  }

  /** Takes a snapshot of a camera now (scheduled, or asked for). */
  async snapshot(device: string, reason: string): Promise<SnapshotRef> {
    const snapshots = this.options.snapshots;
    const source = this.media.get(device)?.[0];
    if (!snapshots) throw new SensegateError('SG_NOT_SUPPORTED', 'snapshots are not configured (`video.snapshots`)', { device });
    if (!source) {
      throw new SensegateError('SG_STREAM_UNAVAILABLE', `camera ${device} has announced no stream: it has not been reached yet, or it is not a camera`, { device });
    }
    return snapshots.snapshotter.take(device, source, snapshotReason(reason));
  }

  status(): StreamStatus[] {
    const relayed = new Map((this.options.relay?.streams() ?? []).map((s) => [s.path, s]));
    const out: StreamStatus[] = [];
    for (const [device, sources] of this.media) {
      for (const s of sources) {
        const path = pathOf(device, s);
        const r = relayed.get(path);
        out.push({
          device,
          stream: s.id,
          source: redactUrl(s.url),
          ...(r ? { state: r.state, bitrate: r.bitrate, viewers: r.viewers, urls: this.redactedUrls(path) } : {}),
        });
      }
    }
    return out;
  }

  /** The stored snapshots, whatever took them. */
  get snapshotStore(): SnapshotStore | undefined {
    return this.options.snapshots?.store;
  }

  /** The relay's HTTP-FLV port, when streams are relayed. */
  get relayPort(): number | undefined {
    return this.options.relay?.httpPort;
  }

  /** Where the relay serves a camera's stream, token included (for the operator, not for logs). */
  urls(device: string, stream?: string, host?: string): { flv: string; ws: string; rtmp: string } | undefined {
    const source = this.media.get(device)?.find((s) => stream === undefined || s.id === stream);
    if (!source || !this.options.relay) return undefined;
    return this.options.relay.urls(pathOf(device, source), host);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.statsTimer);
    await Promise.allSettled([...this.schedules.values()].map((s) => s.stop()));
    this.schedules.clear();
    await Promise.allSettled([...this.chains.values()]);
    await this.options.relay?.stop();
    await this.options.snapshots?.snapshotter.close();
    this.options.snapshots?.store.close();
  }

  private async withSnapshot(event: DeviceEvent, device: string): Promise<DeviceEvent> {
    try {
      const ref = await this.snapshot(device, event.type);
      this.failing.delete(device);
      return { ...event, data: { ...event.data, snapshot: ref } };
    } catch (err) {
      const e = toSensegateError(err, { device });
      if (!this.failing.has(device)) {
        this.failing.add(device);
        this.options.log.warn({ device, code: e.code }, `camera ${device}: no snapshot for ${event.type}: ${e.message}`);
      }
      return { ...event, data: { ...event.data, snapshotError: { code: e.code, message: e.message } } };
    }
  }

  /** Scheduled snapshots of a camera (`video.snapshots.every`); the schedule logs its failures once per episode. */
  private schedule(device: string): void {
    const snapshots = this.options.snapshots;
    const every = snapshots?.config.every ?? 0;
    if (!snapshots || every <= 0 || this.schedules.has(device) || !this.media.has(device)) return;
    this.schedules.set(device, snapshots.snapshotter.every(device, every, () => this.media.get(device)?.[0], { reason: 'schedule' }));
  }

  private onRelayState(path: string, state: 'up' | 'down' | 'connecting', reason?: string): void {
    const [device, stream] = this.sourceOfPath(path);
    if (!device || state === 'connecting') return;
    const log = this.options.log;
    if (state === 'up') log.info({ device, stream }, `camera ${device}: relay of ${stream} is up`);
    else log.warn({ device, stream, reason }, `camera ${device}: relay of ${stream} is down${reason ? ` (${reason})` : ''}; it restarts on its own`);
    if (this.isMain(device, stream)) this.options.publish(device, 'stream.up', state === 'up');
  }

  private publishStats(): void {
    for (const s of this.options.relay?.streams() ?? []) {
      const [device, stream] = this.sourceOfPath(s.path);
      if (!device || !this.isMain(device, stream)) continue;
      this.options.publish(device, 'stream.up', s.state === 'up');
      this.options.publish(device, 'stream.bitrate', s.state === 'up' ? s.bitrate : 0);
      this.options.publish(device, 'stream.viewers', s.viewers);
    }
  }

  /** The device and stream id a relay path stands for. */
  private sourceOfPath(path: string): [string | undefined, string | undefined] {
    for (const [device, sources] of this.media) {
      const source = sources.find((s) => pathOf(device, s) === path);
      if (source) return [device, source.id];
    }
    return [undefined, undefined];
  }

  /** Stream readings describe a camera's first stream (its main profile). */
  private isMain(device: string, stream: string | undefined): boolean {
    return this.media.get(device)?.[0]?.id === stream;
  }

  private pushUrl(device: string, s: MediaSource): { push?: string } {
    const template = this.options.push;
    if (!template) return {};
    return { push: template.replaceAll('{gateway}', this.options.gatewayId).replaceAll('{device}', device).replaceAll('{stream}', s.id) };
  }

  private redactedUrls(path: string) {
    const u = this.options.relay!.urls(path);
    return { flv: redactUrl(u.flv), ws: redactUrl(u.ws), rtmp: redactUrl(u.rtmp) };
  }
}

/**
 * The reason a snapshot is stored under, part of its file name: an event type with every character
 * other than letters, digits, `_` and `-` made `-` (`camera.motion` is stored as `camera-motion`),
 * or `schedule`.
 */
export function snapshotReason(eventType: string): string {
  return eventType.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 32);
}

/** The relay path of a camera stream: `<device>/<stream>`, served at `/<device>/<stream>.flv`. */
function pathOf(device: string, source: MediaSource): string {
  return `${safe(device)}/${safe(source.id)}`;
}

/** Relay paths take letters, digits, `_` and `-`; device ids may also hold `.` and `:`. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, '_');
}

function sameSources(a: readonly MediaSource[], b: readonly MediaSource[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
