/**
 * `startOnvifServices`: the SOAP side of several ONVIF Profile S cameras in one process. Each
 * camera has its own HTTP port (so its device service is `http://host:port/onvif/device_service`,
 * as clients expect), one WS-Discovery responder answers for all of them.
 */
import { SensegateError, silentLogger } from '@sensegate/sdk';
import { Camera } from './camera.js';
import { startDiscoveryResponder, DISCOVERY_PORT } from './discovery/responder.js';
import { startCameraEndpoint, type CameraEndpoint } from './endpoint.js';
import type { PtzPosition } from './ptz/head.js';
import { checkPort, resolveCameras, type OnvifServicesOptions } from './options.js';

export interface OnvifCameraStats {
  /** SOAP requests received, malformed and refused ones included. */
  requests: number;
  /** Requests refused for wrong credentials or `failAuth` (a 401 challenge to a request without credentials is not counted). */
  authFailures: number;
}

export interface OnvifServices {
  deviceServiceUrl(id: string): string;
  /** The UDP port answering unicast WS-Discovery probes on the host address. */
  readonly discoveryPort: number;
  /** Whether the WS-Discovery multicast group was joined. */
  readonly multicast: boolean;
  /** While on, every request of this camera that needs credentials is refused (400 ter:NotAuthorized), whatever it carries; GetSystemDateAndTime stays open. */
  failAuth(id: string, on: boolean): void;
  /** Moves the camera's clock to `ms` off the true time. */
  setClockOffset(id: string, ms: number): void;
  stats(id: string): OnvifCameraStats;
  /** Where the camera points now (pan, tilt -1..1, zoom 0..1) and whether it is moving. */
  ptz(id: string): PtzPosition;
  /** Motion starts (`on` true), ends (false), or starts and ends a second later (left out). */
  motion(id: string, on?: boolean): void;
  /** A tamper alarm (GlobalSceneChange, State true), cleared a second later. */
  tamper(id: string): void;
  /** Every pull-point subscription of the camera expires now; returns how many there were. Clients must create new ones. */
  expireSubscriptions(id: string): number;
  /** Live pull-point subscriptions of the camera. */
  subscriptions(id: string): number;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startOnvifServices(options: OnvifServicesOptions): Promise<OnvifServices> {
  const cameras = resolveCameras(options.cameras).map((spec) => new Camera(spec));
  const host = options.host ?? '127.0.0.1';
  const firstPort = checkPort(options.port, 'port', 0);
  const unicastPort = checkPort(options.discovery?.unicastPort, 'discovery.unicastPort', DISCOVERY_PORT);
  const credentials = options.credentials ?? { user: 'admin', password: 'admin' };
  const logger = options.logger ?? silentLogger;

  const endpoints: CameraEndpoint[] = [];
  const closeAll = () => Promise.all(endpoints.map((e) => e.close()));
  try {
    for (const [i, camera] of cameras.entries()) {
      const endpoint = await startCameraEndpoint(camera, { host, port: firstPort === 0 ? 0 : firstPort + i, credentials, logger });
      endpoints.push(endpoint);
      camera.baseUrl = `http://${urlHost(host)}:${endpoint.port}`;
    }
  } catch (err) {
    await closeAll();
    throw new SensegateError('SG_CONFIG_INVALID', `cannot listen for ONVIF camera ${endpoints.length + 1} on ${host}:${firstPort === 0 ? 'a free port' : firstPort + endpoints.length}: ${(err as Error).message}`, { cause: err });
  }
  let discovery;
  try {
    discovery = await startDiscoveryResponder(cameras, { host, unicastPort, multicast: options.discovery?.multicast ?? true, logger });
  } catch (err) {
    await closeAll();
    throw new SensegateError('SG_CONFIG_INVALID', `cannot listen for WS-Discovery probes on UDP ${host}:${unicastPort}: ${(err as Error).message}`, { cause: err });
  }

  const byId = new Map(cameras.map((c) => [c.id, c] as const));
  const camera = (id: string): Camera => {
    const c = byId.get(id);
    if (!c) throw new SensegateError('SG_CONFIG_INVALID', `no ONVIF camera "${id}"; the cameras are ${[...byId.keys()].join(', ')}`);
    return c;
  };
  let closed: Promise<void> | undefined;

  return {
    deviceServiceUrl: (id) => camera(id).serviceUrl('device'),
    discoveryPort: discovery.unicastPort,
    multicast: discovery.multicast,
    failAuth: (id, on) => {
      camera(id).failAuth = on;
    },
    setClockOffset: (id, ms) => {
      if (!Number.isFinite(ms)) throw new SensegateError('SG_CONFIG_INVALID', `clock offset of camera "${id}" must be a number of milliseconds, got ${String(ms)}`);
      camera(id).clockOffsetMs = ms;
    },
    stats: (id) => {
      const c = camera(id);
      return { requests: c.requests, authFailures: c.authFailures };
    },
    ptz: (id) => camera(id).ptz.position(),
    motion: (id, on) => camera(id).events.motion(on),
    tamper: (id) => camera(id).events.tamper(),
    expireSubscriptions: (id) => camera(id).events.expireAll(),
    subscriptions: (id) => camera(id).events.subscriptionCount,
    close: () => {
      // Ending the subscriptions answers the long polls, so the servers can close.
      for (const c of cameras) c.events.close();
      return (closed ??= Promise.all([closeAll(), discovery.close()]).then(() => undefined));
    },
  };
}
