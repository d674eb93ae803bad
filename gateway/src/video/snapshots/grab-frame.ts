/**
 * `grabFrame`: one JPEG decoded from a camera's RTSP stream by ffmpeg. ffmpeg gets the URL with
 * credentials (RTSP Digest needs them) and echoes it in its errors, so everything it prints is
 * redacted before it reaches a message. A camera that asks for Basic only is refused before ffmpeg
 * starts, unless allowed (rtsp-login-check.ts).
 */
import { spawn } from 'node:child_process';
import { SensegateError, redactText, redactUrl } from '@sensegate/sdk';
import { isJpeg } from './jpeg.js';
import { insecureRtspLogin } from './rtsp-login-check.js';

export interface GrabFrameOptions {
  /** Path of the ffmpeg executable (resolve it with the sdk's `resolveFfmpeg`). */
  ffmpeg: string;
  /** Milliseconds from spawning ffmpeg to the JPEG (default 10,000); ffmpeg is killed after it. */
  timeout?: number;
  signal?: AbortSignal;
  /** A larger picture is refused (default 16 MiB). */
  maxBytes?: number;
  /** The camera's configuration allows RTSP Basic without TLS; otherwise a camera offering only Basic is refused (rtsp-login-check.ts). */
  basicOverRtsp?: boolean;
}

export const DEFAULT_GRAB_TIMEOUT = 10_000;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** ffmpeg's last words are kept for the error message; its stderr is never logged whole. */
const STDERR_KEEP = 4096;

/**
 * How much of the stream ffmpeg reads before decoding: `fast` trusts the codec parameters the
 * camera puts in its SDP (sprop-parameter-sets), which cuts a grab from about 2.5 s to about 0.1 s;
 * `full` is ffmpeg's default probing, for cameras that send their parameters only in band.
 */
export type ProbeMode = 'fast' | 'full';

/** ffmpeg's arguments for one frame: TCP interleaved (no UDP ports to open), no audio, no stdin. */
export function grabArgs(url: string, timeoutMs: number, probe: ProbeMode = 'fast'): string[] {
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel', 'error',
    '-rtsp_transport', 'tcp',
    // Socket I/O timeout in microseconds, so a silent camera ends ffmpeg with a reason of its own.
    '-timeout', String(Math.max(1, Math.round(timeoutMs * 1000))),
    ...(probe === 'fast' ? ['-analyzeduration', '0', '-probesize', '32'] : []),
    '-i', url,
    '-an', '-sn', '-dn',
    '-frames:v', '1',
    '-q:v', '3',
    '-f', 'image2pipe',
    '-vcodec', 'mjpeg',
    'pipe:1',
  ];
}

/** The password in a URL's user-info, or nothing. */
function passwordOf(url: string): string {
  try {
    return new URL(url).password;
  } catch {
    return '';
  }
}

type GrabCode = 'SG_SNAPSHOT_FAILED' | 'SG_STREAM_UNAVAILABLE' | 'SG_AUTH_FAILED';

/** What ffmpeg's error text means for the operator. */
function classify(stderr: string): { code: GrabCode; status?: string } {
  if (/401 Unauthorized/i.test(stderr)) return { code: 'SG_AUTH_FAILED', status: 'rtsp:401' };
  const rtsp = /method \w+ failed: (\d{3})/.exec(stderr);
  if (rtsp) return { code: 'SG_STREAM_UNAVAILABLE', status: `rtsp:${rtsp[1]}` };
  if (/Connection refused|No route to host|Network is unreachable|Connection timed out|Name or service not known|Temporary failure in name resolution|Connection reset|End of file|Server returned 4\d\d|Server returned 5\d\d/i.test(stderr)) {
    return { code: 'SG_STREAM_UNAVAILABLE' };
  }
  return { code: 'SG_SNAPSHOT_FAILED' };
}

/** The last few meaningful lines of ffmpeg's stderr, on one line. */
function lastWords(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.slice(-3).join(' | ');
}

/**
 * Spawns ffmpeg on `url` (rtsp, with credentials if the camera needs them) and resolves with the
 * first frame as a JPEG. Throws SG_STREAM_UNAVAILABLE when the stream cannot be reached or played,
 * SG_AUTH_FAILED when the camera refuses the credentials, SG_SNAPSHOT_FAILED when no picture
 * arrives in time, SG_FFMPEG_MISSING when the executable is not there; messages name the URL
 * without its password.
 */
export async function grabFrame(url: string, options: GrabFrameOptions): Promise<Buffer> {
  const timeout = options.timeout ?? DEFAULT_GRAB_TIMEOUT;
  const started = performance.now();
  if (!options.basicOverRtsp) {
    const refused = await insecureRtspLogin(url, timeout);
    if (refused) throw new SensegateError('SG_INSECURE_AUTH', `stream ${redactUrl(url)}: ${refused}`, { source: redactUrl(url), status: 'rtsp:401' });
  }
  try {
    return await grabOnce(url, options, timeout, 'fast');
  } catch (err) {
    const left = timeout - (performance.now() - started);
    if (!(err instanceof ProbeTooShort) || left <= 0) throw err instanceof ProbeTooShort ? err.error : err;
    return grabOnce(url, options, left, 'full').catch((retry: unknown) => {
      throw retry instanceof ProbeTooShort ? retry.error : retry;
    });
  }
}

/** The fast probe ended before ffmpeg knew the picture's size: worth one try with full probing. */
class ProbeTooShort extends Error {
  constructor(readonly error: SensegateError) {
    super(error.message);
  }
}

const PROBE_FAILURE = /Could not find codec parameters|unspecified size|dimensions not set|Invalid data found when processing input/i;

function grabOnce(url: string, options: GrabFrameOptions, timeout: number, probe: ProbeMode): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const target = redactUrl(url);
  const fail = (code: GrabCode, message: string, status?: string, cause?: unknown) =>
    new SensegateError(code, `stream ${target}: ${redactText(message, [passwordOf(url)])}`, {
      source: target,
      ...(status !== undefined ? { status } : {}),
      ...(cause !== undefined ? { cause } : {}),
    });

  return new Promise<Buffer>((resolve, reject) => {
    if (options.signal?.aborted) return reject(fail('SG_SNAPSHOT_FAILED', 'cancelled'));
    const child = spawn(options.ffmpeg, grabArgs(url, timeout, probe), { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let stopped: SensegateError | undefined;
    let settled = false;

    const stop = (reason: SensegateError): void => {
      if (stopped || settled) return;
      stopped = reason;
      child.kill('SIGKILL');
    };
    const onAbort = () => stop(fail('SG_SNAPSHOT_FAILED', 'cancelled'));
    const timer = setTimeout(() => stop(fail('SG_SNAPSHOT_FAILED', `no picture within ${timeout} ms${stderr ? `; ffmpeg said: ${lastWords(stderr)}` : ''}`)), timeout);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (err: Error | undefined, jpeg?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(jpeg!);
    };

    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return stop(fail('SG_SNAPSHOT_FAILED', `the picture is larger than the limit of ${maxBytes} bytes`));
      chunks.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        finish(new SensegateError('SG_FFMPEG_MISSING', `cannot run ffmpeg at ${options.ffmpeg}: ${err.code}; install ffmpeg or set \`ffmpeg:\` in the configuration or FFMPEG_PATH`, { cause: err }));
      } else {
        finish(fail('SG_SNAPSHOT_FAILED', `cannot run ffmpeg: ${err.message}`, undefined, err));
      }
    });
    child.on('close', (code, signal) => {
      if (stopped) return finish(stopped);
      const jpeg = Buffer.concat(chunks);
      if (code === 0 && isJpeg(jpeg)) return finish(undefined, jpeg);
      const said = lastWords(stderr);
      if (code === 0) return finish(fail('SG_SNAPSHOT_FAILED', `ffmpeg ended without a picture${said ? `: ${said}` : ''}`));
      const { code: errorCode, status } = classify(stderr);
      if (probe === 'fast' && errorCode === 'SG_SNAPSHOT_FAILED' && PROBE_FAILURE.test(stderr)) {
        return finish(new ProbeTooShort(fail(errorCode, `ffmpeg could not read the stream's parameters: ${said}`)));
      }
      finish(fail(errorCode, `ffmpeg ${signal ? `was killed (${signal})` : `exited with code ${code}`}${said ? `: ${said}` : ''}`, status));
    });
  });
}
