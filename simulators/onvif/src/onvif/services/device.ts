/**
 * The device service: the clock, the service directory, device information, scopes and the
 * network settings the `onvif` client and ONVIF Device Manager ask for on connect.
 * GetSystemDateAndTime is the only operation open without credentials: clients need the camera's
 * time before they can build a UsernameToken. GetServices and GetCapabilities need credentials,
 * so a client with a wrong password fails at connect instead of seeing a camera without media.
 */
import type { Camera } from '../camera.js';
import { FAULTS } from '../soap/envelope.js';
import { NS } from '../soap/namespaces.js';
import { el, fragment, type XmlNode } from '../xml/build.js';
import { childText } from '../xml/parse.js';
import { FaultError, type OnvifService } from './service.js';
import { eventsService } from './events.js';
import { mediaService } from './media.js';
import { ptzService } from './ptz.js';

function dateTime(ms: number): XmlNode {
  const d = new Date(ms);
  return fragment([
    el('tt:Time', [el('tt:Hour', d.getUTCHours()), el('tt:Minute', d.getUTCMinutes()), el('tt:Second', d.getUTCSeconds())]),
    el('tt:Date', [el('tt:Year', d.getUTCFullYear()), el('tt:Month', d.getUTCMonth() + 1), el('tt:Day', d.getUTCDate())]),
  ]);
}

const deviceCapabilities = (): XmlNode =>
  el('tds:Capabilities', [
    el('tds:Network', undefined, { IPFilter: false, ZeroConfiguration: false, IPVersion6: false, DynDNS: false, NTP: 0, HostnameFromDHCP: false }),
    el('tds:Security', undefined, { 'TLS1.0': false, 'TLS1.1': false, 'TLS1.2': false, OnboardKeyGeneration: false, AccessPolicyConfig: false, DefaultAccessPolicy: false, Dot1X: false, RemoteUserHandling: false, 'X.509Token': false, SAMLToken: false, KerberosToken: false, UsernameToken: true, HttpDigest: true, RELToken: false }),
    el('tds:System', undefined, { DiscoveryResolve: false, DiscoveryBye: false, RemoteDiscovery: false, SystemBackup: false, SystemLogging: false, FirmwareUpgrade: false, HttpFirmwareUpgrade: false, HttpSystemBackup: false, HttpSystemLogging: false, HttpSupportInformation: false }),
  ]);

/** The services in GetServices order; the device service is the camera's directory of them. */
export function allServices(): OnvifService[] {
  return [deviceService, mediaService, ptzService, eventsService];
}

const CATEGORIES = ['All', 'Device', 'Media', 'PTZ', 'Events'] as const;

function capabilitiesOf(camera: Camera, category: string): XmlNode[] {
  const want = (c: string) => category === 'All' || category === c;
  const nodes: XmlNode[] = [];
  if (want('Device')) {
    nodes.push(
      el('tt:Device', [
        el('tt:XAddr', camera.serviceUrl('device')),
        el('tt:Network', [el('tt:IPFilter', false), el('tt:ZeroConfiguration', false), el('tt:IPVersion6', false), el('tt:DynDNS', false)]),
        el('tt:System', [
          el('tt:DiscoveryResolve', false),
          el('tt:DiscoveryBye', false),
          el('tt:RemoteDiscovery', false),
          el('tt:SystemBackup', false),
          el('tt:SystemLogging', false),
          el('tt:FirmwareUpgrade', false),
          el('tt:SupportedVersions', [el('tt:Major', 2), el('tt:Minor', 60)]),
        ]),
        el('tt:Security', [el('tt:TLS1.1', false), el('tt:TLS1.2', false), el('tt:OnboardKeyGeneration', false), el('tt:AccessPolicyConfig', false), el('tt:X.509Token', false), el('tt:SAMLToken', false), el('tt:KerberosToken', false), el('tt:RELToken', false)]),
      ]),
    );
  }
  if (want('Events')) {
    nodes.push(el('tt:Events', [el('tt:XAddr', camera.serviceUrl('events')), el('tt:WSSubscriptionPolicySupport', false), el('tt:WSPullPointSupport', true), el('tt:WSPausableSubscriptionManagerInterfaceSupport', false)]));
  }
  if (want('Media')) {
    nodes.push(el('tt:Media', [el('tt:XAddr', camera.serviceUrl('media')), el('tt:StreamingCapabilities', [el('tt:RTPMulticast', false), el('tt:RTP_TCP', true), el('tt:RTP_RTSP_TCP', true)])]));
  }
  if (want('PTZ')) nodes.push(el('tt:PTZ', el('tt:XAddr', camera.serviceUrl('ptz'))));
  return nodes;
}

export const deviceService: OnvifService = {
  name: 'device',
  namespace: NS.tds,
  version: { major: 2, minor: 60 },
  capabilities: deviceCapabilities,
  open: new Set(['GetSystemDateAndTime']),
  operations: {
    GetSystemDateAndTime: (camera) => {
      const now = camera.now();
      return el(
        'tds:GetSystemDateAndTimeResponse',
        el('tds:SystemDateAndTime', [
          el('tt:DateTimeType', 'Manual'),
          el('tt:DaylightSavings', false),
          el('tt:TimeZone', el('tt:TZ', 'UTC0')),
          el('tt:UTCDateTime', dateTime(now)),
          el('tt:LocalDateTime', dateTime(now)),
        ]),
      );
    },

    GetServices: (camera, request) => {
      const withCapabilities = childText(request.body, 'IncludeCapability') === 'true';
      return el(
        'tds:GetServicesResponse',
        allServices().map((s) =>
          el('tds:Service', [
            el('tds:Namespace', s.namespace),
            el('tds:XAddr', camera.serviceUrl(s.name)),
            withCapabilities ? el('tds:Capabilities', s.capabilities(camera)) : undefined,
            el('tds:Version', [el('tt:Major', s.version.major), el('tt:Minor', s.version.minor)]),
          ]),
        ),
      );
    },

    GetServiceCapabilities: () => el('tds:GetServiceCapabilitiesResponse', deviceCapabilities()),

    GetCapabilities: (camera, request) => {
      const categories = request.body.children.filter((c) => c.name === 'Category').map((c) => c.text.trim());
      const wanted = categories.length === 0 ? ['All'] : categories;
      for (const c of wanted) {
        if (!(CATEGORIES as readonly string[]).includes(c)) throw new FaultError({ ...FAULTS.actionNotSupported('GetCapabilities'), subcodes: ['ter:ActionNotSupported', 'ter:NoSuchService'], reason: `No ${c} service on this device` });
      }
      const nodes = wanted.includes('All') ? capabilitiesOf(camera, 'All') : wanted.flatMap((c) => capabilitiesOf(camera, c));
      return el('tds:GetCapabilitiesResponse', el('tds:Capabilities', nodes));
    },

    GetDeviceInformation: (camera) => {
      const s = camera.spec;
      return el('tds:GetDeviceInformationResponse', [
        el('tds:Manufacturer', s.manufacturer),
        el('tds:Model', s.model),
        el('tds:FirmwareVersion', s.firmware),
        el('tds:SerialNumber', s.serial),
        el('tds:HardwareId', s.hardwareId),
      ]);
    },

    GetScopes: (camera) => el('tds:GetScopesResponse', camera.scopes().map((scope) => el('tds:Scopes', [el('tt:ScopeDef', 'Fixed'), el('tt:ScopeItem', scope)]))),

    GetHostname: (camera) => el('tds:GetHostnameResponse', el('tds:HostnameInformation', [el('tt:FromDHCP', false), el('tt:Name', camera.id)])),

    GetNetworkInterfaces: (camera) => {
      const host = new URL(camera.baseUrl).hostname;
      return el(
        'tds:GetNetworkInterfacesResponse',
        el(
          'tds:NetworkInterfaces',
          [
            el('tt:Enabled', true),
            el('tt:Info', [el('tt:Name', 'eth0'), el('tt:HwAddress', macOf(camera.id)), el('tt:MTU', 1500)]),
            el('tt:IPv4', [el('tt:Enabled', true), el('tt:Config', [el('tt:Manual', [el('tt:Address', host), el('tt:PrefixLength', 24)]), el('tt:DHCP', false)])]),
          ],
          { token: 'eth0' },
        ),
      );
    },
  },
};

/** A locally administered MAC derived from the camera id, stable across runs. */
function macOf(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const bytes = [0x02, 0x53, 0x47, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
