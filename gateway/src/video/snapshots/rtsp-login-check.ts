/**
 * Before ffmpeg gets a camera's RTSP URL with the account in it: ffmpeg answers whatever login a
 * server asks for, Basic included, which puts the password on the wire readable. So one DESCRIBE
 * without credentials goes first, and when the camera answers 401 offering only Basic (over plain
 * `rtsp:`, with Basic not allowed by the camera's configuration) the grab is refused and ffmpeg
 * never sees the password. A camera that offers Digest, or asks for nothing, goes on to ffmpeg.
 *
 * This is a check, not a guarantee: a hostile server could offer Digest here and Basic to ffmpeg
 * a moment later. The relay's own RTSP client applies the rule on the real request (relay/rtsp-auth.ts).
 */
import { connect } from 'node:net';
import { answerChallenge, parseChallenges } from '@sensegate/sdk';

/** The header block of an answer is at most this long; more is not an RTSP answer. */
const MAX_HEADER = 8192;

/** The WWW-Authenticate values of a 401 to an unauthenticated DESCRIBE; [] when it is not a 401 or cannot be had. */
async function challengesOf(url: URL, timeoutMs: number): Promise<string[]> {
  const bare = new URL(url.toString());
  bare.username = bare.password = '';
  return new Promise<string[]>((resolve) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 554) });
    let text = '';
    const done = (values: string[]) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(values);
    };
    const timer = setTimeout(() => done([]), timeoutMs);
    socket.on('error', () => done([]));
    socket.on('close', () => done([]));
    socket.on('connect', () => socket.write(`DESCRIBE ${bare.toString()} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: sensegate\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return text.length > MAX_HEADER ? done([]) : undefined;
      const lines = text.slice(0, end).split('\r\n');
      if (!/^RTSP\/1\.0 401\b/.test(lines[0] ?? '')) return done([]);
      done(lines.slice(1).flatMap((line) => (/^www-authenticate\s*:/i.test(line) ? [line.slice(line.indexOf(':') + 1).trim()] : [])));
    });
  });
}

/**
 * Resolves with a refusal message when the camera would be sent its password in Basic over plain
 * RTSP; undefined when ffmpeg may go ahead.
 */
export async function insecureRtspLogin(url: string, timeoutMs: number): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'rtsp:' || (!parsed.username && !parsed.password)) return undefined;
  const values = await challengesOf(parsed, Math.min(timeoutMs, 3000));
  if (values.length === 0) return undefined;
  const answer = answerChallenge(parseChallenges(values), { secure: false });
  if (answer.ok || answer.reason !== 'basic-over-http') return undefined;
  return 'the camera asks for RTSP Basic over plain TCP, which would send the password readable by anyone on the network; ffmpeg was not started (enable Digest on the camera, or set allowBasicOverHttp on a trusted network)';
}
