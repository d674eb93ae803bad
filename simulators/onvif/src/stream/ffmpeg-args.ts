/**
 * The encoder's command line: the lavfi test pattern (its running counter is the camera's clock;
 * drawtext is avoided because Debian's ffmpeg often finds no font), a marker box that shows where
 * the camera points (moved while ffmpeg runs, through its stdin filter commands), and two
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

/** Side of the marker box, in pixels. */
export function markerSize(camera: Pick<ResolvedStreamSpec, 'width' | 'height'>): number {
  return Math.max(8, Math.round(Math.min(camera.width, camera.height) / 12) & ~1);
}

/**
 * Where the marker box sits for a pan and tilt in [-1, 1]: pan -1 at the left edge, +1 at the
 * right; tilt +1 at the top, -1 at the bottom; (0, 0) in the middle.
 */
export function markerAt(camera: Pick<ResolvedStreamSpec, 'width' | 'height'>, pan: number, tilt: number): { x: number; y: number } {
  const box = markerSize(camera);
  const clamp = (v: number) => Math.min(1, Math.max(-1, v));
  return { x: Math.round(((clamp(pan) + 1) / 2) * (camera.width - box)), y: Math.round(((1 - clamp(tilt)) / 2) * (camera.height - box)) };
}

/** The ffmpeg stdin line that moves the marker (its interactive `c` filter command). */
export function markerCommands(x: number, y: number): string {
  return `c${MARKER_FILTER} -1 x ${x}\nc${MARKER_FILTER} -1 y ${y}\n`;
}

/** The drawbox's name in the filter graph: the first filter parsed. */
const MARKER_FILTER = 'Parsed_drawbox_0';

export function encoderArgs(camera: ResolvedStreamSpec, publishUrl: string, marker = markerAt(camera, 0, 0)): string[] {
  const { width, height, fps, gop } = camera;
  const box = markerSize(camera);
  const snapshotRate = Math.min(SNAPSHOT_RATE, fps);
  const graph =
    `[0:v]drawbox=x=${marker.x}:y=${marker.y}:w=${box}:h=${box}:color=red@0.9:t=fill,split=2[live][still];` +
    `[still]fps=${snapshotRate},scale=out_range=full,format=yuv420p[snap]`;
  const bits = bitsPerSecond(camera.bitrate);
  return [
    '-hide_banner',
    // stdin stays open: it carries the marker's filter commands (`c...`), nothing else.
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
