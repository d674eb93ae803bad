/**
 * Access control for the fastify server: one onRequest hook. The session routes (login, logout,
 * me) are declared with the other routes, in ../routes/session.ts.
 *
 * Every route needs the role its `config.role` names (`viewer` when it names none);
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
}

/** `installAccess` as a fastify plugin that is not encapsulated: its hook guards every route of the server. */
export const accessPlugin: FastifyPluginAsync<{ access: Access }> = async (app, options) => installAccess(app, options.access);
(accessPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export function accessRequest(request: Pick<FastifyRequest, 'headers' | 'method'> & { socket: { remoteAddress?: string | undefined } }) {
  return { headers: request.headers, remoteAddress: request.socket.remoteAddress, method: request.method };
}

/** What `refuse` needs of a reply, whichever server (HTTP, HTTPS, HTTP/2) fastify runs on. */
interface Answerable {
  header(name: string, value: string): unknown;
  code(status: number): { header(name: string, value: string): { send(payload: unknown): unknown } };
}

export function refuse(reply: Answerable, refusal: Refusal): unknown {
  if (refusal.status === 401) reply.header('www-authenticate', 'Bearer realm="sensegate"');
  if (refusal.retryAfter !== undefined) reply.header('retry-after', String(refusal.retryAfter));
  if (refusal.clearCookie !== undefined) reply.header('set-cookie', refusal.clearCookie);
  return reply
    .code(refusal.status)
    .header('cache-control', 'no-store')
    .send({ error: { code: refusal.code, message: refusal.message, action: ERROR_CATALOG[refusal.code].action } });
}
