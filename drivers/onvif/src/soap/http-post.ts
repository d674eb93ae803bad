/**
 * One SOAP exchange over HTTP, bounded in every way a device could abuse:
 * - one deadline for the whole exchange (connect, both requests of a Digest login, the whole
 *   answer); when it passes the socket is destroyed, not merely the promise rejected;
 * - at most `maxBytes` of answer: a larger Content-Length is refused unread, and reading stops
 *   (socket destroyed) as soon as the count passes the cap;
 * - the answer is parsed as it arrives (xml-tree.ts, linear, with element/depth/text limits), so
 *   no single turn of the event loop parses more than one network chunk;
 * - a request that meets a kept-alive socket the device closed while idle is sent again once;
 * - credentials go only to the URL given, never on a redirect (redirects are not followed), in
 *   HTTP Digest when the device asks for it, in Basic only over TLS or when the configuration
 *   allows it (the SDK's `answerChallenge`).
 */
import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { answerChallenge, authorization, parseChallenges, redactUrl, type Credentials } from '@sensegate/sdk';
import { AuthRejected, HttpStatusError, InsecureAuthRefused, RedirectRefused, ReplyTimeout, ReplyTooLarge, printable } from './errors.js';
import { XmlLimitError, XmlTreeBuilder, type XmlElement, type XmlLimits } from './xml-tree.js';

export interface PostOptions {
  url: URL;
  /** The whole envelope. */
  body: string;
  /** The SOAP action, sent in the Content-Type as SOAP 1.2 asks. */
  action: string;
  agent: Agent;
  /** Deadline of the whole exchange, ms. */
  timeoutMs: number;
  /** Largest answer read, bytes. */
  maxBytes: number;
  /** For an HTTP 401: answered with Digest (or Basic where allowed). */
  credentials?: Credentials | undefined;
  allowBasicOverHttp: boolean;
  limits?: XmlLimits | undefined;
  /** Cancels the exchange (the session stopping); the socket is destroyed. */
  signal?: AbortSignal | undefined;
}

export interface PostAnswer {
  status: number;
  /** The parsed document. */
  root: XmlElement;
}

/** What one HTTP request brought back. */
type Raw = { kind: 'challenge'; status: 401; challenges: string[] } | { kind: 'redirect'; status: number; location: string } | { kind: 'document'; status: number; root: XmlElement };

/** The request went out on a kept-alive socket the device had just closed: sent again once, on a new one. */
class StaleSocket extends Error {
  constructor() {
    super('the kept-alive connection was closed by the camera');
  }
}

/** One request, sent again once when it met a stale kept-alive socket. */
async function sendOnce(o: PostOptions, headers: Record<string, string>, signal: AbortSignal): Promise<Raw> {
  try {
    return await oneRequest(o, headers, signal);
  } catch (err) {
    if (!(err instanceof StaleSocket)) throw err;
    return oneRequest(o, headers, signal);
  }
}

/** How much of a 401 or error page is read before the socket is given up. */
const SMALL_BODY = 4096;

function oneRequest(o: PostOptions, headers: Record<string, string>, signal: AbortSignal): Promise<Raw> {
  const send = o.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Raw>((resolve, reject) => {
    const req = send(o.url, { method: 'POST', agent: o.agent, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(o.body)) }, signal });
    const fail = (err: Error, res?: IncomingMessage) => {
      reject(err);
      // Destroying the request destroys its socket: a hostile device cannot keep the gateway reading.
      res?.destroy();
      req.destroy();
    };
    let answered = false;
    req.on('error', (err) => {
      // A keep-alive socket the device closed while idle fails before any answer: it never got the request.
      if (!answered && req.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') return reject(new StaleSocket());
      reject(err);
    });
    req.on('response', (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      if (status === 401) {
        const challenges: string[] = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() === 'www-authenticate') challenges.push(res.rawHeaders[i + 1]!);
        return drainSmall(res, () => resolve({ kind: 'challenge', status, challenges }));
      }
      if (status >= 300 && status < 400) {
        res.destroy();
        return resolve({ kind: 'redirect', status, location: String(res.headers.location ?? '') });
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes) return fail(new ReplyTooLarge(`the answer is larger than the limit of ${o.maxBytes} bytes (Content-Length ${declared})`), res);
      const success = status >= 200 && status < 300;
      const builder = new XmlTreeBuilder(o.limits);
      const decoder = new StringDecoder('utf8');
      let size = 0;
      let excerpt = '';
      let parseError: Error | undefined;
      // An error answer that is not SOAP (an HTML page): its first bytes make the message.
      const statusError = () => new HttpStatusError(status, `HTTP ${status} ${res.statusMessage ?? ''}`.trim() + (excerpt ? `: ${oneLine(excerpt)}` : ''));
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > o.maxBytes) return fail(new ReplyTooLarge(`the answer is larger than the limit of ${o.maxBytes} bytes`), res);
        if (excerpt.length < 200) excerpt += chunk.toString('utf8', 0, 200);
        if (parseError) return size > SMALL_BODY ? fail(statusError(), res) : undefined;
        try {
          builder.write(decoder.write(chunk));
        } catch (err) {
          if (err instanceof XmlLimitError) return fail(new ReplyTooLarge(`the answer went beyond a limit: ${err.message}`), res);
          parseError = err as Error;
          // A success that is not XML is useless; an error page is read a little further for its message.
          if (success) return fail(parseError, res);
          if (size > SMALL_BODY) return fail(statusError(), res);
        }
      });
      res.on('end', () => {
        if (!parseError) {
          try {
            return resolve({ kind: 'document', status, root: builder.close() });
          } catch (err) {
            parseError = err as Error;
          }
        }
        reject(success ? parseError : statusError());
      });
      res.on('error', (err) => reject(err));
      res.on('close', () => {
        if (!res.complete) reject(Object.assign(new Error('the connection closed before the whole answer arrived'), { code: 'ECONNRESET' }));
      });
    });
    req.end(o.body);
  });
}

/** Reads a short body to its end (so the connection can be reused), or gives the socket up. */
function drainSmall(res: IncomingMessage, done: () => void): void {
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > SMALL_BODY) res.destroy();
  });
  res.on('end', done);
  res.on('close', done);
}

/** An error page's first bytes on one line: tags dropped, device text made printable. */
const oneLine = (text: string) => printable(text.replace(/<[^>]{0,200}>/g, ' '));

/** POSTs the envelope and resolves with the parsed answer, whatever its HTTP status, once any 401 is answered. */
export async function postSoap(o: PostOptions): Promise<PostAnswer> {
  const deadline = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, deadline]) : deadline;
  const headers: Record<string, string> = { 'Content-Type': `application/soap+xml; charset=utf-8; action="${o.action}"`, 'User-Agent': 'sensegate' };
  const where = redactUrl(o.url.toString());
  try {
    let raw = await sendOnce(o, headers, signal);
    if (raw.kind === 'challenge') {
      const offered = parseChallenges(raw.challenges);
      const schemes = offered.map((c) => c.scheme).join(', ') || 'none';
      if (!o.credentials) throw new AuthRejected(`HTTP 401: the camera asks for credentials (${printable(schemes, 80)}) and no user is configured`);
      const answer = answerChallenge(offered, { secure: o.url.protocol === 'https:', basicOverHttp: o.allowBasicOverHttp });
      if (!answer.ok) {
        if (answer.reason === 'basic-over-http') {
          throw new InsecureAuthRefused(`the camera asks for HTTP Basic over plain HTTP at ${where}, which would send the password readable by anyone on the network; it was not sent`);
        }
        throw new AuthRejected(`HTTP 401: the camera offers ${printable(schemes, 80)}, none of which this client answers`);
      }
      raw = await sendOnce(o, { ...headers, Authorization: authorization(answer.challenge, o.credentials, 'POST', o.url.pathname + o.url.search) }, signal);
      if (raw.kind === 'challenge') throw new AuthRejected(`HTTP 401: the camera refused the user name or password (${answer.challenge.scheme})`);
    }
    if (raw.kind === 'redirect') {
      throw new RedirectRefused(`the camera answered with a redirect (HTTP ${raw.status}) to ${printable(redactUrl(raw.location), 200) || 'nowhere'}; redirects are not followed, so requests and credentials go only to ${where}`);
    }
    return { status: raw.status, root: raw.root };
  } catch (err) {
    if (deadline.aborted && !(err instanceof ReplyTooLarge)) throw new ReplyTimeout(`no whole answer within ${o.timeoutMs} ms (network timeout)`);
    throw err;
  }
}
