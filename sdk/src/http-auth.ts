/**
 * Client side of HTTP authentication as devices' web servers ask for it (cameras' ONVIF services
 * and snapshot URLs): Basic (RFC 7617) and Digest (RFC 7616: MD5 or SHA-256, plain or -sess, with
 * qop=auth, or without qop as RFC 2069 servers still do). Only the challenge parsing, the choice of
 * which challenge may be answered, and the Authorization header live here; sending the requests is
 * the caller's job.
 *
 * The one rule every caller shares (`answerChallenge`): Digest when the server offers it; Basic,
 * which puts the password on the wire readable by anyone on the path, only over TLS or when the
 * device's configuration explicitly allows it.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface Challenge {
  /** Lower case: `digest`, `basic`, ... */
  scheme: string;
  /** Parameter names lower case, values unquoted. */
  params: Map<string, string>;
}

/** Which schemes a client answers with: `auto` takes the strongest the server offers. */
export type AuthScheme = 'auto' | 'digest' | 'basic';

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const SPACE = /[\s,]*/y;

/**
 * The challenges of one or more `WWW-Authenticate` values. A value may hold several challenges
 * (`Digest realm="a", qop="auth", Basic realm="a"`): a token not followed by `=` starts the next.
 */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const challenges: Challenge[] = [];
  for (const text of values) {
    let at = 0;
    let current: Challenge | undefined;
    const skip = (pattern: RegExp): string => {
      pattern.lastIndex = at;
      const match = pattern.exec(text);
      if (!match) return '';
      at = pattern.lastIndex;
      return match[0];
    };
    while (at < text.length) {
      skip(SPACE);
      const token = skip(TOKEN);
      if (!token) break; // not a header we understand past this point
      skip(/[ \t]*/y);
      if (text[at] === '=' && current) {
        at += 1;
        skip(/[ \t]*/y);
        let value: string;
        if (text[at] === '"') {
          const quoted = /"((?:[^"\\]|\\.)*)"/y;
          quoted.lastIndex = at;
          const match = quoted.exec(text);
          if (!match) break;
          at = quoted.lastIndex;
          value = match[1]!.replace(/\\(.)/g, '$1');
        } else {
          value = skip(/[^,\s]*/y);
        }
        current.params.set(token.toLowerCase(), value);
      } else if (text[at] === '=') {
        break; // a parameter before any scheme: malformed
      } else {
        current = { scheme: token.toLowerCase(), params: new Map() };
        challenges.push(current);
      }
    }
  }
  return challenges;
}

const HASHES: Record<string, string> = { 'md5': 'md5', 'md5-sess': 'md5', 'sha-256': 'sha256', 'sha-256-sess': 'sha256' };

function digestUsable(challenge: Challenge): boolean {
  if (challenge.scheme !== 'digest' || !challenge.params.has('nonce')) return false;
  const algorithm = (challenge.params.get('algorithm') ?? 'MD5').toLowerCase();
  const qop = challenge.params.get('qop');
  return algorithm in HASHES && (qop === undefined || qopList(qop).includes('auth'));
}

const qopList = (qop: string): string[] => qop.split(',').map((q) => q.trim().toLowerCase());
const strength = (c: Challenge): number => (c.params.get('algorithm') ?? 'MD5').toLowerCase().startsWith('sha-256') ? 2 : 1;

/** The challenge to answer, or undefined when none is one this client can answer under `scheme`. */
export function pickChallenge(challenges: readonly Challenge[], scheme: AuthScheme = 'auto'): Challenge | undefined {
  const digests = challenges.filter(digestUsable).sort((a, b) => strength(b) - strength(a));
  const basic = challenges.find((c) => c.scheme === 'basic');
  if (scheme === 'basic') return basic;
  if (scheme === 'digest') return digests[0];
  return digests[0] ?? basic;
}

/** What a caller allows when answering a 401. */
export interface ChallengePolicy {
  /** Which schemes to answer (default `auto`); an explicit `basic` counts as allowing Basic. */
  scheme?: AuthScheme;
  /** The exchange runs over TLS (https), so a Basic answer is not readable on the path. */
  secure: boolean;
  /** The device's configuration allows Basic over plain HTTP. */
  basicOverHttp?: boolean;
}

export type ChallengeAnswer =
  | { ok: true; challenge: Challenge }
  /** `basic-over-http`: only Basic is offered and the policy forbids it here; `unsupported`: nothing answerable. */
  | { ok: false; reason: 'basic-over-http' | 'unsupported' };

/** The challenge to answer under `policy`: Digest first; Basic only over TLS or when allowed. */
export function answerChallenge(challenges: readonly Challenge[], policy: ChallengePolicy): ChallengeAnswer {
  const scheme = policy.scheme ?? 'auto';
  const challenge = pickChallenge(challenges, scheme);
  if (!challenge) return { ok: false, reason: 'unsupported' };
  if (challenge.scheme === 'basic' && !policy.secure && !policy.basicOverHttp && scheme !== 'basic') return { ok: false, reason: 'basic-over-http' };
  return { ok: true, challenge };
}

const quote = (value: string): string => `"${value.replace(/(["\\])/g, '\\$1')}"`;

/**
 * The `Authorization` value answering a challenge for one request. `uri` is the request target
 * exactly as sent (path and query). Each call uses a fresh client nonce and nonce count 1, since
 * every snapshot answers a fresh challenge.
 */
export function authorization(challenge: Challenge, credentials: Credentials, method: string, uri: string): string {
  if (challenge.scheme === 'basic') {
    return `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
  }
  const params = challenge.params;
  const algorithm = params.get('algorithm') ?? 'MD5';
  const hashName = HASHES[algorithm.toLowerCase()];
  if (params.get('nonce') === undefined || hashName === undefined) throw new Error(`cannot answer a ${challenge.scheme} challenge with algorithm ${algorithm}`);
  const hash = (text: string): string => createHash(hashName).update(text, 'utf8').digest('hex');
  const realm = params.get('realm') ?? '';
  const nonce = params.get('nonce')!;
  const cnonce = randomBytes(12).toString('hex');
  const nc = '00000001';
  let ha1 = hash(`${credentials.user}:${realm}:${credentials.password}`);
  if (algorithm.toLowerCase().endsWith('-sess')) ha1 = hash(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = hash(`${method}:${uri}`);
  const qop = params.has('qop') ? 'auth' : undefined;
  const response = qop ? hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : hash(`${ha1}:${nonce}:${ha2}`);
  const fields = [
    `username=${quote(credentials.user)}`,
    `realm=${quote(realm)}`,
    `nonce=${quote(nonce)}`,
    `uri=${quote(uri)}`,
    `algorithm=${algorithm}`,
    `response=${quote(response)}`,
  ];
  if (qop) fields.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  const opaque = params.get('opaque');
  if (opaque !== undefined) fields.push(`opaque=${quote(opaque)}`);
  return `Digest ${fields.join(', ')}`;
}
