/**
 * `startOnvifSimulator`: whole simulated cameras, each with its ONVIF services (device, media, PTZ,
 * WS-Discovery), its H.264 RTSP stream and its snapshot URL, under one set of credentials.
 */
import type { Logger } from '@sensegate/sdk';
import { startCameraStreams, type CameraStreams } from './camera-streams.js';
import { startOnvifServices, type OnvifServices } from './onvif/index.js';
import type { OnvifCameraSpec } from './onvif/options.js';
import type { PtzPosition } from './onvif/ptz/head.js';

export interface SimulatedCameraSpec {
  /** Camera id: part of its stream path; default cam1, cam2, ... */
  id?: string;
  width?: number;
  height?: number;
  fps?: number;
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  location?: string;
  clockOffsetMs?: number;
  /** A motion event (start, end a second later) every this many ms; default off. */
  motionEveryMs?: number;
}

export interface OnvifSimulatorOptions {
  /** How many cameras (all alike), or each one's spec; default one 1280x720 camera at 15 fps. */
  cameras?: number | SimulatedCameraSpec[];
  /** Bind and URL host; default 127.0.0.1. */
  host?: string;
  /** First ONVIF HTTP port (each camera its own); 0 = free ports (default). */
  port?: number;
  /** RTSP port; default 0 = a free one. */
  rtspPort?: number;
  /** Snapshot HTTP port; default 0 = a free one. */
  httpPort?: number;
  /** For ONVIF, RTSP and snapshots alike; default admin / admin. */
  credentials?: { user: string; password: string };
  /** WS-Discovery: multicast (default on) and the unicast probe port (default 0 = a free one). */
  discovery?: { multicast?: boolean; unicastPort?: number };
  /** The ffmpeg to encode with (else FFMPEG_PATH, ffmpeg-static, PATH). */
  ffmpeg?: string;
  logger?: Logger;
}

export interface SimulatedCamera {
  id: string;
  deviceServiceUrl: string;
  rtspUrl: string;
  snapshotUrl: string;
  width: number;
  height: number;
  fps: number;
}

export interface OnvifSimulator {
  readonly cameras: readonly SimulatedCamera[];
  readonly credentials: { user: string; password: string };
  /** The UDP port answering unicast WS-Discovery probes. */
  readonly discoveryPort: number;
  readonly streams: CameraStreams;
  readonly services: OnvifServices;
  /** Where camera `id` points now and whether it moves (the same as `services.ptz(id)`). */
  ptz(id: string): PtzPosition;
  /** Motion on camera `id`: starts and ends a second later, or starts (`true`) / ends (`false`). */
  motion(id: string, on?: boolean): void;
  /** Every events subscription of camera `id` expires now (the same as `services.expireSubscriptions`). */
  expireSubscriptions(id: string): number;
  close(): Promise<void>;
}

function specsOf(cameras: OnvifSimulatorOptions['cameras']): SimulatedCameraSpec[] {
  if (cameras === undefined) return [{}];
  if (typeof cameras === 'number') return Array.from({ length: cameras }, () => ({}));
  return cameras;
}

export async function startOnvifSimulator(options: OnvifSimulatorOptions = {}): Promise<OnvifSimulator> {
  const credentials = options.credentials ?? { user: 'admin', password: 'admin' };
  const host = options.host ?? '127.0.0.1';
  const specs = specsOf(options.cameras).map((s, i) => ({ ...s, id: s.id ?? `cam${i + 1}`, width: s.width ?? 1280, height: s.height ?? 720, fps: s.fps ?? 15 }));
  const streams = await startCameraStreams({
    cameras: specs.map((s) => ({ id: s.id, width: s.width, height: s.height, fps: s.fps })),
    rtspPort: options.rtspPort ?? 0,
    httpPort: options.httpPort ?? 0,
    host,
    credentials,
    ...(options.ffmpeg !== undefined ? { ffmpeg: options.ffmpeg } : {}),
  });
  let services: OnvifServices;
  try {
    services = await startOnvifServices({
      cameras: specs.map(
        (s): OnvifCameraSpec => ({
          id: s.id,
          width: s.width,
          height: s.height,
          fps: s.fps,
          rtspUrl: streams.rtspUrl(s.id),
          snapshotUrl: streams.snapshotUrl(s.id),
          ...(s.manufacturer !== undefined ? { manufacturer: s.manufacturer } : {}),
          ...(s.model !== undefined ? { model: s.model } : {}),
          ...(s.firmware !== undefined ? { firmware: s.firmware } : {}),
          ...(s.serial !== undefined ? { serial: s.serial } : {}),
          ...(s.location !== undefined ? { location: s.location } : {}),
          ...(s.clockOffsetMs !== undefined ? { clockOffsetMs: s.clockOffsetMs } : {}),
          ...(s.motionEveryMs !== undefined ? { motionEveryMs: s.motionEveryMs } : {}),
        }),
      ),
      host,
      port: options.port ?? 0,
      credentials,
      discovery: { multicast: options.discovery?.multicast ?? true, unicastPort: options.discovery?.unicastPort ?? 0 },
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (err) {
    await streams.close();
    throw err;
  }
  // The picture shows where each camera points: its marker box follows the PTZ position.
  const follow = setInterval(() => {
    for (const s of specs) {
      const { pan, tilt } = services.ptz(s.id);
      streams.point(s.id, pan, tilt);
    }
  }, 100);
  follow.unref();
  return {
    cameras: specs.map((s) => ({
      id: s.id,
      deviceServiceUrl: services.deviceServiceUrl(s.id),
      rtspUrl: streams.rtspUrl(s.id),
      snapshotUrl: streams.snapshotUrl(s.id),
      width: s.width,
      height: s.height,
      fps: s.fps,
    })),
    credentials,
    discoveryPort: services.discoveryPort,
    streams,
    services,
    ptz: (id) => services.ptz(id),
    motion: (id, on) => services.motion(id, on),
    expireSubscriptions: (id) => services.expireSubscriptions(id),
    async close() {
      clearInterval(follow);
      await Promise.allSettled([services.close(), streams.close()]);
    },
  };
}
