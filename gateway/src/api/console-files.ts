/**
 * The browser console's files, served by the API server: `GET /` answers index.html and
 * `GET /console/<file>` the bundle that `scripts/build-console.mjs` writes into `dist/console/`.
 *
 * Invariants: the files are read once, when the server starts, from a fixed list of names; nothing
 * a request says ever reaches the file system (a name not in the list is a 404 like any other). Every
 * answer carries the console's Content-Security-Policy (its own origin only, blob: media and
 * workers for the camera player, which plays streams through the API), `nosniff` and `DENY` for framing. The page itself needs no login; the API
 * calls it makes do. When the bundle is missing (the gateway runs from its sources), `GET /` says so
 * and how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './route.js';

/** The built files, by the name the page asks for, with their media types. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
  'app.css.map': 'application/json; charset=utf-8',
};

/** The console's Content-Security-Policy: the page talks to its own origin only. */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    'worker-src blob:',
    "connect-src 'self'",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export interface ConsoleFile {
  body: Buffer;
  type: string;
  /** A strong validator of the body, so a reload revalidates without sending it again. */
  etag: string;
}

export interface ConsoleBundle {
  /** The folder the files were read from. */
  dir: string;
  files: ReadonlyMap<string, ConsoleFile>;
}

/** The gateway package's folder: the nearest one above this module with its package.json (from dist/ or src/api/). */
function packageDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@sensegate/gateway') return dir;
      } catch {
        // not ours; keep looking up
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Where the built console is expected: `<gateway package>/dist/console`. */
export function consoleDir(): string | undefined {
  const root = packageDir();
  return root ? join(root, 'dist', 'console') : undefined;
}

/** Reads the built console, or undefined when it was not built. */
export function readConsole(dir = consoleDir()): ConsoleBundle | undefined {
  if (!dir || !existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, ConsoleFile>();
  for (const [name, type] of Object.entries(FILES)) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const body = readFileSync(path);
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
  }
  return { dir, files };
}

const NOT_BUILT = (dir: string | undefined) =>
  `<!doctype html><meta charset="utf-8"><title>sensegate console not built</title>` +
  `<p>The console's files are not built${dir ? ` (nothing in ${escapeHtml(dir)})` : ''}. ` +
  `Run <code>npm run build</code> in the sensegate repository, then restart the gateway. ` +
  `The API itself is served: <a href="/api/v1/status">/api/v1/status</a>, every route in <a href="/api/openapi.json">/api/openapi.json</a>.</p>\n`;

/** Serves the console's routes on `app` (all open: the page needs no login, its API calls do). */
export function mountConsole(app: FastifyInstance, bundle: ConsoleBundle | undefined): void {
  // The page names its bundle without a version, so every file is revalidated on each load (ETag).
  const send = (request: FastifyRequest, reply: FastifyReply, file: ConsoleFile) => {
    reply.headers(CONSOLE_HEADERS).header('content-type', file.type).header('cache-control', 'no-cache').header('etag', file.etag);
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.send(file.body);
  };
  app.get('/', { config: { role: 'open' } }, async (request, reply) => {
    const index = bundle?.files.get('index.html');
    if (!index) return reply.code(503).headers(CONSOLE_HEADERS).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT(bundle?.dir ?? consoleDir()));
    return send(request, reply, index);
  });
  app.get('/console/:file', { config: { role: 'open' } }, async (request, reply) => {
    const name = (request.params as { file: string }).file;
    const file = name === 'index.html' ? undefined : bundle?.files.get(name);
    if (!file) {
      const why = bundle ? '' : ': the console is not built (run npm run build, then restart the gateway)';
      return reply.code(404).headers(CONSOLE_HEADERS).send(new ApiError(404, 'SG_API_NOT_FOUND', `no console file "${name.slice(0, 80)}"${why}`).body);
    }
    return send(request, reply, file);
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
