/**
 * The snapshot HTTP server: `GET /snapshot/<id>.jpg` answers the camera's current picture as
 * `image/jpeg`; an unknown camera gets 404, a camera whose stream is down 503 with the reason as
 * text. With credentials, Basic or Digest (qop=auth) is required, as on a camera's web server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SensegateError, type Logger } from '@sensegate/sdk';
import { Authenticator, type Account } from '../auth.js';

export interface SnapshotSource {
  has(id: string): boolean;
  /** The JPEG; throws SG_NOT_CONNECTED while the camera's stream is down. */
  snapshot(id: string): Promise<Buffer>;
}

export interface SnapshotServer {
  readonly port: number;
  close(): Promise<void>;
}

const ROUTE = /^\/snapshot\/([A-Za-z0-9._-]{1,64})\.jpg$/;

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(body + '\n');
}

export async function startSnapshotServer(options: {
  host: string;
  port: number;
  credentials: Account | undefined;
  source: SnapshotSource;
  log: Logger;
}): Promise<SnapshotServer> {
  const auth = options.credentials ? new Authenticator([options.credentials], { realm: 'sensegate', qop: true }) : undefined;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = ROUTE.exec(path);
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, `${req.method} is not allowed; GET ${path}`, { Allow: 'GET, HEAD' });
    if (auth && auth.check(req.method, req.headers.authorization) === undefined) {
      return text(res, 401, 'authentication required', { 'WWW-Authenticate': auth.challenge() });
    }
    if (!route) return text(res, 404, `nothing at ${path}; snapshots are at /snapshot/<camera id>.jpg`);
    const id = route[1]!;
    if (!options.source.has(id)) return text(res, 404, `no camera "${id}"`);
    let jpeg: Buffer;
    try {
      jpeg = await options.source.snapshot(id);
    } catch (err) {
      if (err instanceof SensegateError && err.code === 'SG_NOT_CONNECTED') return text(res, 503, err.message, { 'Retry-After': '1' });
      options.log.error({ camera: id, err: err instanceof Error ? err.message : String(err) }, 'snapshot failed');
      return text(res, 500, `snapshot failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': String(jpeg.length), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : jpeg);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      options.log.error({ err: err instanceof Error ? err.message : String(err) }, 'snapshot request failed');
      if (!res.headersSent) text(res, 500, 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
