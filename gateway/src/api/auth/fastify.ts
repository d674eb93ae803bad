/**
 * Access control for the fastify server: one onRequest hook and the three session routes.
 *
 * - `POST /api/v1/login` `{ user, password }` opens a console session: the answer sets the
 *   HttpOnly cookie and gives `{ user, role, csrf }`; the page sends `csrf` in `x-csrf-token`.
 * - `POST /api/v1/logout` ends it (a session's logout needs its CSRF token, as any POST does).
 * - `GET /api/v1/me` says who the request is, and the CSRF token again for a reloaded page.
 *
 * Every other route needs the role its `config.role` names (`viewer` when it names none);
 * `config.role: 'open'`, `/healthz`, `/readyz` and login need nobody. A refused request never
 * reaches its route: 401 (no, unknown or expired credentials), 403 (role, CSRF), 429 (login
 * slowed down, with `Retry-After`), each with `{ error: { code, message, action } }`. The peer
 * is the socket's address: forwarding headers are never believed.
 *
 * Use `installAccess(app, access)` on the root instance before the routes, or
 * `app.register(accessPlugin, { access })`, which applies to the whole server too.
 */
import { ERROR_CATALOG } from '@sensegate/sdk';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest, RawServerBase } from 'fastify';
import { CSRF_HEADER, isRefusal, type Access, type Principal, type Refusal } from './access.js';
import type { Role } from './roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request; set for every route that is not open. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The least role the route needs (default `viewer`), or `open` for no check at all. */
    role?: Role | 'open';
  }
}

/** Paths answered without credentials whatever their route config says. */
export const OPEN_PATHS: readonly string[] = ['/healthz', '/readyz', '/api/v1/login'];
/** Largest login body read: a user name and a password. */
const LOGIN_BODY_BYTES = 4096;

export function installAccess<S extends RawServerBase>(app: FastifyInstance<S>, access: Access): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions;
    const needed = route.config?.role ?? 'viewer';
    if (needed === 'open' || (route.url !== undefined && OPEN_PATHS.includes(route.url))) return;
    const result = await access.authenticate(accessRequest(request));
    if (isRefusal(result)) return refuse(reply, result);
    const refusal = access.authorize(result, needed, `${request.method} ${route.url ?? request.url}`);
    if (refusal) return refuse(reply, refusal);
    request.principal = result;
  });

  app.post<{ Body: { user: string; password: string } }>(
    '/api/v1/login',
    {
      bodyLimit: LOGIN_BODY_BYTES,
      config: { role: 'open' },
      schema: {
        body: {
          type: 'object',
          required: ['user', 'password'],
          additionalProperties: false,
          properties: { user: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
      },
    },
    async (request, reply) => {
      const result = await access.login(request.body.user, request.body.password, request.socket.remoteAddress, request.headers.cookie);
      if (isRefusal(result)) return refuse(reply, result);
      reply.header('set-cookie', result.cookie).header('cache-control', 'no-store');
      return { user: result.principal.user, role: result.principal.role, csrf: result.csrf };
    },
  );

  app.post('/api/v1/logout', { config: { role: 'viewer' } }, async (request, reply) => {
    reply.header('set-cookie', access.logout(accessRequest(request))).header('cache-control', 'no-store');
    return { ok: true };
  });

  app.get('/api/v1/me', { config: { role: 'viewer' } }, async (request, reply) => {
    const { user, role, via } = request.principal!;
    const csrf = via === 'session' ? access.csrfOf(accessRequest(request)) : undefined;
    reply.header('cache-control', 'no-store');
    return { user, role, via, ...(csrf ? { csrf, csrfHeader: CSRF_HEADER } : {}) };
  });
}

/** `installAccess` as a fastify plugin that is not encapsulated: its hook guards every route of the server. */
export const accessPlugin: FastifyPluginAsync<{ access: Access }> = async (app, options) => installAccess(app, options.access);
(accessPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

function accessRequest(request: Pick<FastifyRequest, 'headers' | 'method'> & { socket: { remoteAddress?: string | undefined } }) {
  return { headers: request.headers, remoteAddress: request.socket.remoteAddress, method: request.method };
}

/** What `refuse` needs of a reply, whichever server (HTTP, HTTPS, HTTP/2) fastify runs on. */
interface Answerable {
  header(name: string, value: string): unknown;
  code(status: number): { header(name: string, value: string): { send(payload: unknown): unknown } };
}

function refuse(reply: Answerable, refusal: Refusal): unknown {
  if (refusal.status === 401) reply.header('www-authenticate', 'Bearer realm="sensegate"');
  if (refusal.retryAfter !== undefined) reply.header('retry-after', String(refusal.retryAfter));
  if (refusal.clearCookie !== undefined) reply.header('set-cookie', refusal.clearCookie);
  return reply
    .code(refusal.status)
    .header('cache-control', 'no-store')
    .send({ error: { code: refusal.code, message: refusal.message, action: ERROR_CATALOG[refusal.code].action } });
}
