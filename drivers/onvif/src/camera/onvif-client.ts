/**
 * The ONVIF operations the driver uses, over the driver's own bounded SOAP client (../soap): the
 * camera's clock first (GetSystemDateAndTime, unsigned), its services (GetServices, else
 * GetCapabilities), its media profiles, identity, stream and snapshot URIs, PTZ, and the requests
 * of the event service. Every request goes to an address the configuration allows
 * (reported-address.ts): by default the configured host, whatever the camera reports. Values that
 * must stay text (serial numbers, tokens) are read as text; every value put into a request is
 * escaped. See docs/decisions/0003-onvif-own-soap-client.md for why the `onvif` package is gone.
 */
import { CameraClock } from '../soap/camera-clock.js';
import { NS, element, escapeXml, operation, type Operation } from '../soap/envelope.js';
import { SoapFault } from '../soap/errors.js';
import { SoapClient } from '../soap/soap-client.js';
import { attribute, child, children, descendant, textAt, type XmlElement } from '../soap/xml-tree.js';
import { serviceAddress, type AddressPolicy } from './reported-address.js';

export interface OnvifClientOptions {
  url: URL;
  user?: string | undefined;
  password?: string | undefined;
  /** Deadline of one request, ms. */
  timeout: number;
  /** `digest`: no WS-UsernameToken, HTTP Digest only. */
  auth: 'ws-security' | 'digest';
  /** Send every request to the configured host and port, whatever address the camera reports. */
  preserveAddress: boolean;
  /** Largest answer read, bytes. */
  maxReplyBytes: number;
  /** Answer an HTTP Basic challenge over plain HTTP. */
  allowBasicOverHttp: boolean;
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

/** The response element of an event-service request. */
export interface SoapAnswer {
  body: XmlElement;
}

type ServiceName = 'device' | 'media' | 'ptz' | 'events';

const SERVICE_OF_NAMESPACE: Record<string, ServiceName> = { [NS.tds]: 'device', [NS.trt]: 'media', [NS.tptz]: 'ptz', [NS.tev]: 'events' };

export class OnvifClient {
  private readonly services = new Map<ServiceName, URL>();
  private reportedDevice: URL | undefined;
  profiles: readonly MediaProfile[] = [];

  private constructor(
    private readonly soap: SoapClient,
    private readonly options: OnvifClientOptions,
  ) {}

  /** Connects: the camera's clock, its services, and its media profiles. */
  static async connect(options: OnvifClientOptions): Promise<OnvifClient> {
    const soap = new SoapClient({ user: options.user, password: options.password, auth: options.auth, timeoutMs: options.timeout, maxReplyBytes: options.maxReplyBytes, allowBasicOverHttp: options.allowBasicOverHttp });
    const client = new OnvifClient(soap, options);
    try {
      await client.readClock();
      await client.readServices();
      if (client.services.has('media')) client.profiles = await client.readProfiles();
      return client;
    } catch (err) {
      soap.close();
      throw err;
    }
  }

  /** How the camera's reported addresses are treated (reported-address.ts). */
  get addressPolicy(): AddressPolicy {
    return { configured: this.options.url, reportedDevice: this.reportedDevice, trustReported: !this.options.preserveAddress };
  }

  get ptzService(): boolean {
    return this.services.has('ptz');
  }

  get eventService(): boolean {
    return this.services.has('events');
  }

  get clock(): CameraClock {
    return this.soap.clock;
  }

  /** The camera's time, and the clock WS-Security tokens are made with set from it. */
  async systemTime(): Promise<Date> {
    return new Date(await this.readClock());
  }

  async identity(): Promise<CameraIdentity> {
    const response = await this.call('device', operation(NS.tds, 'GetDeviceInformation'));
    const out: CameraIdentity = {};
    for (const [key, name] of [
      ['manufacturer', 'Manufacturer'],
      ['model', 'Model'],
      ['firmware', 'FirmwareVersion'],
      ['serialNumber', 'SerialNumber'],
      ['hardwareId', 'HardwareId'],
    ] as const) {
      const value = textAt(response, name);
      if (value) out[key] = value.slice(0, 256);
    }
    return out;
  }

  async streamUri(profileToken: string): Promise<string> {
    const setup = `<StreamSetup><Stream xmlns="${NS.tt}">RTP-Unicast</Stream><Transport xmlns="${NS.tt}"><Protocol>RTSP</Protocol></Transport></StreamSetup>`;
    const response = await this.call('media', operation(NS.trt, 'GetStreamUri', setup + element('ProfileToken', profileToken)));
    const uri = textAt(response, 'MediaUri', 'Uri');
    if (!uri) throw new Error('GetStreamUri answered no URI');
    return uri;
  }

  async snapshotUri(profileToken: string): Promise<string | undefined> {
    const response = await this.call('media', operation(NS.trt, 'GetSnapshotUri', element('ProfileToken', profileToken)));
    return textAt(response, 'MediaUri', 'Uri') || undefined;
  }

  // PTZ, always with the profile's token.
  async ptzStatus(profileToken: string): Promise<PtzStatus> {
    const response = await this.call('ptz', operation(NS.tptz, 'GetStatus', element('ProfileToken', profileToken)));
    const status = child(response, 'PTZStatus');
    const position = child(status, 'Position');
    const moves = child(status, 'MoveStatus');
    const moving = [textAt(moves, 'PanTilt'), textAt(moves, 'Zoom'), textAt(moves)].some((s) => s?.toUpperCase().includes('MOVING'));
    return {
      pan: Number(attribute(child(position, 'PanTilt'), 'x') ?? 0),
      tilt: Number(attribute(child(position, 'PanTilt'), 'y') ?? 0),
      zoom: Number(attribute(child(position, 'Zoom'), 'x') ?? 0),
      moving,
    };
  }

  async continuousMove(profileToken: string, v: { pan: number; tilt: number; zoom: number; timeoutMs?: number | undefined }): Promise<void> {
    const timeout = v.timeoutMs ? element('Timeout', `PT${v.timeoutMs / 1000}S`) : '';
    await this.call('ptz', operation(NS.tptz, 'ContinuousMove', element('ProfileToken', profileToken) + `<Velocity>${vector(v.pan, v.tilt, v.zoom)}</Velocity>` + timeout));
  }

  async stop(profileToken: string): Promise<void> {
    await this.call('ptz', operation(NS.tptz, 'Stop', element('ProfileToken', profileToken) + element('PanTilt', true) + element('Zoom', true)));
  }

  async absoluteMove(profileToken: string, p: { pan: number; tilt: number; zoom?: number | undefined; speed?: number | undefined }): Promise<void> {
    await this.call('ptz', operation(NS.tptz, 'AbsoluteMove', element('ProfileToken', profileToken) + `<Position>${vector(p.pan, p.tilt, p.zoom)}</Position>` + speedOf(p.speed)));
  }

  async relativeMove(profileToken: string, p: { pan: number; tilt: number; zoom: number; speed?: number | undefined }): Promise<void> {
    await this.call('ptz', operation(NS.tptz, 'RelativeMove', element('ProfileToken', profileToken) + `<Translation>${vector(p.pan, p.tilt, p.zoom)}</Translation>` + speedOf(p.speed)));
  }

  /** Presets as the camera lists them; tokens and names read as text. */
  async presets(profileToken: string): Promise<Array<{ token: string; name: string }>> {
    const response = await this.call('ptz', operation(NS.tptz, 'GetPresets', element('ProfileToken', profileToken)));
    return children(response, 'Preset').map((p) => ({ token: attribute(p, 'token') ?? '', name: textAt(p, 'Name') ?? '' }));
  }

  async gotoPreset(profileToken: string, preset: string, speed?: number): Promise<void> {
    await this.call('ptz', operation(NS.tptz, 'GotoPreset', element('ProfileToken', profileToken) + element('PresetToken', preset) + speedOf(speed)));
  }

  async setPreset(profileToken: string, name: string, token?: string): Promise<string> {
    const inner = element('ProfileToken', profileToken) + element('PresetName', name) + (token !== undefined ? element('PresetToken', token) : '');
    const answered = textAt(await this.call('ptz', operation(NS.tptz, 'SetPreset', inner)), 'PresetToken');
    if (!answered) throw new Error('SetPreset answered no PresetToken');
    return answered;
  }

  async home(profileToken: string, speed?: number): Promise<void> {
    await this.call('ptz', operation(NS.tptz, 'GotoHomePosition', element('ProfileToken', profileToken) + speedOf(speed)));
  }

  /** A request to the event service (CreatePullPointSubscription), signed with the camera's clock. */
  async eventRequest(op: Operation): Promise<SoapAnswer> {
    return { body: await this.call('events', op) };
  }

  /**
   * A request to a subscription's own address (PullMessages, Renew, Unsubscribe): WS-Addressing
   * `To` names it, as cameras expect. `waitMs` is how long the camera may hold a long poll.
   */
  async subscriptionRequest(address: string, op: Operation, waitMs = 0): Promise<SoapAnswer> {
    const target = this.target(address);
    return { body: await this.soap.call(target, op, { header: `<a:To>${escapeXml(target.href)}</a:To>`, waitMs }) };
  }

  /** The address a subscription request goes to: the camera's, or its path on the configured host. */
  target(address: string): URL {
    return serviceAddress(address, this.addressPolicy);
  }

  /** Closes the client's sockets, including a long poll in flight. */
  close(): void {
    this.soap.close();
  }

  private call(service: ServiceName, op: Operation): Promise<XmlElement> {
    const url = this.services.get(service) ?? this.options.url;
    return this.soap.call(url, op);
  }

  /**
   * GetSystemDateAndTime, unsigned first as ONVIF intends (the clock is needed to sign); a camera
   * that insists on credentials even for it is asked again signed with the gateway's clock.
   */
  private async readClock(): Promise<number> {
    const op = operation(NS.tds, 'GetSystemDateAndTime');
    let response: XmlElement;
    try {
      response = await this.soap.call(this.options.url, op, { signed: false });
    } catch (err) {
      if (!(err instanceof SoapFault && err.has('NotAuthorized')) || !this.soap.signs) throw err;
      response = await this.soap.call(this.options.url, op);
    }
    const time = cameraTime(child(response, 'SystemDateAndTime'));
    this.soap.clock.set(time);
    return time;
  }

  private async readServices(): Promise<void> {
    let addresses: Array<[ServiceName, string]>;
    try {
      const response = await this.soap.call(this.options.url, operation(NS.tds, 'GetServices', element('IncludeCapability', false)));
      addresses = children(response, 'Service').flatMap((s) => {
        const name = SERVICE_OF_NAMESPACE[textAt(s, 'Namespace') ?? ''];
        const xaddr = textAt(s, 'XAddr');
        return name && xaddr ? [[name, xaddr] as [ServiceName, string]] : [];
      });
    } catch (err) {
      // GetServices came with ONVIF 2.0; older cameras answer GetCapabilities only. A refused login is final.
      if (err instanceof SoapFault && err.has('NotAuthorized')) throw err;
      const response = await this.soap.call(this.options.url, operation(NS.tds, 'GetCapabilities', '<Category>All</Category>'));
      const capabilities = child(response, 'Capabilities');
      addresses = (
        [
          ['device', 'Device'],
          ['media', 'Media'],
          ['ptz', 'PTZ'],
          ['events', 'Events'],
        ] as const
      ).flatMap(([name, element]) => {
        const xaddr = textAt(capabilities, element, 'XAddr');
        return xaddr ? [[name, xaddr] as [ServiceName, string]] : [];
      });
    }
    for (const [name, xaddr] of addresses) {
      try {
        if (name === 'device') this.reportedDevice = new URL(xaddr);
        this.services.set(name, serviceAddress(xaddr, this.addressPolicy));
      } catch {
        // An address that is no URL: that service is left out, as if not offered.
      }
    }
  }

  private async readProfiles(): Promise<MediaProfile[]> {
    const response = await this.call('media', operation(NS.trt, 'GetProfiles'));
    return children(response, 'Profiles').map((p) => {
      const encoder = child(p, 'VideoEncoderConfiguration');
      const width = Number(textAt(encoder, 'Resolution', 'Width'));
      const height = Number(textAt(encoder, 'Resolution', 'Height'));
      const fps = Number(textAt(encoder, 'RateControl', 'FrameRateLimit'));
      const encoding = textAt(encoder, 'Encoding')?.toLowerCase();
      const token = (attribute(p, 'token') ?? '').slice(0, 256);
      return {
        token,
        name: (textAt(p, 'Name') || token).slice(0, 256),
        ...(encoding ? { codec: encoding === 'h.264' ? 'h264' : encoding } : {}),
        ...(width > 0 ? { width } : {}),
        ...(height > 0 ? { height } : {}),
        ...(fps > 0 ? { fps } : {}),
        ptz: child(p, 'PTZConfiguration') !== undefined,
      };
    });
  }
}

/** The camera's UTC time from SystemDateAndTime (its local time when it gives no UTC; now when it gives neither). */
function cameraTime(dateTime: XmlElement | undefined): number {
  const at = child(dateTime, 'UTCDateTime') ?? child(dateTime, 'LocalDateTime');
  const n = (...names: string[]) => Number(textAt(at, ...names));
  const time = Date.UTC(n('Date', 'Year'), n('Date', 'Month') - 1, n('Date', 'Day'), n('Time', 'Hour'), n('Time', 'Minute'), n('Time', 'Second'));
  if (Number.isFinite(time)) return time;
  if (at === undefined && descendant(dateTime, 'Date') === undefined) return Date.now();
  throw new Error('GetSystemDateAndTime answered a time that is not one');
}

/** A PTZ vector: pan/tilt and zoom (zoom left out when undefined). */
function vector(pan: number, tilt: number, zoom: number | undefined): string {
  const panTilt = `<PanTilt x="${Number(pan)}" y="${Number(tilt)}" xmlns="${NS.tt}"/>`;
  return zoom === undefined ? panTilt : panTilt + `<Zoom x="${Number(zoom)}" xmlns="${NS.tt}"/>`;
}

function speedOf(speed: number | undefined): string {
  return speed === undefined ? '' : `<Speed>${vector(speed, speed, speed)}</Speed>`;
}

