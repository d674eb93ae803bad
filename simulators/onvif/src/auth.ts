/**
 * HTTP-style authentication for RTSP and the snapshot server: Digest (MD5, RFC 2617/7616, with or
 * without qop=auth) and Basic, as IP cameras offer them. Nonces are stateless (random bytes and
 * their HMAC under a per-process key), so they never need to be remembered or expired; a nonce
 * this process did not issue is refused.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Account {
  user: string;
  password: string;
}

export interface AuthenticatorOptions {
  realm: string;
  /** Offer `qop="auth"` in the Digest challenge (HTTP clients expect it; RTSP cameras usually leave it out). */
  qop: boolean;
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function same(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `key=value, key="quoted, value"` pairs of an Authorization header, keys lower case. */
export function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    params.set(match[1]!.toLowerCase(), match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? ''));
    if (pattern.lastIndex >= text.length) break;
  }
  return params;
}

export class Authenticator {
  private readonly key = randomBytes(32);

  constructor(
    private readonly accounts: Account[],
    private readonly options: AuthenticatorOptions,
  ) {}

  /** The `WWW-Authenticate` values of a 401: Digest first (clients pick the strongest), then Basic. */
  challenge(): string[] {
    const qop = this.options.qop ? ', qop="auth"' : '';
    return [`Digest realm="${this.options.realm}", nonce="${this.nonce()}", algorithm=MD5${qop}`, `Basic realm="${this.options.realm}"`];
  }

  /** The account name an Authorization header proves, or undefined. */
  check(method: string, authorization: string | undefined): string | undefined {
    if (!authorization) return undefined;
    const space = authorization.indexOf(' ');
    const scheme = authorization.slice(0, space === -1 ? undefined : space).toLowerCase();
    const rest = space === -1 ? '' : authorization.slice(space + 1).trim();
    if (scheme === 'basic') return this.basic(rest);
    if (scheme === 'digest') return this.digest(method, parseAuthParams(rest));
    return undefined;
  }

  private basic(encoded: string): string | undefined {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return undefined;
    const user = decoded.slice(0, colon);
    const account = this.accounts.find((a) => a.user === user);
    return account && same(decoded.slice(colon + 1), account.password) ? user : undefined;
  }

  private digest(method: string, params: Map<string, string>): string | undefined {
    const user = params.get('username');
    const nonce = params.get('nonce');
    const uri = params.get('uri');
    const response = params.get('response');
    const account = this.accounts.find((a) => a.user === user);
    if (!account || !nonce || uri === undefined || !response || !this.issued(nonce)) return undefined;
    if (params.get('realm') !== this.options.realm) return undefined;
    const algorithm = params.get('algorithm');
    if (algorithm !== undefined && algorithm.toUpperCase() !== 'MD5') return undefined;
    const ha1 = md5(`${account.user}:${this.options.realm}:${account.password}`);
    const ha2 = md5(`${method}:${uri}`);
    const qop = params.get('qop');
    const expected =
      qop === undefined
        ? md5(`${ha1}:${nonce}:${ha2}`)
        : qop === 'auth'
          ? md5(`${ha1}:${nonce}:${params.get('nc') ?? ''}:${params.get('cnonce') ?? ''}:auth:${ha2}`)
          : undefined;
    return expected !== undefined && same(expected, response.toLowerCase()) ? account.user : undefined;
  }

  private nonce(): string {
    const random = randomBytes(12).toString('hex');
    return random + this.sign(random);
  }

  private issued(nonce: string): boolean {
    if (!/^[0-9a-f]{56}$/.test(nonce)) return false;
    return same(nonce.slice(24), this.sign(nonce.slice(0, 24)));
  }

  private sign(random: string): string {
    return createHmac('sha256', this.key).update(random).digest('hex').slice(0, 32);
  }
}
