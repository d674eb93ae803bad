/**
 * The encoder's command line: the lavfi test pattern (its running counter is the camera's clock;
 * drawtext is avoided because Debian's ffmpeg often finds no font), a fixed marker box, and two
 * outputs from one decode-free filter graph: H.264 published over RTSP (TCP), and a few JPEGs a
 * second on stdout for snapshots.
 */
import type { ResolvedStreamSpec } from '../options.js';

/** JPEGs per second written for snapshots; the served snapshot is at most this old. */
export const SNAPSHOT_RATE = 2;

/** Bits per second of an ffmpeg bitrate (`'1M'` -> 1000000). */
export function bitsPerSecond(bitrate: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(bitrate);
  if (!match) return Number.NaN;
  const unit = match[2]!.toLowerCase() === 'k' ? 1e3 : match[2]!.toLowerCase() === 'm' ? 1e6 : 1;
  return Math.round(Number(match[1]) * unit);
}

export function encoderArgs(camera: ResolvedStreamSpec, publishUrl: string): string[] {
  const { width, height, fps, gop } = camera;
  const box = Math.max(8, Math.round(Math.min(width, height) / 12) & ~1);
  const snapshotRate = Math.min(SNAPSHOT_RATE, fps);
  const graph =
    `[0:v]drawbox=x=${box / 2}:y=${box / 2}:w=${box}:h=${box}:color=red@0.9:t=fill,split=2[live][still];` +
    `[still]fps=${snapshotRate},scale=out_range=full,format=yuv420p[snap]`;
  const bits = bitsPerSecond(camera.bitrate);
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'warning',
    '-re',
    '-f', 'lavfi',
    '-i', `testsrc=size=${width}x${height}:rate=${fps}`,
    '-filter_complex', graph,
    '-map', '[live]',
    '-c:v', 'libx264',
    '-preset', 'ultrafast',
    '-tune', 'zerolatency',
    '-pix_fmt', 'yuv420p',
    '-profile:v', 'baseline',
    '-g', String(gop),
    '-keyint_min', String(gop),
    '-sc_threshold', '0',
    '-bf', '0',
    // SPS/PPS before every keyframe too, for players that ignore sprop-parameter-sets.
    '-x264-params', 'repeat-headers=1',
    '-b:v', String(bits),
    '-maxrate', String(bits),
    '-bufsize', String(bits * 2),
    '-f', 'rtsp',
    '-rtsp_transport', 'tcp',
    publishUrl,
    '-map', '[snap]',
    '-c:v', 'mjpeg',
    '-q:v', '4',
    '-color_range', 'pc',
    '-strict', 'unofficial',
    '-f', 'image2pipe',
    'pipe:1',
  ];
}
