/**
 * Where the gateway sends requests and credentials when a camera reports an address: its service
 * addresses (GetServices), its pull points, its stream and snapshot URIs. A camera may report any
 * host at all (a private address behind NAT, or, when hostile or spoofed, an attacker's machine
 * that would collect the account), so by default (`preserveAddress: true`) only the configured
 * host is ever used:
 * - service addresses and pull points: the configured scheme, host and port, the reported path;
 * - stream and snapshot URIs on another host: the configured host, the reported path and query;
 *   the reported port too, except that an http(s) URI on the port the camera reports for its own
 *   device service is the same web server, so it gets the configured scheme and port (NAT).
 * With `preserveAddress: false` the configuration trusts the camera: its addresses are used as
 * reported, and its account goes there.
 */

export interface AddressPolicy {
  /** The configured device service URL. */
  configured: URL;
  /** The device service address the camera reports for itself, when known. */
  reportedDevice?: URL | undefined;
  /** `preserveAddress: false`: use reported addresses as they are. */
  trustReported: boolean;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'rtsp:': '554', 'rtsps:': '322' };
const portOf = (url: URL) => url.port || DEFAULT_PORTS[url.protocol] || '';
const hostOf = (url: URL) => url.hostname.toLowerCase();

/** A service or pull-point address (relative ones resolve against the configured URL). */
export function serviceAddress(reported: string, policy: AddressPolicy): URL {
  const target = new URL(reported, policy.configured);
  if (policy.trustReported) return target;
  target.protocol = policy.configured.protocol;
  target.hostname = policy.configured.hostname;
  target.port = policy.configured.port;
  target.username = target.password = '';
  return target;
}

export interface MediaAddress {
  url: string;
  /** The host the camera reported, when it was replaced by the configured one. */
  replacedHost?: string;
}

/** A stream or snapshot URI; throws a TypeError when it is no absolute URL. */
export function mediaAddress(reported: string, policy: AddressPolicy): MediaAddress {
  const url = new URL(reported);
  if (policy.trustReported || hostOf(url) === hostOf(policy.configured)) return { url: url.toString() };
  const replacedHost = url.hostname;
  const ownWebServer = (url.protocol === 'http:' || url.protocol === 'https:') && policy.reportedDevice !== undefined && portOf(url) === portOf(policy.reportedDevice);
  url.hostname = policy.configured.hostname;
  if (ownWebServer) {
    url.protocol = policy.configured.protocol;
    url.port = policy.configured.port;
  }
  return { url: url.toString(), replacedHost };
}
