/**
 * Console sessions: log in, log out, and who am I. The checks themselves are api/auth's; here they
 * are routes like the others, in the OpenAPI document and validated by the same schemas.
 *
 * - `POST /api/v1/login` `{ user, password }` opens a session: the answer sets the HttpOnly cookie
 *   and gives `{ user, role, csrf }`; the page sends `csrf` in `x-csrf-token` with every change.
 * - `POST /api/v1/logout` ends it (a session's logout needs its CSRF token, as any POST does).
 * - `GET /api/v1/me` says who the request is, and the CSRF token again for a reloaded page.
 */
import { z } from 'zod';
import { CSRF_HEADER, isRefusal, type Access } from '../auth/access.js';
import { accessRequest } from '../auth/fastify.js';
import { ROLES } from '../auth/roles.js';
import { ApiError, route, type Route } from '../route.js';

const roleSchema = z.enum(ROLES);

export function sessionRoutes(access: Access): Route[] {
  return [
    route({
      method: 'POST',
      path: '/api/v1/login',
      tag: 'session',
      access: 'open',
      summary: 'Open a console session: sets the session cookie and answers the CSRF token for changes.',
      description: 'Wrong passwords slow their address down (429 with `Retry-After`); a new login ends the browser\'s previous session.',
      body: z.object({ user: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict(),
      answer: z.object({ user: z.string(), role: roleSchema, csrf: z.string().describe('Send it in `x-csrf-token` with every request other than GET and HEAD.') }),
      errors: { 401: 'wrong user name or password', 429: 'too many failed logins from this address: wait `Retry-After` seconds' },
      handler: async ({ body, request, reply }) => {
        const result = await access.login(body.user, body.password, request.socket.remoteAddress, request.headers.cookie);
        if (isRefusal(result)) {
          if (result.retryAfter !== undefined) reply.header('retry-after', String(result.retryAfter));
          throw new ApiError(result.status, result.code, result.message);
        }
        reply.header('set-cookie', result.cookie).header('cache-control', 'no-store');
        return { user: result.principal.user, role: result.principal.role, csrf: result.csrf };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/logout',
      tag: 'session',
      access: 'viewer',
      summary: 'End the console session (its cookie is cleared).',
      answer: z.object({ ok: z.boolean() }),
      handler: ({ request, reply }) => {
        reply.header('set-cookie', access.logout(accessRequest(request))).header('cache-control', 'no-store');
        return { ok: true };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/me',
      tag: 'session',
      access: 'viewer',
      summary: 'Who this request is (user, role, how it was let in), and a session\'s CSRF token again.',
      answer: z.object({
        user: z.string(),
        role: roleSchema,
        via: z.enum(['loopback', 'session', 'token']),
        csrf: z.string().optional(),
        csrfHeader: z.string().optional(),
      }),
      handler: ({ request, reply }) => {
        const { user, role, via } = request.principal!;
        const csrf = via === 'session' ? access.csrfOf(accessRequest(request)) : undefined;
        reply.header('cache-control', 'no-store');
        return { user, role, via, ...(csrf ? { csrf, csrfHeader: CSRF_HEADER } : {}) };
      },
    }),
  ];
}
