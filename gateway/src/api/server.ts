/**
 * The HTTP API server (fastify; docs/decisions/0004-http-api-fastify.md): the routes of routes/,
 * the OpenAPI document, the browser console's files (console-files.ts), and the bounds every
 * request is held to whoever sends it: body size, header size, time to send the request, idle
 * keep-alive, path length. Every answer that is not 2xx has the error body of route.ts, with a
 * stable code.
 *
 * The API never holds the gateway back: if its port is taken, the gateway runs on and the API tries
 * the port again every 10 s, having said once what is in the way and what to do.
 */
import type { Logger } from '@sensegate/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import { Access } from './auth/access.js';
import { installAccess } from './auth/fastify.js';
import { tlsFor, type ApiTls } from './auth/tls.js';
import type { Gateway } from '../runtime/gateway.js';
import { VERSION } from '../version.js';
import type { ApiContext } from './context.js';
import { mountConsole, readConsole } from './console-files.js';
import { DeliveryRates } from './delivery-rates.js';
import { LiveStreams } from './live-stream.js';
import { openApiDocument } from './openapi.js';
import { ProcessStats } from './process-stats.js';
import { ApiError, isRaw, parsePart, type Route } from './route.js';
import { configRoutes, MAX_CANDIDATE_BYTES } from './routes/config.js';
import { deliveryRoutes } from './routes/delivery.js';
import { deviceRoutes } from './routes/devices.js';
import { feedRoutes } from './routes/feed.js';
import { gatewayRoutes } from './routes/gateway.js';
import { sessionRoutes } from './routes/session.js';
import { videoRoutes } from './routes/video.js';
import type { ApiConfig } from './schema.js';

/** Time a client has to send its whole request (headers and body); a slow sender is cut off. */
const REQUEST_TIMEOUT = 30_000;
/** An idle kept-alive connection is closed after this. */
const KEEP_ALIVE = 5_000;
/** A connection silent this long is closed (the live stream's heartbeat keeps it busy). */
const IDLE_TIMEOUT = 60_000;
const RETRY_LISTEN = 10_000;
/** Connections open at once; more are closed on arrival (a flood of connections cannot take the process's descriptors). */
const MAX_CONNECTIONS = 512;

export interface ApiServerOptions {
  config: ApiConfig;
  log: Logger;
}

export class ApiServer {
  private readonly app: FastifyInstance;
  private readonly context: ApiContext;
  private readonly routes: Route[];
  private retry: NodeJS.Timeout | undefined;
  private listening = false;
  private address: { host: string; port: number } | undefined;

  private constructor(
    private readonly gateway: Gateway,
    private readonly options: ApiServerOptions,
    private readonly access: Access,
    private readonly tls: ApiTls | undefined,
  ) {
    const { config, log } = options;
    if (!gateway.live) throw new Error('the API needs the gateway\'s live view: api.enabled is false');
    const processStats = new ProcessStats();
    this.context = {
      gateway,
      process: processStats,
      rates: new DeliveryRates(() => gateway.status().sinks.map((s) => ({ name: s.name, cursor: s.cursor }))),
      streams: new LiveStreams(gateway.live, { maxStreams: config.maxStreams, streamBuffer: config.streamBuffer, log }),
      log,
      origin: (request) => `http ${request.principal?.user ?? 'local'}@${request.ip}`,
    };
    this.app = Fastify({
      ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
      logger: false,
      bodyLimit: MAX_CANDIDATE_BYTES + 64 * 1024,
      routerOptions: { maxParamLength: 200 },
      connectionTimeout: IDLE_TIMEOUT,
      keepAliveTimeout: KEEP_ALIVE,
      requestTimeout: REQUEST_TIMEOUT,
      return503OnClosing: true,
      forceCloseConnections: true,
      trustProxy: false,
    });
    this.routes = [
      ...gatewayRoutes(this.context),
      ...sessionRoutes(access),
      ...deviceRoutes(this.context),
      ...videoRoutes(this.context),
      ...feedRoutes(this.context),
      ...deliveryRoutes(this.context),
      ...configRoutes(this.context),
    ];
    this.app.server.maxConnections = MAX_CONNECTIONS;
    this.register();
  }

  /**
   * Starts serving; resolves once listening, or once the first failure to listen is logged (then it
   * retries). Throws, with what to do, when the access rules cannot hold: beyond loopback without
   * users, or a configured certificate that cannot be read.
   */
  static async start(gateway: Gateway, options: ApiServerOptions): Promise<ApiServer> {
    const { config, log } = options;
    const tls = await tlsFor(config, gateway.dataDir, { baseDir: gateway.config.baseDir, access: gateway.fileAccess, log });
    if (tls) log.info({ certificate: tls.certFile, fingerprint: tls.fingerprint }, `API served over HTTPS with ${tls.source === 'generated' ? 'a self-signed certificate made for it' : 'the configured certificate'} ${tls.certFile}: SHA-256 fingerprint ${tls.fingerprint} (check it in the browser the first time)`);
    const access = await Access.open({ dataDir: gateway.dataDir, config, secure: tls !== undefined, log, audit: (event) => gateway.recordEvent(event) });
    const server = new ApiServer(gateway, options, access, tls);
    await server.listen();
    return server;
  }

  /** Where the API is served, once listening: `http://127.0.0.1:8780`. */
  get url(): string | undefined {
    if (!this.address) return undefined;
    const host = this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host;
    return `${this.tls ? 'https' : 'http'}://${host}:${this.address.port}`;
  }

  /** The OpenAPI document of every route. */
  openApi(): Record<string, unknown> {
    return openApiDocument(this.routes, { version: VERSION, gateway: this.gateway.id });
  }

  async stop(): Promise<void> {
    clearTimeout(this.retry);
    this.context.streams.close();
    this.context.rates.stop();
    this.context.process.stop();
    await this.app.close();
    this.access.close();
  }

  private async listen(): Promise<void> {
    const { host, port } = this.options.config;
    try {
      await this.app.listen({ host, port });
      const address = this.app.server.address();
      this.address = { host, port: typeof address === 'object' && address ? address.port : port };
      if (!this.listening) this.options.log.info({ url: this.url }, `API, metrics and console at ${this.url} (docs/api.md)`);
      this.listening = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EADDRINUSE'
          ? `port ${port} is in use (another gateway or program; set api.port to a free one, or api.enabled: false)`
          : code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine (set api.host)`
            : code === 'EACCES'
              ? `port ${port} needs privileges this process does not have (use a port above 1023)`
              : (err as Error).message;
      if (this.retry === undefined) this.options.log.error({ code, host, port }, `the API cannot listen on ${host}:${port}: ${why}; the gateway runs on without it and tries again every ${RETRY_LISTEN / 1000} s`);
      this.retry = setTimeout(() => {
        this.listen().catch(() => {});
      }, RETRY_LISTEN);
      this.retry.unref();
    }
  }

  private register(): void {
    const app = this.app;
    app.setErrorHandler((error, request, reply) => {
      const err = error as Error;
      if (err instanceof ApiError) return reply.code(err.status).send(err.body);
      const status = (err as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) {
        const code = status === 413 ? 'SG_API_TOO_LARGE' : 'SG_API_BAD_REQUEST';
        return reply.code(status).send(new ApiError(status, code, `${request.method} ${clip(request.url)}: ${err.message}`).body);
      }
      this.options.log.error({ err, url: clip(request.url) }, `the API failed on ${request.method} ${clip(request.url)}: ${err.message}`);
      return reply.code(500).send(new ApiError(500, 'SG_API_FAILED', `the gateway failed to answer ${request.method} ${clip(request.url)}: ${err.message}`).body);
    });
    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send(new ApiError(404, 'SG_API_NOT_FOUND', `no ${request.method} ${clip(request.url)} here; GET /api/openapi.json lists what there is`).body);
    });
    installAccess(app, this.access);
    mountRoutes(app, this.routes);
    app.get('/api/openapi.json', { config: { role: 'open' } }, async () => this.openApi());
    // The camera page plays streams through the API (routes/video.ts): the page connects to its own origin only.
    mountConsole(app, readConsole());
  }
}

/** Registers routes declared with `route()`: each request is validated with the route's schemas before its handler runs. */
export function mountRoutes(app: FastifyInstance, routes: readonly Route[]): void {
  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.path,
      config: { role: r.access },
      handler: async (request, reply) => {
        try {
          const params = parsePart(r.params, request.params, 'params');
          const query = parsePart(r.query, request.query, 'query');
          const body = parsePart(r.body, request.body, 'body');
          const answer = await r.handler({ params, query, body, request, reply });
          if (isRaw(r.answer)) return reply;
          return answer;
        } catch (err) {
          if (err instanceof ApiError) return reply.code(err.status).send(err.body);
          throw err;
        }
      },
    });
  }
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
