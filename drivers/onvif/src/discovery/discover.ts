/** `discover`: probe, read every ProbeMatch, de-duplicate by endpoint reference, and suggest devices. */
import { ID_PATTERN, type DiscoveredDevice } from '@sensegate/sdk';
import { z } from 'zod';
import { readProbeMatches, scopeValue, type ProbeMatch } from './probe-matches.js';
import { probeMessage } from './probe-message.js';
import { DISCOVERY_PORT, probe, type Reply } from './prober.js';
import { expandRange } from './range.js';

export const discoverOptionsSchema = z
  .object({
    range: z.string().min(1).optional().describe('CIDR range (`192.168.1.0/24`) or one host to probe by unicast; default: multicast to 239.255.255.250.'),
    port: z.number().int().min(1).max(65_535).default(DISCOVERY_PORT).describe('UDP port the cameras answer WS-Discovery on.'),
    timeout: z.number().int().min(100).max(60_000).default(3000).describe('How long to listen for answers, ms.'),
  })
  .strict();

export type DiscoverOptions = z.input<typeof discoverOptionsSchema>;

export interface DiscoveredCamera {
  endpointReference: string;
  /** Where the answer came from. */
  address: string;
  xaddrs: string[];
  scopes: string[];
  types: string[];
  name?: string;
  hardware?: string;
  location?: string;
}

export interface DiscoveryResult {
  cameras: DiscoveredCamera[];
  devices: DiscoveredDevice[];
}

export async function discoverOnvif(input: DiscoverOptions, signal?: AbortSignal): Promise<DiscoveryResult> {
  const options = discoverOptionsSchema.parse(input);
  const targets = options.range === undefined ? 'multicast' : expandRange(options.range);
  const { bytes } = probeMessage();
  const byReference = new Map<string, DiscoveredCamera>();
  const onReply = (reply: Reply) => {
    for (const match of readProbeMatches(reply.text)) {
      if (!byReference.has(match.endpointReference)) byReference.set(match.endpointReference, cameraOf(match, reply.from.address));
    }
  };
  await probe({ targets, port: options.port, timeout: options.timeout, message: bytes, signal, onReply });
  const cameras = [...byReference.values()].sort((a, b) => (a.xaddrs[0] ?? '').localeCompare(b.xaddrs[0] ?? ''));
  const ids = new Set<string>();
  const devices = cameras.map((c) => deviceOf(c, ids));
  return { cameras, devices };
}

function cameraOf(match: ProbeMatch, address: string): DiscoveredCamera {
  const name = scopeValue(match.scopes, 'name');
  const hardware = scopeValue(match.scopes, 'hardware');
  const location = scopeValue(match.scopes, 'location');
  return {
    endpointReference: match.endpointReference,
    address,
    xaddrs: match.xaddrs,
    scopes: match.scopes,
    types: match.types,
    ...(name !== undefined ? { name } : {}),
    ...(hardware !== undefined ? { hardware } : {}),
    ...(location !== undefined ? { location } : {}),
  };
}

/** A device id from the camera's name scope, else its address: id characters only, unique. */
function suggestId(camera: DiscoveredCamera, used: Set<string>): string {
  const host = camera.xaddrs[0] ? safeHost(camera.xaddrs[0]) : camera.address;
  const base =
    (camera.name ?? `cam-${host}`)
      .replace(/[^A-Za-z0-9_.:-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 100) || 'camera';
  let id = ID_PATTERN.test(base) ? base : 'camera';
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  used.add(id);
  return id;
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}-${u.port}` : u.hostname;
  } catch {
    return url;
  }
}

function deviceOf(camera: DiscoveredCamera, used: Set<string>): DiscoveredDevice {
  // Prefer an address the probe reached over a link-local or IPv6 XAddr.
  const url = camera.xaddrs.find((x) => x.startsWith('http://') && x.includes(camera.address)) ?? camera.xaddrs.find((x) => /^https?:\/\//.test(x)) ?? `http://${camera.address}/onvif/device_service`;
  return {
    id: suggestId(camera, used),
    ...(camera.name !== undefined ? { name: camera.name } : {}),
    connection: { url },
    info: {
      endpointReference: camera.endpointReference,
      address: camera.address,
      xaddrs: camera.xaddrs,
      scopes: camera.scopes,
      ...(camera.name !== undefined ? { name: camera.name } : {}),
      ...(camera.hardware !== undefined ? { hardware: camera.hardware } : {}),
      ...(camera.location !== undefined ? { location: camera.location } : {}),
    },
  };
}
