/**
 * What the camera streams can be asked for, their defaults, and their checks. Every option is
 * checked before anything starts, and a wrong one names itself.
 */
import { SensegateError, type Logger } from '@sensegate/sdk';

export interface StreamSpec {
  /** Camera id: letters, digits, `.`, `_`, `-`; it is the first segment of the stream path (`/<id>/main`). */
  id: string;
  /** Picture width in pixels (default 1280; even, 16 to 4096). */
  width?: number;
  /** Picture height in pixels (default 720; even, 16 to 4096). */
  height?: number;
  /** Frames per second (default 15; 1 to 60). Also the keyframe interval: one keyframe a second. */
  fps?: number;
  /** H.264 bitrate as ffmpeg takes it, e.g. `'1M'` or `'400k'` (default: about 0.07 bit per pixel and frame). */
  bitrate?: string;
}

/** A stream spec with every default filled in. */
export interface ResolvedStreamSpec {
  id: string;
  width: number;
  height: number;
  fps: number;
  bitrate: string;
  /** Frames between keyframes (equal to fps: one a second). */
  gop: number;
}

export interface CameraStreamsOptions {
  /** The cameras of this process, each with its own encoder and stream. */
  cameras: StreamSpec[];
  /** RTSP port (default 8554; 0 picks a free one, see `rtspPort` on the result). */
  rtspPort?: number;
  /** Snapshot HTTP port (default 0: a free one, see `httpPort` on the result). */
  httpPort?: number;
  /** Address both servers bind to, and the host in their URLs (default 127.0.0.1). */
  host?: string;
  /** The configured ffmpeg path, resolved with the sdk's `resolveFfmpeg` (then FFMPEG_PATH, ffmpeg-static, PATH). */
  ffmpeg?: string;
  /** When set, RTSP (Digest or Basic) and snapshot HTTP (Basic or Digest) require this account. */
  credentials?: { user: string; password: string };
  /** Where encoder restarts and failures are logged (default: nowhere). */
  log?: Logger;
}

export interface Settings {
  cameras: ResolvedStreamSpec[];
  rtspPort: number;
  httpPort: number;
  host: string;
  ffmpeg: string | undefined;
  credentials: { user: string; password: string } | undefined;
}

export const DEFAULT_RTSP_PORT = 8554;
const ID = /^[A-Za-z0-9._-]{1,64}$/;
const BITRATE = /^\d+(\.\d+)?[kKmM]?$/;

function usage(message: string): never {
  throw new SensegateError('SG_USAGE', message);
}

function port(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    usage(`${name} must be a port number from 0 to 65535 (0: a free one), got ${String(value)}`);
  }
  return value;
}

function whole(value: unknown, name: string, fallback: number, min: number, max: number, even = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max || (even && value % 2 !== 0)) {
    usage(`${name} must be ${even ? 'an even' : 'a whole'} number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** About 0.07 bit per pixel and frame: 1280x720 at 15 fps gets 968k; the test pattern looks clean at that. */
export function defaultBitrate(width: number, height: number, fps: number): string {
  return `${Math.max(64, Math.round((width * height * fps * 0.07) / 1000))}k`;
}

export function resolveStreamSpec(spec: StreamSpec): ResolvedStreamSpec {
  if (typeof spec !== 'object' || spec === null) usage(`a camera must be an object with an id, got ${String(spec)}`);
  if (typeof spec.id !== 'string' || !ID.test(spec.id)) {
    usage(`camera id must be 1 to 64 letters, digits, ".", "_" or "-", got ${JSON.stringify(spec.id)}`);
  }
  const at = `camera "${spec.id}"`;
  const width = whole(spec.width, `${at}: width`, 1280, 16, 4096, true);
  const height = whole(spec.height, `${at}: height`, 720, 16, 4096, true);
  const fps = whole(spec.fps, `${at}: fps`, 15, 1, 60);
  if (spec.bitrate !== undefined && (typeof spec.bitrate !== 'string' || !BITRATE.test(spec.bitrate))) {
    usage(`${at}: bitrate must be a number of bits per second with an optional k or M, like '800k' or '1M', got ${JSON.stringify(spec.bitrate)}`);
  }
  return { id: spec.id, width, height, fps, bitrate: spec.bitrate ?? defaultBitrate(width, height, fps), gop: fps };
}

export function resolveOptions(options: CameraStreamsOptions): Settings {
  if (typeof options !== 'object' || options === null || !Array.isArray(options.cameras) || options.cameras.length === 0) {
    usage('cameras must list at least one camera, e.g. cameras: [{ id: "cam1" }]');
  }
  const cameras = options.cameras.map(resolveStreamSpec);
  const seen = new Set<string>();
  for (const camera of cameras) {
    if (seen.has(camera.id)) usage(`camera id "${camera.id}" is used twice`);
    seen.add(camera.id);
  }
  const credentials = options.credentials;
  if (credentials !== undefined) {
    if (typeof credentials.user !== 'string' || credentials.user === '' || /[:\s]/.test(credentials.user)) {
      usage('credentials.user must be a non-empty name without ":" or spaces');
    }
    if (typeof credentials.password !== 'string' || credentials.password === '') usage('credentials.password must be a non-empty string');
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') usage(`host must be an address to bind to, got ${String(host)}`);
  return {
    cameras,
    rtspPort: port(options.rtspPort, 'rtspPort', DEFAULT_RTSP_PORT),
    httpPort: port(options.httpPort, 'httpPort', 0),
    host,
    ffmpeg: options.ffmpeg,
    credentials: credentials === undefined ? undefined : { user: credentials.user, password: credentials.password },
  };
}

/** `host` as it goes in a URL (IPv6 in brackets). */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
