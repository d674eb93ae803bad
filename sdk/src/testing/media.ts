/**
 * Video as a test sees it: a program run to its end, and ffprobe's view of a stream (codec and
 * picture size), the way a user checks that a camera's or a gateway's stream really plays.
 */
import { spawn } from 'node:child_process';
import { resolveFfmpeg } from '../ffmpeg.js';

export interface ProgramRun {
  /** Exit code; `null` when the program was killed at the timeout. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end, killing it after `timeout` ms. Never rejects: look at `code`. */
export function runProgram(path: string, args: readonly string[], timeout = 20_000): Promise<ProgramRun> {
  return new Promise((resolve) => {
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface VideoProbe extends ProgramRun {
  /** The first video stream, when ffprobe found one. */
  stream?: { codec_name: string; width: number; height: number };
}

/**
 * `ffprobe -select_streams v:0 -show_entries stream=codec_name,width,height` on a URL (RTSP over
 * TCP with `rtspTcp`), with ffprobe found as `resolveFfmpeg` finds it.
 */
export async function probeVideo(url: string, options: { rtspTcp?: boolean; timeout?: number } = {}): Promise<VideoProbe> {
  const ffprobe = resolveFfmpeg({ program: 'ffprobe' }).path;
  const transport = options.rtspTcp ? ['-rtsp_transport', 'tcp'] : [];
  const result = await runProgram(ffprobe, ['-v', 'error', ...transport, '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url], options.timeout);
  if (result.code !== 0) return result;
  const parsed = JSON.parse(result.stdout) as { streams?: Array<VideoProbe['stream']> };
  return parsed.streams?.[0] ? { ...result, stream: parsed.streams[0] } : result;
}
