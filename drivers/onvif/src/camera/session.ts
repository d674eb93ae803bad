/**
 * One camera: connect (clock first, then identity, profiles, stream URIs), announce it, keep its
 * event subscription and a periodic check running, and start over with backoff when it stops
 * answering. Nothing here throws out to the gateway: a failing camera is reported through health.
 */
import { RetryTimer, SensegateError, redactUrl, type DriverContext, type MediaSource } from '@sensegate/sdk';
import { commands, type CommandName } from '../commands.js';
import { deviceServiceUrl } from '../config/connection.js';
import type { OnvifDevice } from './device.js';
import { cameraError } from './errors.js';
import { mapNotification } from './event-map.js';
import { PullPointEvents } from './events.js';
import type { Notification } from './notification.js';
import { OnvifClient, type MediaProfile } from './onvif-client.js';
import { mediaAddress } from './reported-address.js';
import { CameraPoints } from './points.js';
import { runPtzCommand } from './ptz.js';

/** How long the PTZ position is followed after a move, and how often. */
const FOLLOW_MS = 30_000;
const FOLLOW_EVERY_MS = 500;

export interface SessionStats {
  connects: number;
  subscriptions: number;
  renewals: number;
}

export class CameraSession {
  private running = false;
  private client: OnvifClient | undefined;
  private profile: MediaProfile | undefined;
  private events: PullPointEvents | undefined;
  private check: NodeJS.Timeout | undefined;
  private follow: NodeJS.Timeout | undefined;
  private lost: ((err: SensegateError) => void) | undefined;
  private wake = new AbortController();
  private loop: Promise<void> | undefined;
  private lastReason: string | undefined;
  private readonly states = new Map<string, boolean>();
  private readonly replacedHosts = new Set<string>();
  private readonly points: CameraPoints;
  private readonly retry: RetryTimer;
  private readonly url: URL;
  private readonly counters: SessionStats = { connects: 0, subscriptions: 0, renewals: 0 };

  constructor(
    private readonly device: OnvifDevice,
    private readonly context: DriverContext,
    private readonly password: string | undefined,
  ) {
    this.points = new CameraPoints(device, context);
    this.retry = new RetryTimer(device.reconnect);
    this.url = deviceServiceUrl(device.connection);
  }

  /** Connections made, event subscriptions created and renewed, including the current ones. */
  get stats(): SessionStats {
    const live = this.events?.stats;
    return { connects: this.counters.connects, subscriptions: this.counters.subscriptions + (live?.created ?? 0), renewals: this.counters.renewals + (live?.renewed ?? 0) };
  }

  get online(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.context.health(this.device.id, 'starting');
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake.abort();
    this.lost?.(new SensegateError('SG_NOT_CONNECTED', `camera ${this.device.id} is stopping`));
    await this.loop;
  }

  async command(name: CommandName, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const where = { driver: this.context.driver, device: this.device.id };
    const client = this.client;
    const profile = this.profile;
    if (!client) throw new SensegateError('SG_NOT_CONNECTED', `camera ${this.device.id} is offline${this.lastReason ? ` (${this.lastReason})` : ''}; ${name} was not sent`, where);
    if (!client.ptzService || !profile?.ptz) {
      throw new SensegateError('SG_NOT_SUPPORTED', `camera ${this.device.id} has no PTZ${profile ? ` on media profile "${profile.name}"` : ''}; ${name} (${commands[name].description.split(':')[0]}) cannot run`, where);
    }
    signal.throwIfAborted();
    try {
      const result = await runPtzCommand(client, profile.token, name, args, this.device.id);
      this.followPtz();
      return result;
    } catch (err) {
      const e = cameraError(err, name, where);
      throw e.code === 'SG_COMMAND_FAILED' || e.code === 'SG_NOT_SUPPORTED' ? new SensegateError(e.code, e.message, { ...where, retryable: false, cause: err }) : e;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let cause: SensegateError;
      try {
        const ended = new Promise<SensegateError>((resolve) => (this.lost = resolve));
        await this.connect();
        this.retry.succeeded();
        cause = await ended;
      } catch (err) {
        cause = cameraError(err, 'connect', { driver: this.context.driver, device: this.device.id });
      }
      await this.teardown(!this.running);
      if (!this.running) break;
      this.offline(cause);
      await this.retry.wait(this.wake.signal).passed;
    }
    this.context.health(this.device.id, 'stopped');
  }

  private async connect(): Promise<void> {
    const c = this.device.connection;
    const client = await OnvifClient.connect({
      url: this.url,
      user: c.user,
      password: this.password,
      auth: c.auth,
      timeout: this.device.timeout,
      preserveAddress: c.preserveAddress,
      maxReplyBytes: c.maxReply,
      allowBasicOverHttp: c.allowBasicOverHttp,
    });
    try {
      if (!this.running) throw new SensegateError('SG_NOT_CONNECTED', `camera ${this.device.id} is stopping`);
      await this.readClock(client);
      this.context.describe(this.device.id, { ...(await client.identity()) } as Record<string, string>);
      this.profile = this.chooseProfile(client.profiles);
      this.context.media(this.device.id, this.profile ? [await this.mediaOf(client, this.profile)] : []);
      if (!this.profile) this.device.log.warn(`camera ${this.device.id} offers no media profile: no stream is announced`);
    } catch (err) {
      client.close();
      throw err;
    }
    this.client = client;
    this.counters.connects++;
    this.lastReason = undefined;
    this.device.log.info({ url: redactUrl(this.url.toString()), profile: this.profile?.name, ptz: Boolean(client.ptzService && this.profile?.ptz) }, `camera ${this.device.id} connected`);
    this.context.health(this.device.id, 'online');
    this.points.publish('online', true);
    if (c.events.enabled && client.eventService) this.startEvents(client);
    await this.readPtz(client).catch(() => {});
    this.check = setInterval(() => void this.checkNow(client), c.checkInterval);
    this.check.unref?.();
  }

  private chooseProfile(profiles: readonly MediaProfile[]): MediaProfile | undefined {
    const wanted = this.device.connection.profile;
    if (wanted === undefined) return profiles[0];
    const found = profiles.find((p) => p.token === wanted) ?? profiles.find((p) => p.name === wanted);
    if (!found) {
      const offered = profiles.map((p) => `${p.name} (token ${p.token})`).join(', ') || 'none';
      throw new SensegateError('SG_STREAM_UNAVAILABLE', `camera ${this.device.id} has no media profile "${wanted}" (by token or name); it offers: ${offered}`, {
        driver: this.context.driver,
        device: this.device.id,
      });
    }
    return found;
  }

  /**
   * The media source of a profile. Its URIs are where the gateway's relay and snapshots will send
   * the account, so they pass the address policy first (reported-address.ts): by default a host
   * other than the configured one is replaced by it, and the log says so once per connection.
   */
  private async mediaOf(client: OnvifClient, profile: MediaProfile): Promise<MediaSource> {
    const stream = stripCredentials(this.allowedAddress(client, 'stream', await client.streamUri(profile.token)));
    const reportedSnapshot = await client.snapshotUri(profile.token).catch(() => undefined);
    const snapshot = reportedSnapshot === undefined ? undefined : this.allowedAddress(client, 'snapshot', reportedSnapshot);
    const c = this.device.connection;
    const auth = c.user !== undefined ? { user: c.user, password: this.password ?? '' } : stream.embedded;
    return {
      id: 'main',
      url: stream.url,
      ...(auth ? { auth } : {}),
      ...(c.allowBasicOverHttp ? { allowBasicOverHttp: true } : {}),
      ...(snapshot ? { snapshotUrl: stripCredentials(snapshot).url } : {}),
      ...(profile.codec ? { codec: profile.codec } : {}),
      ...(profile.width ? { width: profile.width } : {}),
      ...(profile.height ? { height: profile.height } : {}),
      ...(profile.fps ? { fps: profile.fps } : {}),
    };
  }

  private allowedAddress(client: OnvifClient, what: 'stream' | 'snapshot', reported: string): string {
    let address;
    try {
      address = mediaAddress(reported, client.addressPolicy);
    } catch {
      throw new SensegateError('SG_PROTOCOL_ERROR', `camera ${this.device.id} reports a ${what} URI that is not a URL: ${redactUrl(reported).slice(0, 200)}`, { driver: this.context.driver, device: this.device.id });
    }
    // Said once per host and kind for the life of the device, not at every reconnect.
    if (address.replacedHost !== undefined && !this.replacedHosts.has(`${what} ${address.replacedHost}`)) {
      this.replacedHosts.add(`${what} ${address.replacedHost}`);
      this.device.log.info(
        { reported: redactUrl(reported).slice(0, 300), used: redactUrl(address.url) },
        `camera ${this.device.id} reports its ${what} on host ${address.replacedHost.slice(0, 100)}; the configured host ${this.url.hostname} is used instead, so the account goes nowhere else (preserveAddress: false trusts the camera's addresses)`,
      );
    }
    return address.url;
  }

  private startEvents(client: OnvifClient): void {
    const e = this.device.connection.events;
    this.events = new PullPointEvents(client, {
      device: this.device.id,
      terminationMs: e.termination,
      pullTimeoutMs: e.pullTimeout,
      log: this.device.log,
      onNotifications: (list) => this.notify(list),
      onLost: (err) => this.lost?.(err),
    });
    this.events.start();
  }

  private notify(list: Notification[]): void {
    for (const n of list) {
      const mapped = mapNotification(this.device.id, n);
      const before = this.states.get(mapped.key);
      if (mapped.state !== undefined) this.states.set(mapped.key, mapped.state);
      const ts = mapped.event.ts;
      if (mapped.kind !== 'other' && mapped.state !== undefined) this.points.publish(mapped.kind, mapped.state, { ts });
      // Initialized repeats the current state at every (re-)subscription: an event only when it changed.
      if (n.operation === 'Initialized' && (before === mapped.state || (before === undefined && mapped.state === false))) continue;
      this.context.event(mapped.event);
      this.points.publish('last-event', new Date(ts).toISOString(), { ts });
    }
  }

  private async checkNow(client: OnvifClient): Promise<void> {
    try {
      await this.readClock(client);
      // Health is a reading a platform that subscribes late must also see: repeated at every check.
      if (this.client === client) this.points.publish('online', true);
      if (!this.follow) await this.readPtz(client);
    } catch (err) {
      // A check of a client already replaced must not end the new connection.
      if (this.client === client) this.lost?.(cameraError(err, 'check', { driver: this.context.driver, device: this.device.id }));
    }
  }

  private async readClock(client: OnvifClient): Promise<void> {
    const camera = await client.systemTime();
    this.points.publish('clock-offset', Math.round((camera.getTime() - Date.now()) / 1000));
  }

  private async readPtz(client: OnvifClient): Promise<boolean> {
    const profile = this.profile;
    if (!profile?.ptz || !client.ptzService || !(this.points.has('ptz.pan') || this.points.has('ptz.tilt') || this.points.has('ptz.zoom'))) return false;
    const status = await client.ptzStatus(profile.token);
    this.points.publish('ptz.pan', status.pan);
    this.points.publish('ptz.tilt', status.tilt);
    this.points.publish('ptz.zoom', status.zoom);
    return status.moving;
  }

  /** After a move: read the position until the camera stops moving (or FOLLOW_MS pass). */
  private followPtz(): void {
    const client = this.client;
    if (!client) return;
    if (this.follow) clearTimeout(this.follow);
    const until = performance.now() + FOLLOW_MS;
    const step = async () => {
      const moving = await this.readPtz(client).catch(() => false);
      if (this.client === client && moving && performance.now() < until) this.follow = setTimeout(() => void step(), FOLLOW_EVERY_MS);
      else this.follow = undefined;
    };
    this.follow = setTimeout(() => void step(), 100);
  }

  private async teardown(orderly: boolean): Promise<void> {
    if (this.check) clearInterval(this.check);
    if (this.follow) clearTimeout(this.follow);
    this.check = this.follow = undefined;
    const events = this.events;
    const client = this.client;
    this.events = undefined;
    this.client = undefined;
    if (events) {
      this.counters.subscriptions += events.stats.created;
      this.counters.renewals += events.stats.renewed;
      await events.stop(orderly);
    }
    client?.close();
    await events?.finished();
  }

  private offline(cause: SensegateError): void {
    const reason = cause.message;
    if (reason !== this.lastReason) {
      this.device.log.warn({ code: cause.code, url: redactUrl(this.url.toString()) }, reason);
      this.lastReason = reason;
    }
    this.context.health(this.device.id, 'offline', cause);
    this.points.publish('online', false);
  }
}

/** A URL without its user-info, and the account it carried (some cameras put it in their stream URIs). */
function stripCredentials(text: string): { url: string; embedded?: { user: string; password: string } } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { url: redactUrl(text) };
  }
  if (!url.username && !url.password) return { url: text };
  const embedded = { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  url.username = '';
  url.password = '';
  return { url: url.toString(), embedded };
}
