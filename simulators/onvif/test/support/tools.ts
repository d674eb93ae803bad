/**
 * The real ffmpeg tools as the tests' clients: ffprobe to look at a stream the way a user would,
 * and ffmpeg readers that play a stream and count the frames they decode. Every process is
 * killed when its test ends.
 */
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { resolveFfmpeg } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { startCameraStreams, type CameraStreams, type CameraStreamsOptions } from '../../src/index.js';

export const FFMPEG = resolveFfmpeg().path;
export const FFPROBE = resolveFfmpeg({ program: 'ffprobe' }).path;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (killed after `timeout` ms). */
export function run(path: string, args: string[], timeout = 15_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Probe extends Run {
  stream?: { codec_name: string; width: number; height: number };
}

/** `ffprobe -v error [-rtsp_transport tcp] -select_streams v:0 -show_entries stream=codec_name,width,height -of json <url>` */
export async function probe(url: string, options: { tcp?: boolean } = {}): Promise<Probe> {
  const transport = options.tcp === false ? [] : ['-rtsp_transport', 'tcp'];
  const result = await run(FFPROBE, ['-v', 'error', ...transport, '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url]);
  if (result.code !== 0) return result;
  const parsed = JSON.parse(result.stdout) as { streams?: Array<Probe['stream']> };
  return parsed.streams?.[0] ? { ...result, stream: parsed.streams[0] } : result;
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
