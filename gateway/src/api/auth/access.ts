/**
 * Who is asking: the one check every HTTP API and console request passes before its route runs.
 * A request is a principal (a user with a role, and how it proved it: `loopback`, `session` or
 * `token`) or a refusal with its HTTP status and stable code. The server wires it in through
 * fastify.ts; nothing else in the API looks at credentials.
 *
 * The rule:
 * - A bearer token (`Authorization: Bearer sgt_...`) or a session cookie is checked whenever one
 *   is sent, from any address; a wrong one is refused, never passed over for loopback access.
 * - Without credentials, a request from the gateway itself (a loopback address, asked by a
 *   loopback Host, and for a change not sent from another origin) is the principal `local` with
 *   the admin role while `api.auth` is `auto` (the default); with `api.auth: required`, and from
 *   every other address, it is refused.
 * - A cookie session must send its CSRF token (`x-csrf-token`) with every method but GET, HEAD
 *   and OPTIONS; bearer tokens need none (a browser never adds them by itself).
 * - An API listening beyond loopback must be served over TLS and have at least one user, and so
 *   must one with `api.auth: required`; `open` refuses to start otherwise.
 *
 * Users are read from users.json at start and again whenever the file changes (checked at most
 * once a second, on requests), so `sensegate users` acts on a running gateway: a removed user's
 * sessions and tokens stop at once. Every change it sees, and every login and logout, goes to
 * `audit` (the feed) naming the user; a users file that no longer parses keeps the users loaded
 * before, and the log says why. Failed logins, and tokens with a known id but a wrong secret (each
 * cost a slow hash), slow their address down; every refusal is logged, limited, without what was
 * typed.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { AuthBackoff, LogLimiter, SensegateError, isLoopback, peerKey, plainAddress, type DeviceEvent, type ErrorCode, type Logger } from '@sensegate/sdk';
import { parseCookie, stringifySetCookie } from 'cookie';
import { allows, type Role } from './roles.js';
import type { ApiAccessConfig } from './schema.js';
import { HashesBusy, spendCheckTime, verifySecret } from './secret-hash.js';
import { Sessions, csrfMatches } from './sessions.js';
import { readUsers, tokenId, usersPath, type Users } from './users-file.js';

export interface Principal {
  user: string;
  role: Role;
  via: 'loopback' | 'session' | 'token';
}

/** Why a request is not let in: the HTTP status, the code and message for the body, and for 429 when to try again. */
export interface Refusal {
  status: 401 | 403 | 429;
  code: ErrorCode;
  message: string;
  /** Seconds, for `Retry-After`. */
  retryAfter?: number;
  /** A `Set-Cookie` value that clears an ended session's cookie, so the browser stops sending it. */
  clearCookie?: string;
}

/** What `authenticate` looks at of a request. */
export interface AccessRequest {
  headers: Record<string, string | string[] | undefined>;
  remoteAddress: string | undefined;
  method: string;
}

export interface LoggedIn {
  principal: Principal;
  /** The session id, also in `cookie`. */
  session: string;
  /** The token the page sends in `x-csrf-token`. */
  csrf: string;
  /** The `Set-Cookie` header value. */
  cookie: string;
}

export interface AccessOptions {
  /** The gateway's data folder, which holds users.json. */
  dataDir: string;
  log: Logger;
  /** Where login, logout and user changes go: the server hands them to the pipeline, and so to the feed. */
  audit: (event: DeviceEvent) => void;
  /** The `api:` block: `host` and the access fields (schema.ts). */
  config: ApiAccessConfig;
  /** The API is served over TLS: cookies are `Secure`. Required beyond loopback. */
  secure: boolean;
  /** Which peer addresses are the gateway itself (default: loopback addresses). */
  isLocal?: (address: string) => boolean;
  now?: () => number;
}

/** The principal of a request from the gateway itself without credentials, under `api.auth: auto`. */
export const LOCAL_PRINCIPAL: Principal = Object.freeze({ user: 'local', role: 'admin', via: 'loopback' });
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** How often, at most, a request makes the gateway look at users.json for changes. */
const USERS_CHECK_INTERVAL = 1000;
/** Tokens checked recently, by hash, so a client's every request does not cost a slow hash. */
const MAX_CACHED_TOKENS = 1024;
const LOG_LIMIT = { lines: 20, interval: 60_000 };

type LineKind = 'login' | 'token';

export function isRefusal<T extends object>(result: T | Refusal): result is Refusal {
  return 'status' in result && 'code' in result;
}

export class Access {
  private users: Users;
  private usersStamp: string;
  private lastCheck = 0;
  private checking: Promise<void> | undefined;
  private readonly sessions: Sessions;
  private readonly backoff: AuthBackoff;
  private readonly lines: LogLimiter<LineKind>;
  private readonly tokens = new Map<string, { user: string; id: string }>();
  private readonly now: () => number;
  private readonly isLocal: (address: string) => boolean;
  /** The cookie's name: `__Host-` over TLS, so no other site on the host, nor plain HTTP, can set it. */
  readonly cookieName: string;

  private constructor(
    private readonly options: AccessOptions,
    users: Users,
    stamp: string,
  ) {
    this.users = users;
    this.usersStamp = stamp;
    this.now = options.now ?? Date.now;
    this.isLocal = options.isLocal ?? isLoopback;
    this.sessions = new Sessions(options.config.session, this.now);
    this.backoff = new AuthBackoff(options.config.loginBackoff, this.now);
    this.cookieName = options.secure ? '__Host-sensegate-session' : 'sensegate-session';
    this.lines = new LogLimiter<LineKind>(options.log, LOG_LIMIT, () => 'the HTTP API', undefined, {
      kinds: { login: 'failed logins', token: 'refused API tokens' },
      countedIn: 'the log lines written',
    });
  }

  /** Reads the users and checks that the API may listen where it is configured to. */
  static async open(options: AccessOptions): Promise<Access> {
    const { dataDir, config, secure } = options;
    const file = usersPath(dataDir);
    const [users, stamp] = await Promise.all([readUsers(dataDir), stampOf(file)]);
    const count = Object.keys(users.users).length;
    const addUser = `add one with \`sensegate users add NAME --role admin --data ${dataDir}\``;
    if (!isLoopback(config.host)) {
      if (!secure) throw new SensegateError('SG_CONFIG_INVALID', `api.host is ${config.host}, beyond loopback: the API must be served over TLS there (set api.tls, or let the gateway generate a certificate)`);
      if (count === 0) throw new SensegateError('SG_CONFIG_INVALID', `api.host is ${config.host}, beyond loopback, and ${file} has no users, so nobody could log in: ${addUser}, or set api.host to 127.0.0.1`);
    }
    if (config.auth === 'required' && count === 0) {
      throw new SensegateError('SG_CONFIG_INVALID', `api.auth is required and ${file} has no users, so nobody could log in: ${addUser}, or set api.auth to auto`);
    }
    options.log.info({ users: count, auth: config.auth }, `HTTP API access: ${count} user${count === 1 ? '' : 's'} in ${file}; ${config.auth === 'auto' ? 'loopback requests without credentials are the local admin' : 'every request must log in'}`);
    return new Access(options, users, stamp);
  }

  /** Who sent `request`, or why it is refused (credentials only; `authorize` checks the role). */
  async authenticate(request: AccessRequest): Promise<Principal | Refusal> {
    await this.refreshUsers();
    const address = plainAddress(request.remoteAddress);
    const bearer = bearerOf(request.headers.authorization);
    if (bearer !== undefined) return this.byToken(bearer, address);
    const sessionId = this.sessionIdOf(request.headers.cookie);
    if (sessionId !== undefined) {
      const found = this.sessions.use(sessionId);
      if ('ended' in found) {
        return {
          ...unauthorized(found.ended === 'expired' ? 'the console session expired: log in again' : 'the console session has ended (logged out, or the gateway restarted): log in again'),
          clearCookie: this.clearedCookie(),
        };
      }
      const { session } = found;
      if (!SAFE_METHODS.has(request.method.toUpperCase()) && !csrfMatches(session, headerOf(request.headers[CSRF_HEADER]))) {
        return {
          status: 403,
          code: 'SG_API_CSRF',
          message: `a ${request.method.toUpperCase()} from a console session must carry the session's CSRF token in the ${CSRF_HEADER} header (the login answer and GET /api/v1/me give it)`,
        };
      }
      return { user: session.user, role: session.role, via: 'session' };
    }
    if (this.options.config.auth === 'auto' && request.remoteAddress !== undefined && this.isLocal(address)) return this.local(request);
    return unauthorized(
      this.options.config.auth === 'required'
        ? 'log in first (POST /api/v1/login) or send Authorization: Bearer <token>: api.auth is required'
        : 'log in first (POST /api/v1/login) or send Authorization: Bearer <token> (sensegate users token NAME)',
    );
  }

  /**
   * The local admin, for a credential-less request from the gateway itself, unless a web page put
   * it up to it: a browser on the gateway's machine would send any site's requests to loopback
   * without a login. The Host must name loopback (a DNS-rebinding site names its own domain), and
   * a change must not come from another origin (browsers send Origin, and Sec-Fetch-Site).
   */
  private local(request: AccessRequest): Principal | Refusal {
    const host = hostOf(headerOf(request.headers.host));
    if (host === undefined || !isLoopback(host)) {
      return unauthorized(`without a login, the gateway itself must be asked as localhost, 127.0.0.1 or [::1], not "${headerOf(request.headers.host) ?? ''}": log in, or use a loopback address`);
    }
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const origin = headerOf(request.headers.origin);
      const site = headerOf(request.headers['sec-fetch-site']);
      const originHost = origin === undefined ? undefined : hostOfOrigin(origin);
      if ((origin !== undefined && (originHost === undefined || !isLoopback(originHost))) || site === 'cross-site' || site === 'same-site') {
        return {
          status: 403,
          code: 'SG_API_CSRF',
          message: `a ${request.method.toUpperCase()} sent by a page of ${origin ?? 'another site'} is refused: only the gateway's own console and local tools may change things without a login`,
        };
      }
    }
    return LOCAL_PRINCIPAL;
  }

  /** Why `principal` may not do what needs `needed`, or undefined when it may. */
  authorize(principal: Principal, needed: Role, what: string): Refusal | undefined {
    if (allows(principal.role, needed)) return undefined;
    return { status: 403, code: 'SG_API_FORBIDDEN', message: `${what} needs the ${needed} role; user ${principal.user} is ${principal.role}` };
  }

  /**
   * Checks a user's password and opens a console session, or says why not. The session the
   * browser held before (its `Cookie` header), if any, ends: one browser, one session.
   */
  async login(name: string, password: string, remoteAddress: string | undefined, cookieHeader?: string | string[]): Promise<LoggedIn | Refusal> {
    await this.refreshUsers();
    const address = plainAddress(remoteAddress);
    const throttled = this.throttled(address);
    if (throttled) return throttled;
    const user = Object.hasOwn(this.users.users, name) ? this.users.users[name] : undefined;
    let good = false;
    try {
      if (user?.password) good = await verifySecret(password, user.password);
      else await spendCheckTime(password);
    } catch (err) {
      if (err instanceof HashesBusy) return busy();
      throw err;
    }
    if (!good || !user) {
      const delay = this.backoff.failed(peerKey(address));
      this.lines.write({
        kind: 'login',
        peer: address,
        fields: { user: name, from: address, refusedFor: delay },
        message: `failed console login for user "${name}" from ${address}${user ? '' : ' (no such user)'}; logins from there are refused for ${seconds(delay)} s`,
      });
      return unauthorized('wrong user name or password');
    }
    this.backoff.succeeded(peerKey(address));
    const previous = this.sessionIdOf(cookieHeader);
    if (previous !== undefined) this.sessions.close(previous);
    const { id, session } = this.sessions.open(name, user.role, address);
    this.record('api.login', name, `user ${name} (${user.role}) logged in to the console from ${address}`, { role: user.role, from: address });
    return {
      principal: { user: name, role: user.role, via: 'session' },
      session: id,
      csrf: session.csrf,
      cookie: stringifySetCookie(this.cookieName, id, { httpOnly: true, sameSite: 'strict', secure: this.options.secure, path: '/' }),
    };
  }

  /** Ends the console session `request` carries, if any; returns the `Set-Cookie` value that clears the cookie. */
  logout(request: AccessRequest): string {
    const id = this.sessionIdOf(request.headers.cookie);
    const session = id !== undefined ? this.sessions.close(id) : undefined;
    if (session) this.record('api.logout', session.user, `user ${session.user} logged out of the console from ${plainAddress(request.remoteAddress)}`, { from: plainAddress(request.remoteAddress) });
    return this.clearedCookie();
  }

  private clearedCookie(): string {
    return stringifySetCookie(this.cookieName, '', { httpOnly: true, sameSite: 'strict', secure: this.options.secure, path: '/', maxAge: 0 });
  }

  /** The CSRF token of the session `request` carries (for `GET /api/v1/me`, so a reloaded page gets it again). */
  csrfOf(request: AccessRequest): string | undefined {
    const id = this.sessionIdOf(request.headers.cookie);
    const found = id !== undefined ? this.sessions.use(id) : undefined;
    return found && 'session' in found ? found.session.csrf : undefined;
  }

  /** Re-reads users.json now if it changed (requests do it by themselves at most once a second). */
  async reload(): Promise<void> {
    this.lastCheck = 0;
    await this.refreshUsers();
  }

  /** Writes the last summary of left-out log lines. */
  close(): void {
    this.lines.close();
  }

  private async byToken(token: string, address: string): Promise<Principal | Refusal> {
    const digest = createHash('sha256').update(token).digest('base64url');
    const cached = this.tokens.get(digest);
    if (cached) {
      const user = Object.hasOwn(this.users.users, cached.user) ? this.users.users[cached.user] : undefined;
      if (user && user.tokens.some((t) => t.id === cached.id)) return { user: cached.user, role: user.role, via: 'token' };
      this.tokens.delete(digest);
    }
    const id = tokenId(token);
    const owner = id === undefined ? undefined : Object.entries(this.users.users).find(([, u]) => u.tokens.some((t) => t.id === id));
    const record = owner?.[1].tokens.find((t) => t.id === id);
    if (!owner || !record) {
      // Costs no hash, so no back-off: a revoked token left in a script must not lock out its neighbours' good ones.
      this.lines.write({
        kind: 'token',
        peer: address,
        fields: { from: address, token: id ?? 'malformed' },
        message: `refused an API token from ${address} (${id ? `id ${id}: unknown or revoked` : 'not a sensegate token'})`,
      });
      return unauthorized('the API token is unknown or revoked: create one with `sensegate users token NAME`');
    }
    const throttled = this.throttled(address);
    if (throttled) return throttled;
    let good: boolean;
    try {
      good = await verifySecret(token, record.hash);
    } catch (err) {
      if (err instanceof HashesBusy) return busy();
      throw err;
    }
    if (good) {
      if (this.tokens.size >= MAX_CACHED_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
      this.tokens.set(digest, { user: owner[0], id: record.id });
      this.backoff.succeeded(peerKey(address));
      return { user: owner[0], role: owner[1].role, via: 'token' };
    }
    const delay = this.backoff.failed(peerKey(address));
    this.lines.write({
      kind: 'token',
      peer: address,
      fields: { from: address, token: id, user: owner[0], refusedFor: delay },
      message: `refused an API token from ${address}: id ${id} (user ${owner[0]}) with a wrong secret; tokens and logins from there are refused for ${seconds(delay)} s`,
    });
    return unauthorized('the API token is unknown or revoked: create one with `sensegate users token NAME`');
  }

  private throttled(address: string): Refusal | undefined {
    const remaining = this.backoff.remaining(peerKey(address));
    if (remaining <= 0) return undefined;
    return {
      status: 429,
      code: 'SG_API_LOGIN_THROTTLED',
      message: `too many wrong passwords or tokens from ${address}: try again in ${seconds(remaining)} s`,
      retryAfter: seconds(remaining),
    };
  }

  private sessionIdOf(cookieHeader: string | string[] | undefined): string | undefined {
    const header = headerOf(cookieHeader);
    if (!header) return undefined;
    const value = parseCookie(header)[this.cookieName];
    return value ? value : undefined;
  }

  private refreshUsers(): Promise<void> {
    if (this.checking) return this.checking;
    if (this.now() - this.lastCheck < USERS_CHECK_INTERVAL) return Promise.resolve();
    this.lastCheck = this.now();
    this.checking = this.checkUsers().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkUsers(): Promise<void> {
    const file = usersPath(this.options.dataDir);
    const stamp = await stampOf(file);
    if (stamp === this.usersStamp) return;
    let next: Users;
    try {
      next = await readUsers(this.options.dataDir);
    } catch (err) {
      this.usersStamp = stamp; // said once per change of the file
      this.options.log.error({ file, code: (err as SensegateError).code }, `${(err as Error).message}; the users read before stay in force`);
      return;
    }
    this.usersStamp = stamp;
    const before = this.users.users;
    this.users = next;
    this.tokens.clear();
    this.changes(before, next.users);
  }

  /** Audits what changed between two user lists, and applies removals and role changes to open sessions. */
  private changes(before: Users['users'], after: Users['users']): void {
    const from = usersPath(this.options.dataDir);
    for (const [name, old] of Object.entries(before)) {
      const now = Object.hasOwn(after, name) ? after[name] : undefined;
      if (!now) {
        this.sessions.update(name, undefined);
        this.record('user.removed', name, `user ${name} (${old.role}) removed: their sessions and API tokens end`, { role: old.role, file: from });
        continue;
      }
      if (now.role !== old.role) {
        this.sessions.update(name, now.role);
        this.record('user.role', name, `user ${name} is now ${now.role} (was ${old.role})`, { role: now.role, was: old.role, file: from });
      }
      if (now.password !== old.password) {
        this.sessions.update(name, undefined);
        this.record('user.password', name, `user ${name}'s password changed: their console sessions end`, { file: from });
      }
      const oldIds = new Set(old.tokens.map((t) => t.id));
      const newIds = new Set(now.tokens.map((t) => t.id));
      for (const t of now.tokens) if (!oldIds.has(t.id)) this.record('user.token', name, `API token ${t.id} created for user ${name}`, { token: t.id, ...(t.label ? { label: t.label } : {}), file: from });
      for (const t of old.tokens) if (!newIds.has(t.id)) this.record('user.token.revoked', name, `API token ${t.id} of user ${name} revoked`, { token: t.id, file: from });
    }
    for (const [name, user] of Object.entries(after)) {
      if (!Object.hasOwn(before, name)) this.record('user.added', name, `user ${name} added with the ${user.role} role`, { role: user.role, tokens: user.tokens.length, file: from });
    }
  }

  private record(type: string, user: string, message: string, data: Record<string, unknown>): void {
    this.options.log.info({ user, event: type }, message);
    this.options.audit({ type, ts: Date.now(), severity: 'info', message, data: { user, ...data } });
  }
}

/** Too many password and token checks at once, from everywhere: try again in a second. */
function busy(): Refusal {
  return { status: 429, code: 'SG_API_LOGIN_THROTTLED', message: 'too many logins and token checks at once: try again in 1 s', retryAfter: 1 };
}

function unauthorized(message: string): Refusal {
  return { status: 401, code: 'SG_API_UNAUTHORIZED', message };
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The host name of a Host header (`127.0.0.1:8080`, `[::1]:8080`, `localhost`), without the port. */
function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(header) ?? /^([^:]+)(?::\d+)?$/.exec(header);
  return m?.[1];
}

function hostOfOrigin(origin: string): string | undefined {
  try {
    return new URL(origin).hostname;
  } catch {
    return undefined;
  }
}

function bearerOf(value: string | string[] | undefined): string | undefined {
  const header = headerOf(value);
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : '';
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** What tells a changed users file: its inode, size and modification time (absent: empty). */
async function stampOf(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
