/**
 * The options of `startOnvifServices` and their defaults. Invalid specs fail at start with a
 * message that names the camera, never on the first request.
 */
import { SensegateError, type Logger } from '@sensegate/sdk';

export interface OnvifCameraSpec {
  /** The camera's name in this process, e.g. `cam1`; also its hostname and WS-Discovery identity. */
  id: string;
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  hardwareId?: string;
  /** The `location/` WS-Discovery and GetScopes scope (default `city`). */
  location?: string;
  /** The video source and the profile's encoder (default 1280x720 at 15 fps). */
  width?: number;
  height?: number;
  fps?: number;
  /** The camera's stream (served by the video part), returned by GetStreamUri without credentials. */
  rtspUrl: string;
  /** Returned by GetSnapshotUri. */
  snapshotUrl: string;
  /** The camera's clock is off by this much: GetSystemDateAndTime reports it and UsernameToken `Created` is checked against it. */
  clockOffsetMs?: number;
  /** A motion event (start, and its end a second later) every this many ms; default off. */
  motionEveryMs?: number;
}

export interface OnvifServicesOptions {
  cameras: OnvifCameraSpec[];
  /** Bind address and the host in every service URL (default 127.0.0.1). */
  host?: string;
  /** The first camera's HTTP port; the next cameras take the ports after it. 0 (default) = free ports. */
  port?: number;
  /** Default { user: 'admin', password: 'admin' }. */
  credentials?: { user: string; password: string };
  /** WS-Discovery: multicast (default true, failures logged, not fatal) and a unicast port (default 3702, 0 = free). */
  discovery?: { multicast?: boolean; unicastPort?: number };
  logger?: Logger;
}

export interface ResolvedCamera {
  readonly id: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly firmware: string;
  readonly serial: string;
  readonly hardwareId: string;
  readonly location: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly rtspUrl: string;
  readonly snapshotUrl: string;
  readonly clockOffsetMs: number;
  readonly motionEveryMs: number | undefined;
}

const ID = /^[A-Za-z0-9][\w.-]*$/;

function positiveInt(value: number | undefined, fallback: number, what: string, id: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v <= 0) throw new SensegateError('SG_CONFIG_INVALID', `${what} must be a positive integer in camera "${id}", got ${String(value)}`);
  return v;
}

export function resolveCamera(spec: OnvifCameraSpec, index: number): ResolvedCamera {
  const id = spec.id;
  if (typeof id !== 'string' || !ID.test(id)) throw new SensegateError('SG_CONFIG_INVALID', `camera #${index + 1} needs an id of letters, digits, ".", "_" or "-", got ${JSON.stringify(id)}`);
  for (const key of ['rtspUrl', 'snapshotUrl'] as const) {
    if (typeof spec[key] !== 'string' || spec[key] === '') throw new SensegateError('SG_CONFIG_INVALID', `camera "${id}" needs ${key}`);
  }
  const clockOffsetMs = spec.clockOffsetMs ?? 0;
  if (!Number.isFinite(clockOffsetMs)) throw new SensegateError('SG_CONFIG_INVALID', `clockOffsetMs must be a number of milliseconds in camera "${id}"`);
  const motionEveryMs = spec.motionEveryMs || undefined;
  if (motionEveryMs !== undefined && !(Number.isFinite(motionEveryMs) && motionEveryMs >= 100)) throw new SensegateError('SG_CONFIG_INVALID', `motionEveryMs must be at least 100 ms in camera "${id}", got ${String(spec.motionEveryMs)}`);
  return {
    id,
    manufacturer: spec.manufacturer ?? 'Sensegate',
    model: spec.model ?? 'SG-CAM-S1',
    firmware: spec.firmware ?? 'v1.0.0',
    serial: spec.serial ?? `SG-${id}`,
    hardwareId: spec.hardwareId ?? 'sg-cam-hw1',
    location: spec.location ?? 'city',
    width: positiveInt(spec.width, 1280, 'width', id),
    height: positiveInt(spec.height, 720, 'height', id),
    fps: positiveInt(spec.fps, 15, 'fps', id),
    rtspUrl: spec.rtspUrl,
    snapshotUrl: spec.snapshotUrl,
    clockOffsetMs,
    motionEveryMs,
  };
}

export function resolveCameras(cameras: OnvifCameraSpec[]): ResolvedCamera[] {
  if (!Array.isArray(cameras) || cameras.length === 0) throw new SensegateError('SG_CONFIG_INVALID', 'ONVIF services need at least one camera in `cameras`');
  const resolved = cameras.map(resolveCamera);
  const seen = new Set<string>();
  for (const c of resolved) {
    if (seen.has(c.id)) throw new SensegateError('SG_CONFIG_INVALID', `camera id "${c.id}" is used twice`);
    seen.add(c.id);
  }
  return resolved;
}

export function checkPort(port: number | undefined, what: string, fallback: number): number {
  const p = port ?? fallback;
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new SensegateError('SG_CONFIG_INVALID', `${what} must be a port number 0-65535, got ${String(port)}`);
  return p;
}
