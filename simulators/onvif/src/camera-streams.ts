/**
 * `startCameraStreams`: the video side of the simulated cameras. One RTSP server carries every
 * camera's stream (`/<id>/main`), one ffmpeg per camera publishes into it, and one HTTP server
 * serves their snapshots. The ONVIF services build on this: they read the URLs and the specs,
 * and inject faults through it.
 */
import { resolveFfmpeg, SensegateError, silentLogger } from '@sensegate/sdk';
import { resolveOptions, urlHost, type CameraStreamsOptions, type ResolvedStreamSpec } from './options.js';
import { RtspServer } from './rtsp/server.js';
import { startSnapshotServer, type SnapshotServer } from './snapshot/http-server.js';
import { Camera, type CameraStats } from './stream/camera.js';

export interface CameraStreams {
  readonly rtspPort: number;
  readonly httpPort: number;
  /** Every camera with its defaults filled in (size, fps, bitrate, keyframe interval). */
  readonly cameras: readonly ResolvedStreamSpec[];
  /** `rtsp://host:port/<id>/main` (no credentials in it). */
  rtspUrl(id: string): string;
  /** `http://host:port/snapshot/<id>.jpg`. */
  snapshotUrl(id: string): string;
  /** Stream state: is its encoder publishing, how many RTSP viewers, bytes relayed, encoder restarts. */
  stats(id: string): CameraStats;
  /** Fault: the camera's stream stops (encoder killed, viewers disconnected) for ms, then comes back by itself. Resolves once it is down. */
  dropStream(id: string, ms: number): Promise<void>;
  /** A JPEG of the current picture (what the snapshot URL serves); SG_NOT_CONNECTED while the stream is down. */
  snapshot(id: string): Promise<Buffer>;
  /** Draws where the camera points: the marker box moves to pan and tilt in [-1, 1] (0, 0: the middle; tilt +1: the top). */
  point(id: string, pan: number, tilt: number): void;
  close(): Promise<void>;
}

export const streamPath = (id: string): string => `/${id}/main`;

/** Starts the servers and every camera's encoder; resolves once every stream is publishing. */
export async function startCameraStreams(options: CameraStreamsOptions): Promise<CameraStreams> {
  const settings = resolveOptions(options);
  const log = options.log ?? silentLogger;
  const ffmpeg = resolveFfmpeg({ configured: settings.ffmpeg }).path;
  const rtsp = await RtspServer.start({ host: settings.host, port: settings.rtspPort, log, ...(settings.credentials ? { credentials: settings.credentials } : {}) });
  const cameras = new Map<string, Camera>();
  for (const spec of settings.cameras) {
    const path = streamPath(spec.id);
    const stream = rtsp.addStream(path, `sensegate ${spec.id}`);
    cameras.set(spec.id, new Camera(spec, stream, ffmpeg, rtsp.publishUrl(path), log.child({ camera: spec.id })));
  }
  const camera = (id: string): Camera => {
    const found = cameras.get(id);
    if (!found) throw new SensegateError('SG_USAGE', `no camera "${id}"; cameras: ${[...cameras.keys()].join(', ')}`);
    return found;
  };

  let http: SnapshotServer | undefined;
  const closeAll = async (): Promise<void> => {
    await Promise.all([...cameras.values()].map((c) => c.close()));
    await Promise.all([rtsp.close(), http?.close()]);
  };
  try {
    http = await startSnapshotServer({
      host: settings.host,
      port: settings.httpPort,
      credentials: settings.credentials,
      source: { has: (id) => cameras.has(id), snapshot: (id) => camera(id).snapshot() },
      log,
    });
    const started = await Promise.allSettled([...cameras.values()].map((c) => c.start()));
    const failed = started.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw failed.length === 1 ? failed[0]!.reason : new Error(failed.map((f) => String(f.reason instanceof Error ? f.reason.message : f.reason)).join('\n'));
  } catch (err) {
    await closeAll();
    throw err;
  }

  const host = urlHost(settings.host);
  const httpPort = http.port;
  let closing: Promise<void> | undefined;
  return {
    rtspPort: rtsp.port,
    httpPort,
    cameras: settings.cameras,
    rtspUrl: (id) => rtsp.url(streamPath(camera(id).spec.id)),
    snapshotUrl: (id) => `http://${host}:${httpPort}/snapshot/${camera(id).spec.id}.jpg`,
    stats: (id) => camera(id).stats(),
    dropStream: async (id, ms) => camera(id).drop(ms),
    snapshot: async (id) => camera(id).snapshot(),
    point: (id, pan, tilt) => camera(id).point(pan, tilt),
    close: () => (closing ??= closeAll()),
  };
}
