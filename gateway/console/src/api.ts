/**
 * The console's only way to the gateway: JSON over fetch to /api/v1, same origin, with the session
 * cookie. A change (any method but GET) carries the CSRF token the login or `GET /api/v1/me` gave.
 *
 * Invariants: a 401 sends the page to #/login (remembering where it was); every other failure is
 * thrown as an `ApiFailure` whose message is the gateway's own words (`error.message`, then what to
 * do, `error.action`), never a bare status code.
 */

export type Role = 'viewer' | 'operator' | 'admin';

export interface Me {
  user: string;
  role: Role;
  via: 'loopback' | 'session' | 'token';
  csrf?: string;
}

export interface Problem {
  path: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly action?: string,
    readonly problems?: Problem[],
  ) {
    super(message);
  }

  /** The message and what to do, as one sentence for the page. */
  get words(): string {
    return this.action && !this.message.includes(this.action) ? `${this.message}. ${this.action}` : this.message;
  }
}

let csrf: string | undefined;
let me: Me | undefined;
const listeners = new Set<(me: Me | undefined) => void>();

/** Who is signed in, as last learned; pages re-render when it changes. */
export function currentUser(): Me | undefined {
  return me;
}

export function onUserChange(listener: (me: Me | undefined) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setUser(next: Me | undefined): void {
  me = next;
  csrf = next?.csrf;
  for (const l of listeners) l(me);
}

export function roleAtLeast(role: Role | undefined, needed: Role): boolean {
  const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
  return role !== undefined && rank[role] >= rank[needed];
}

/** Sends one request; resolves with the parsed answer, or throws an `ApiFailure`. */
export async function api<T>(path: string, options: { method?: string; body?: unknown; quiet401?: boolean } = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (err) {
    throw new ApiFailure(0, 'NETWORK', `the gateway did not answer ${method} ${path} (${(err as Error).message}); check that it is running and reachable`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body as T;
  const error = (body as { error?: { code?: string; message?: string; action?: string; problems?: Problem[] } } | undefined)?.error;
  const failure = new ApiFailure(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? `${method} ${path} answered ${res.status} ${res.statusText}`, error?.action, error?.problems);
  if (res.status === 401 && !options.quiet401) {
    setUser(undefined);
    goToLogin();
  }
  throw failure;
}

/** A command's acknowledgement arrives with 200, 422 or 503 and the same body; this reads any of them. */
export async function sendCommand<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  const answer = (await res.json().catch(() => undefined)) as (T & { error?: { code?: string; message?: string; action?: string } }) | undefined;
  if (res.status === 401) {
    setUser(undefined);
    goToLogin();
  }
  if (answer && (res.ok || res.status === 422 || res.status === 503) && (answer as { type?: string }).type === 'ack') return answer;
  const error = answer?.error;
  throw new ApiFailure(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? `POST ${path} answered ${res.status}`, error?.action);
}

/** Asks the gateway who this page is; undefined when nobody is signed in. */
export async function loadUser(): Promise<Me | undefined> {
  try {
    setUser(await api<Me>('/api/v1/me', { quiet401: true }));
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) setUser(undefined);
    else throw err;
  }
  return me;
}

export async function login(user: string, password: string): Promise<Me> {
  const answer = await api<{ user: string; role: Role; csrf: string }>('/api/v1/login', { method: 'POST', body: { user, password }, quiet401: true });
  setUser({ ...answer, via: 'session' });
  return me!;
}

export async function logout(): Promise<void> {
  try {
    await api('/api/v1/logout', { method: 'POST', quiet401: true });
  } finally {
    setUser(undefined);
    await loadUser().catch(() => undefined); // on the gateway's own machine, loopback access remains
  }
}

function goToLogin(): void {
  if (location.hash.startsWith('#/login')) return;
  const back = location.hash.replace(/^#/, '') || '/';
  location.hash = `#/login?next=${encodeURIComponent(back)}`;
}
