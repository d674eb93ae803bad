/**
 * `fetchSnapshot`: one JPEG from a camera's snapshot URL (an ONVIF snapshot URI). Answers a 401
 * with Digest, or with Basic only over HTTPS or when the camera's configuration allows it (Basic
 * over plain HTTP sends the password readable), bounds the time and the size, and checks that what
 * came back is a JPEG. Credentials go only into the Authorization header of a request to the URL
 * given (redirects are never followed), never into a URL, a message or a log line.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SensegateError, answerChallenge, authorization, parseChallenges, redactUrl, type AuthScheme, type Credentials } from '@sensegate/sdk';
import { isJpeg } from './jpeg.js';

export interface FetchSnapshotOptions {
  /** Milliseconds for the whole exchange, both requests when a 401 is answered (default 10,000). */
  timeout?: number;
  signal?: AbortSignal;
  /** A larger answer is refused without reading it all (default 16 MiB). */
  maxBytes?: number;
  /** Which challenge to answer: `auto` (default) answers Digest when offered, else Basic where allowed; `basic` asks for Basic. */
  scheme?: AuthScheme;
  /** Answer a Basic challenge over plain HTTP (the device's `allowBasicOverHttp`); default false. */
  basicOverHttp?: boolean;
}

export const DEFAULT_SNAPSHOT_TIMEOUT = 10_000;
export const DEFAULT_MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024;

interface Answer {
  status: number;
  statusText: string;
  headers: IncomingMessage['headers'];
  /** Every `WWW-Authenticate` value on its own (Node joins repeated headers with commas). */
  challenges: string[];
  body: Buffer;
}

/** Thrown inside a request when the body outgrows `maxBytes`. */
class TooLarge extends Error {}

function get(url: URL, headers: Record<string, string>, signal: AbortSignal, maxBytes: number, readBody: (status: number) => boolean): Promise<Answer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = send(url, { method: 'GET', headers, signal }, (res) => {
      const status = res.statusCode ?? 0;
      const challenges: string[] = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        if (res.rawHeaders[i]!.toLowerCase() === 'www-authenticate') challenges.push(res.rawHeaders[i + 1]!);
      }
      const answer = (body: Buffer): Answer => ({ status, statusText: res.statusMessage ?? '', headers: res.headers, challenges, body });
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        res.destroy();
        return reject(new TooLarge(`${declared} bytes`));
      }
      // Error pages are read only as far as a message needs; 401 bodies not at all.
      const limit = readBody(status) ? maxBytes : 4096;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          if (limit === maxBytes) {
            res.destroy();
            reject(new TooLarge(`more than ${maxBytes} bytes`));
          }
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(answer(Buffer.concat(chunks))));
      res.on('error', reject);
      res.on('close', () => {
        if (!res.complete) reject(new Error('the connection closed before the whole answer arrived'));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function failed(target: string, message: string, context: { status?: string; cause?: unknown; code?: 'SG_SNAPSHOT_FAILED' | 'SG_AUTH_FAILED' | 'SG_INSECURE_AUTH' } = {}): SensegateError {
  return new SensegateError(context.code ?? 'SG_SNAPSHOT_FAILED', `snapshot ${target}: ${message}`, {
    source: target,
    ...(context.status !== undefined ? { status: context.status } : {}),
    ...(context.cause !== undefined ? { cause: context.cause } : {}),
  });
}

/** A short, single-line excerpt of an error page, for the message. */
function excerpt(body: Buffer): string {
  const text = body.toString('utf8').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > 160 ? `${text.slice(0, 160)}...` : text;
}

/**
 * GETs `url` (http or https, without credentials) and resolves with the JPEG. Throws
 * SG_SNAPSHOT_FAILED naming the redacted URL and the HTTP status (`status: 'http:503'`), or
 * SG_AUTH_FAILED when the camera refuses the credentials or asks for some and none were given.
 */
export async function fetchSnapshot(url: string, auth: Credentials | undefined, options: FetchSnapshotOptions = {}): Promise<Buffer> {
  const target = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw failed(target, 'not a valid URL', { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw failed(target, `expected an http or https URL, got ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw failed(target, 'the URL must not carry credentials; pass them as auth');
  const timeout = options.timeout ?? DEFAULT_SNAPSHOT_TIMEOUT;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
  const deadline = AbortSignal.timeout(timeout);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const headers: Record<string, string> = { Accept: 'image/jpeg, */*;q=0.5', 'User-Agent': 'sensegate' };
  const ok = (status: number) => status >= 200 && status < 300;

  const exchange = async (): Promise<Answer> => {
    let answer = await get(parsed, headers, signal, maxBytes, ok);
    if (answer.status !== 401) return answer;
    const offered = parseChallenges(answer.challenges);
    const schemes = offered.map((c) => c.scheme).join(', ') || 'none';
    if (!auth) throw failed(target, `HTTP 401: the camera asks for credentials (${schemes}) and none are configured`, { code: 'SG_AUTH_FAILED', status: 'http:401' });
    const answered = answerChallenge(offered, { scheme: options.scheme ?? 'auto', secure: parsed.protocol === 'https:', basicOverHttp: options.basicOverHttp === true });
    if (!answered.ok && answered.reason === 'basic-over-http') {
      throw failed(target, 'HTTP 401: the camera asks for Basic over plain HTTP, which would send the password readable by anyone on the network; it was not sent (enable Digest or HTTPS on the camera, or set allowBasicOverHttp on a trusted network)', {
        code: 'SG_INSECURE_AUTH',
        status: 'http:401',
      });
    }
    if (!answered.ok) {
      throw failed(target, `HTTP 401: the camera offers ${schemes}, none of which this client answers${options.scheme && options.scheme !== 'auto' ? ` with ${options.scheme}` : ''}`, {
        code: 'SG_AUTH_FAILED',
        status: 'http:401',
      });
    }
    const challenge = answered.challenge;
    const uri = parsed.pathname + parsed.search;
    answer = await get(parsed, { ...headers, Authorization: authorization(challenge, auth, 'GET', uri) }, signal, maxBytes, ok);
    if (answer.status === 401) {
      throw failed(target, `HTTP 401: the camera refused the credentials of user "${auth.user}" (${challenge.scheme})`, { code: 'SG_AUTH_FAILED', status: 'http:401' });
    }
    return answer;
  };

  let answer: Answer;
  try {
    answer = await exchange();
  } catch (err) {
    if (err instanceof SensegateError) throw err;
    if (err instanceof TooLarge) throw failed(target, `the answer is larger than the limit of ${maxBytes} bytes (${err.message})`);
    if (options.signal?.aborted) throw failed(target, 'cancelled', { cause: err });
    if (deadline.aborted) throw failed(target, `no whole answer within ${timeout} ms`, { cause: err });
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : err instanceof Error ? err.message : String(err);
    throw failed(target, reason, { cause: err });
  }
  if (answer.status >= 300 && answer.status < 400) {
    throw failed(target, `HTTP ${answer.status}: the camera redirects to ${redactUrl(String(answer.headers.location ?? 'nowhere'))}; redirects are not followed, so credentials go only to the snapshot URL's own host`, { status: `http:${answer.status}` });
  }
  if (!ok(answer.status)) {
    const text = excerpt(answer.body);
    throw failed(target, `HTTP ${answer.status} ${answer.statusText}${text ? `: ${text}` : ''}`, { status: `http:${answer.status}` });
  }
  if (!isJpeg(answer.body)) {
    const type = answer.headers['content-type'] ?? 'no content type';
    throw failed(target, `the answer is not a JPEG (${answer.body.length} bytes, ${type})`, { status: `http:${answer.status}` });
  }
  return answer.body;
}
