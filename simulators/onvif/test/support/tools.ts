/**
 * The real ffmpeg tools as the tests' clients: ffprobe to look at a stream the way a user would,
 * and ffmpeg readers that play a stream and count the frames they decode. Every process is
 * killed when its test ends.
 */
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { resolveFfmpeg } from '@sensegate/sdk';
import { probeVideo, runProgram, waitFor, type ProgramRun, type VideoProbe } from '@sensegate/sdk/testing';
import { startCameraStreams, type CameraStreams, type CameraStreamsOptions } from '../../src/index.js';

export const FFMPEG = resolveFfmpeg().path;
export const FFPROBE = resolveFfmpeg({ program: 'ffprobe' }).path;

export type Run = ProgramRun;
export type Probe = VideoProbe;
export const run = runProgram;

/** ffprobe's view of a stream; RTSP over TCP unless `tcp: false`. */
export function probe(url: string, options: { tcp?: boolean } = {}): Promise<Probe> {
  return probeVideo(url, { rtspTcp: options.tcp !== false });
}

/** An ffmpeg that plays a stream over TCP and decodes it, counting frames from its -progress output. */
export class Viewer {
  frames = 0;
  exitCode: number | null | undefined;
  stderr = '';
  private readonly child;

  constructor(t: TestContext, url: string) {
    this.child = spawn(FFMPEG, ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-f', 'null', '-', '-progress', 'pipe:1', '-stats_period', '0.2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/^frame=(\d+)/gm)) this.frames = Number(m[1]);
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.once('exit', (code) => (this.exitCode = code));
    t.after(() => this.stop());
  }

  async decoded(frames: number): Promise<void> {
    await waitFor(`a viewer to decode ${frames} frames (has ${this.frames}; ${this.stderr})`, () => this.frames >= frames, { timeout: 15_000 });
  }

  async exited(): Promise<number | null> {
    return waitFor('the viewer to exit', () => this.exitCode !== undefined && { code: this.exitCode }).then((r) => r.code);
  }

  async stop(): Promise<void> {
    if (this.exitCode !== undefined) return;
    this.child.kill('SIGKILL');
    await this.exited();
  }
}

/** Camera streams on a free RTSP port, closed when the test ends. */
export async function startStreams(t: TestContext, options: CameraStreamsOptions): Promise<CameraStreams> {
  const streams = await startCameraStreams({ rtspPort: 0, ...options });
  t.after(() => streams.close());
  return streams;
}

/** A small, cheap camera: probes are quick at 25 fps (the keyframe cache covers ffprobe's frame-rate analysis). */
export const SMALL = { width: 320, height: 240, fps: 25 } as const;
