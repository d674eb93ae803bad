/**
 * The adapter around the `onvif` package: the only file that imports it. It turns the package's
 * callbacks into promises with a deadline, reads values that must stay text (serial numbers, tokens)
 * from the raw answers, and sends the event-service requests the package hard-codes (termination
 * time, long-poll timeout) with its own WS-Security header, which carries the camera's clock.
 */
import { Agent } from 'node:http';
import onvif from 'onvif';
import { attribute, elementText, elements } from './xml-text.js';

export interface OnvifClientOptions {
  url: URL;
  user?: string | undefined;
  password?: string | undefined;
  /** Deadline of one request, ms. */
  timeout: number;
  /** `digest`: no WS-UsernameToken, HTTP Digest only. */
  auth: 'ws-security' | 'digest';
  /** Send pull-point requests to the configured host and port whatever address the camera advertises. */
  preserveAddress: boolean;
}

export interface CameraIdentity {
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serialNumber?: string;
  hardwareId?: string;
}

export interface MediaProfile {
  token: string;
  name: string;
  codec?: string;
  width?: number;
  height?: number;
  fps?: number;
  /** The profile has a PTZ configuration. */
  ptz: boolean;
}

export interface PtzStatus {
  pan: number;
  tilt: number;
  zoom: number;
  moving: boolean;
}

/** A parsed SOAP body (xml2js, prefixes removed) and the raw answer. */
export interface SoapAnswer {
  body: unknown;
  xml: string;
}

type Callback = (err: Error | null, data?: unknown, xml?: string) => void;
// The package's own typings do not declare its request plumbing; this is the part the adapter uses.
interface CamInternals {
  timeShift?: number;
  uri?: Record<string, unknown>;
  profiles?: Array<Record<string, any>>;
  _request(options: { service?: string; url?: Record<string, unknown>; body: string; replyTimeout?: number }, cb: Callback): void;
  _envelopeHeader(openHeader?: boolean): string;
  _envelopeFooter(): string;
  [method: string]: unknown;
}

export class OnvifClient {
  private constructor(
    private readonly cam: CamInternals,
    private readonly options: OnvifClientOptions,
    private readonly agent: Agent,
    readonly profiles: readonly MediaProfile[],
  ) {}

  /**
   * Connects the way the package does (GetSystemDateAndTime first, so that the UsernameToken is
   * made with the camera's clock; then GetServices or GetCapabilities, GetProfiles), and reads the
   * profile tokens again from the raw answer.
   */
  static async connect(options: OnvifClientOptions): Promise<OnvifClient> {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const port = options.url.port ? Number(options.url.port) : options.url.protocol === 'https:' ? 443 : 80;
    const cam = new onvif.Cam({
      hostname: options.url.hostname.replace(/^\[|\]$/g, ''),
      port,
      path: options.url.pathname + options.url.search,
      ...(options.user !== undefined ? { username: options.user } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      timeout: options.timeout,
      useWSSecurity: options.auth !== 'digest',
      useSecure: options.url.protocol === 'https:',
      preserveAddress: options.preserveAddress,
      autoconnect: false,
      agent,
    } as never) as unknown as CamInternals;
    try {
      await withDeadline(options.timeout * 6, 'connect', (cb) => (cam.connect as (cb: Callback) => void).call(cam, cb));
      const client = new OnvifClient(cam, options, agent, []);
      const profiles = cam.uri?.['media'] || cam.uri?.['media2'] ? await client.readProfiles() : [];
      return new OnvifClient(cam, options, agent, profiles);
    } catch (err) {
      agent.destroy();
      throw err;
    }
  }

  /** Whether the camera has a PTZ service at all. */
  get ptzService(): boolean {
    return Boolean(this.cam.uri?.['ptz']);
  }

  get eventService(): boolean {
    return Boolean(this.cam.uri?.['events']);
  }

  /** Camera clock minus the gateway's, ms, as the package measured it at connect (1 s resolution). */
  get timeShiftMs(): number {
    return (this.cam.timeShift ?? 0) + process.uptime() * 1000 - Date.now();
  }

  async systemTime(): Promise<Date> {
    return (await this.call<Date>('getSystemDateAndTime')).data;
  }

  async identity(): Promise<CameraIdentity> {
    const { xml } = await this.call('getDeviceInformation');
    const out: CameraIdentity = {};
    for (const [key, element] of [
      ['manufacturer', 'Manufacturer'],
      ['model', 'Model'],
      ['firmware', 'FirmwareVersion'],
      ['serialNumber', 'SerialNumber'],
      ['hardwareId', 'HardwareId'],
    ] as const) {
      const value = elementText(xml, element);
      if (value) out[key] = value;
    }
    return out;
  }

  async streamUri(profileToken: string): Promise<string> {
    const { data } = await this.call<{ uri?: unknown }>('getStreamUri', { protocol: 'RTSP', profileToken });
    if (typeof data?.uri !== 'string') throw new Error('GetStreamUri answered no URI');
    return data.uri;
  }

  async snapshotUri(profileToken: string): Promise<string | undefined> {
    const { data } = await this.call<{ uri?: unknown }>('getSnapshotUri', { profileToken });
    return typeof data?.uri === 'string' ? data.uri : undefined;
  }

  // PTZ, always with the profile's token (the package would otherwise use its "active source").
  async ptzStatus(profileToken: string): Promise<PtzStatus> {
    const { data } = await this.call<{ position: { x: number; y: number; zoom: number }; moveStatus?: unknown }>('getStatus', { profileToken });
    const status = JSON.stringify(data.moveStatus ?? '');
    return { pan: Number(data.position.x), tilt: Number(data.position.y), zoom: Number(data.position.zoom), moving: /MOVING/i.test(status) };
  }

  async continuousMove(profileToken: string, v: { pan: number; tilt: number; zoom: number; timeoutMs?: number | undefined }): Promise<void> {
    await this.call('continuousMove', { profileToken, x: v.pan, y: v.tilt, zoom: v.zoom, ...(v.timeoutMs ? { timeout: v.timeoutMs } : {}) });
  }

  async stop(profileToken: string): Promise<void> {
    await this.call('stop', { profileToken, panTilt: true, zoom: true });
  }

  async absoluteMove(profileToken: string, p: { pan: number; tilt: number; zoom?: number | undefined; speed?: number | undefined }): Promise<void> {
    await this.call('absoluteMove', { profileToken, x: p.pan, y: p.tilt, ...(p.zoom === undefined ? { onlySendPanTilt: true } : { zoom: p.zoom }), ...speedOf(p.speed) });
  }

  async relativeMove(profileToken: string, p: { pan: number; tilt: number; zoom: number; speed?: number | undefined }): Promise<void> {
    await this.call('relativeMove', { profileToken, x: p.pan, y: p.tilt, zoom: p.zoom, ...speedOf(p.speed) });
  }

  /** Presets as the camera lists them; tokens and names read as text. */
  async presets(profileToken: string): Promise<Array<{ token: string; name: string }>> {
    const { xml } = await this.call('getPresets', { profileToken });
    return elements(xml, 'Preset').map((p) => ({ token: attribute(p.attributes, 'token') ?? '', name: elementText(p.inner, 'Name') ?? '' }));
  }

  async gotoPreset(profileToken: string, preset: string, speed?: number): Promise<void> {
    await this.call('gotoPreset', { profileToken, preset: escapeXml(preset), ...speedOf(speed) });
  }

  async setPreset(profileToken: string, name: string, token?: string): Promise<string> {
    const { xml } = await this.call('setPreset', { profileToken, presetName: escapeXml(name), ...(token !== undefined ? { presetToken: escapeXml(token) } : {}) });
    const answered = elementText(xml, 'PresetToken');
    if (!answered) throw new Error('SetPreset answered no PresetToken');
    return answered;
  }

  async home(profileToken: string, speed?: number): Promise<void> {
    await this.call('gotoHomePosition', { profileToken, ...speedOf(speed) });
  }

  /** A request to the event service (CreatePullPointSubscription), signed with the camera's clock. */
  eventRequest(body: string): Promise<SoapAnswer> {
    return this.soap({ service: 'events' }, this.cam._envelopeHeader() + body + this.cam._envelopeFooter(), this.options.timeout);
  }

  /**
   * A request to a subscription's own address (PullMessages, Renew, Unsubscribe): WS-Addressing
   * `To` names it, as cameras expect. `waitMs` is how long the camera may hold a long poll.
   */
  subscriptionRequest(address: string, body: string, waitMs = 0): Promise<SoapAnswer> {
    const target = this.target(address);
    const envelope = this.cam._envelopeHeader(true) + `<a:To>${escapeXml(target.href)}</a:To></s:Header>` + '<s:Body>' + body + this.cam._envelopeFooter();
    const url = { protocol: target.protocol, hostname: target.hostname.replace(/^\[|\]$/g, ''), port: target.port || (target.protocol === 'https:' ? 443 : 80), path: target.pathname + target.search, agent: this.agent, timeout: this.options.timeout };
    return this.soap({ url, replyTimeout: waitMs + this.options.timeout }, envelope, waitMs + this.options.timeout);
  }

  /** The address a subscription request goes to: the camera's, or its path on the configured host. */
  target(address: string): URL {
    const target = new URL(address, this.options.url);
    if (this.options.preserveAddress) {
      target.hostname = this.options.url.hostname;
      target.port = this.options.url.port;
      target.protocol = this.options.url.protocol;
    }
    return target;
  }

  /** Closes the client's sockets, including a long poll in flight. */
  close(): void {
    this.agent.destroy();
  }

  private async readProfiles(): Promise<MediaProfile[]> {
    const { data, xml } = await this.call<Array<Record<string, any>>>('getProfiles');
    const tokens = elements(xml, 'Profiles').map((p) => attribute(p.attributes, 'token'));
    return (data ?? []).map((p, i) => {
      const encoder = p['videoEncoderConfiguration'] ?? {};
      const width = Number(encoder.resolution?.width);
      const height = Number(encoder.resolution?.height);
      const fps = Number(encoder.rateControl?.frameRateLimit);
      const codec = typeof encoder.encoding === 'string' ? encoder.encoding.toLowerCase() : undefined;
      return {
        token: tokens[i] ?? String(p['$']?.token ?? ''),
        name: String(p['name'] ?? tokens[i] ?? ''),
        ...(codec ? { codec: codec === 'h.264' ? 'h264' : codec } : {}),
        ...(width > 0 ? { width } : {}),
        ...(height > 0 ? { height } : {}),
        ...(fps > 0 ? { fps } : {}),
        ptz: p['PTZConfiguration'] !== undefined,
      };
    });
  }

  private soap(where: { service?: string; url?: Record<string, unknown>; replyTimeout?: number }, body: string, deadline: number): Promise<SoapAnswer> {
    const action = /<s:Body[^>]*>\s*<([\w:]+)/.exec(body)?.[1] ?? 'request';
    return withDeadline(deadline + 1000, action, (cb) => this.cam._request({ ...where, body }, cb)).then(({ data, xml }) => ({ body: data, xml }));
  }

  private call<T = unknown>(method: string, ...args: unknown[]): Promise<{ data: T; xml: string }> {
    const fn = this.cam[method] as (...a: unknown[]) => void;
    return withDeadline<T>(this.options.timeout + 1000, method, (cb) => fn.call(this.cam, ...args, cb));
  }
}

function speedOf(speed: number | undefined): Record<string, unknown> {
  return speed === undefined ? {} : { speed: { x: speed, y: speed, zoom: speed } };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A callback call as a promise that settles by `ms` at the latest. */
function withDeadline<T>(ms: number, what: string, run: (cb: Callback) => void): Promise<{ data: T; xml: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`${what}: network timeout after ${ms} ms`), { code: 'ESGTIMEOUT' })), ms);
    try {
      run((err, data, xml) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve({ data: data as T, xml: xml ?? '' });
      });
    } catch (err) {
      clearTimeout(timer);
      reject(err);
    }
  });
}
