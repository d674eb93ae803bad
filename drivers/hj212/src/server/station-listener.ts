/**
 * One TCP server, shared by every station configured with the same host and port. It owns the
 * connections, the limits derived from its stations, the counters of what no station can be
 * charged with, and the once-per-episode logs. It never throws once started: a port that cannot
 * be bound is retried with backoff, and its stations show offline meanwhile.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Backoff, SensegateError, type DriverContext, type Logger } from '@sensegate/sdk';
import type { Station } from '../station/station.js';
import { AllowList } from './allow-list.js';
import { Episodes } from './episodes.js';
import { StationConnection } from './station-connection.js';
import { emptyStats, type Hj212Stats } from './stats.js';

/** Remote addresses whose malformed frames are counted one by one; beyond, they share one count. */
const MAX_REMOTES = 256;

export class StationListener {
  /** Stations by MN. */
  readonly stations = new Map<string, Station>();
  /** What no station can be charged with: connections, unknown MNs, garbage on unclaimed connections. */
  readonly stats: Hj212Stats = emptyStats();
  /** Malformed frames on connections that carried no station yet, by remote address. */
  readonly malformedByRemote = new Map<string, number>();
  readonly episodes = new Episodes();
  readonly log: Logger;
  private readonly connections = new Set<StationConnection>();
  private server: Server | undefined;
  private bound: number | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoff: Backoff | undefined;
  private closing = false;
  private starting: Promise<void> | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly context: DriverContext,
  ) {
    this.log = context.log.child({ listen: `${host}:${port}` });
  }

  get where(): string {
    return `${this.host}:${this.bound ?? this.port}`;
  }

  /** The port actually bound (differs from `port` when it is 0), once listening. */
  get boundPort(): number | undefined {
    return this.bound;
  }

  private get all(): Station[] {
    return [...this.stations.values()];
  }

  get maxConnections(): number {
    return Math.min(...this.all.map((s) => s.connection.maxConnections));
  }

  get idleTimeout(): number {
    return Math.max(...this.all.map((s) => s.connection.idleTimeout));
  }

  get maxFrameBytes(): number {
    return Math.max(...this.all.map((s) => s.connection.maxFrameBytes));
  }

  /** Addresses allowed at all: only when every station has an allow-list can a connection be refused on arrival. */
  private get allowed(): AllowList | undefined {
    const lists = this.all.map((s) => s.connection.allow);
    if (lists.length === 0 || lists.some((l) => l === undefined)) return undefined;
    return new AllowList(lists.flatMap((l) => l!));
  }

  add(station: Station): void {
    this.stations.set(station.mn, station);
    this.backoff ??= new Backoff(station.device.reconnect);
  }

  remove(mn: string): void {
    this.stations.get(mn)?.detach();
    this.stations.delete(mn);
  }

  get empty(): boolean {
    return this.stations.size === 0;
  }

  noteMalformed(host: string): void {
    this.stats.framesMalformed++;
    if (this.malformedByRemote.size >= MAX_REMOTES && !this.malformedByRemote.has(host)) host = 'other';
    this.malformedByRemote.set(host, (this.malformedByRemote.get(host) ?? 0) + 1);
  }

  /** Binds the port; on failure logs, shows the stations offline and retries in the background. */
  start(): Promise<void> {
    this.starting ??= this.attempt();
    return this.starting;
  }

  private attempt(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closing) return resolve();
      const server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 30_000 }, (socket) => this.accept(socket));
      const failed = (err: Error) => {
        server.close();
        const delay = this.backoff!.next();
        const error = new SensegateError('SG_CONNECT_REFUSED', `cannot listen on ${this.where}: ${err.message}; retrying in ${delay} ms`, {
          driver: this.context.driver,
          cause: err,
        });
        if (this.episodes.occur('listen')) this.log.error({ code: error.code }, error.message);
        for (const station of this.stations.values()) this.context.health(station.id, 'offline', error);
        this.retry = setTimeout(() => {
          this.retry = undefined;
          void this.attempt();
        }, delay);
        this.retry.unref?.();
        resolve();
      };
      server.once('error', failed);
      server.listen(this.port, this.host, () => {
        server.off('error', failed);
        server.on('error', (err) => this.log.error({ err: err.message }, `server on ${this.where} failed: ${err.message}`));
        this.server = server;
        const address = server.address();
        this.bound = typeof address === 'object' && address ? address.port : this.port;
        const attempts = this.episodes.end('listen');
        this.backoff!.reset();
        this.log.info({ stations: [...this.stations.keys()] }, `listening for HJ 212 stations on ${this.where}${attempts ? ` after ${attempts} failed attempts` : ''}`);
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    if (this.closing || this.stations.size === 0) return void socket.destroy();
    const host = socket.remoteAddress ?? '?';
    const remote = `${host}:${socket.remotePort}`;
    const allowed = this.allowed;
    if (allowed && !allowed.allows(host)) {
      this.stats.connectionsRefused++;
      socket.destroy();
      if (this.episodes.occur(`not-allowed/${host}`)) {
        this.log.warn({ code: 'SG_STATION_REFUSED', remote }, `refused a connection from ${remote}: no station on ${this.where} allows that address (logged once per address)`);
      }
      return;
    }
    if (this.connections.size >= this.maxConnections) {
      this.stats.connectionsRefused++;
      socket.destroy();
      if (this.episodes.occur('limit')) {
        this.log.warn({ code: 'SG_STATION_REFUSED', remote, limit: this.maxConnections }, `refused a connection from ${remote}: ${this.maxConnections} connections are open (maxConnections); logged once until one closes`);
      }
      return;
    }
    this.stats.connectionsAccepted++;
    const connection = new StationConnection(socket, remote, host, this);
    this.connections.add(connection);
    this.stats.connections = this.connections.size;
  }

  /** Called by a connection when its socket has closed. */
  forget(connection: StationConnection): void {
    this.connections.delete(connection);
    this.stats.connections = this.connections.size;
    const refused = this.episodes.end('limit');
    if (refused) this.log.info(`accepting connections again after refusing ${refused} at the limit of ${this.maxConnections}`);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retry) clearTimeout(this.retry);
    for (const station of this.stations.values()) station.detach();
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const connection of this.connections) connection.destroy();
    await closed;
  }
}
