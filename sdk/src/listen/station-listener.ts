/**
 * The station-listener skeleton: one TCP server, shared by every station configured with the same
 * host and port, for any protocol whose stations dial in (HJ 212, SL 651, and any later one). A
 * driver gives it the protocol side of a connection (`ConnectionSession`); the skeleton owns
 * everything else, once for every protocol:
 *
 * - binding, and binding again with backoff when the port is taken (it never throws once
 *   started; its stations show offline meanwhile);
 * - on arrival, before a byte is read: the union of the stations' allow-lists (when every
 *   station has one), the address's refusal after wrong passwords, the per-address and total
 *   connection limits;
 * - the per-connection rules of `ListenerConnection` (deadlines, refusals, back-off);
 * - one memory budget for messages arriving in pieces, one log limit across connections, the
 *   counters, and the metrics.
 *
 * Its settings come from its stations (`combineListenerSettings`) and follow them as stations are
 * added and removed. Adding a station forgets the addresses' wrong-password records: passwords may
 * have changed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { DeviceState, DriverContext } from '../driver.js';
import { SensegateError } from '../errors.js';
import type { Logger } from '../logger.js';
import { RetryTimer } from '../retry-timer.js';
import type { BackoffSettings } from '../schema.js';
import { AuthBackoff } from './auth-backoff.js';
import { ConnectionSlots } from './connection-slots.js';
import { Episodes } from './episodes.js';
import { ListenerConnection, type ConnectionHost, type ConnectionSession } from './listener-connection.js';
import { ListenerMetrics, type ConnectionRefusal } from './listener-metrics.js';
import { LogLimiter } from './log-limiter.js';
import { MemoryBudget } from './memory-budget.js';
import { peerKey, plainAddress } from './peer-address.js';
import { LISTENER_DEFAULTS, combineListenerSettings, type ListenerSettings, type StationListenerFields } from './settings.js';

/** A configured station as the listener sees it. */
export interface ListenedStation {
  /** Device id. */
  readonly id: string;
  /** What identifies it on the wire (an MN, a station address): its key in `stations`. */
  readonly key: string;
  /** Its listener fields, from its `connection` block. */
  readonly listen: StationListenerFields;
  /** How to retry binding the port (the device's `reconnect`). */
  readonly reconnect: Readonly<BackoffSettings>;
  /** The station is removed or the driver stops: health is no longer its business. */
  detach(): void;
}

export interface StationListenerOptions {
  host: string;
  port: number;
  /** The protocol's name for log lines: "HJ 212". */
  protocol: string;
  context: DriverContext;
  /** The protocol side of a new connection. */
  session(connection: ListenerConnection): ConnectionSession;
  /**
   * Hides the stations' secrets (passwords, in the form the protocol's excerpts show them) in text
   * quoted from the wire before it is logged: the excerpt of a frame whose header is damaged, so
   * that the protocol's own masking missed it. Default: the text as it is.
   */
  redact?(text: string): string;
}

/** What the listener counts itself; drivers add them to their own stats. */
export interface ListenerCounts {
  /** Connections open now. */
  connections: number;
  /** Connections accepted since start. */
  connectionsAccepted: number;
  /** Connections closed on arrival (allow-lists, refusal after wrong passwords, limits). */
  connectionsRefused: number;
  /** Connections closed because no frame was accepted for `idleTimeout`. */
  connectionsIdle: number;
  /** Connections closed because they sent no accepted frame within `authTimeout`. */
  authTimeouts: number;
}

const NO_STATIONS: ListenerSettings = {
  ...LISTENER_DEFAULTS,
  authTimeout: LISTENER_DEFAULTS.authTimeout,
  authTimeoutSetting: 'authTimeout',
  idleTimeout: LISTENER_DEFAULTS.authTimeout,
  allow: undefined,
};

/** What an operator can do about a port that cannot be bound, by the system's error code. */
function listenAdvice(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'another program is using the port: stop it, or give the device another port';
    case 'EACCES':
      return 'the gateway\'s user may not bind that port: use a port above 1023, or let the user bind low ports';
    case 'EADDRNOTAVAIL':
      return 'no network interface of this machine has that address: check the device\'s host';
    default:
      return 'check the device\'s host and port';
  }
}

export class StationListener<S extends ListenedStation> implements ConnectionHost {
  readonly stations = new Map<string, S>();
  readonly episodes = new Episodes();
  readonly log: Logger;
  readonly lines: LogLimiter;
  readonly metrics: ListenerMetrics;
  readonly backoff: AuthBackoff;
  /** Memory for messages arriving in pieces, all connections and stations together. */
  readonly reassembly: MemoryBudget;
  readonly counts: ListenerCounts = { connections: 0, connectionsAccepted: 0, connectionsRefused: 0, connectionsIdle: 0, authTimeouts: 0 };
  readonly host: string;
  readonly port: number;
  readonly driver: string;
  private current: ListenerSettings = NO_STATIONS;
  private readonly connections = new Set<ListenerConnection>();
  private readonly slots: ConnectionSlots;
  private readonly context: DriverContext;
  private server: Server | undefined;
  private bound: number | undefined;
  private bindRetry: RetryTimer | undefined;
  private closing = false;
  private starting: Promise<void> | undefined;

  constructor(private readonly options: StationListenerOptions) {
    this.host = options.host;
    this.port = options.port;
    this.context = options.context;
    this.driver = options.context.driver;
    const listen = `${options.host}:${options.port}`;
    this.log = options.context.log.child({ listen });
    this.metrics = new ListenerMetrics(options.context.metrics, listen);
    this.lines = new LogLimiter(this.log, this.current.logLimit, () => this.where, (kind) => this.metrics.suppressed(kind).inc());
    this.backoff = new AuthBackoff(this.current.authBackoff);
    this.reassembly = new MemoryBudget(this.current.maxReassemblyBytes, (used) => this.metrics.reassemblyBytes.set(used));
    this.slots = new ConnectionSlots(() => ({ total: this.current.maxConnections, perAddress: this.current.maxConnectionsPerAddress }));
  }

  /** Where it listens, with the bound port once listening. */
  get where(): string {
    return `${this.host}:${this.bound ?? this.port}`;
  }

  /** The port actually bound (differs from `port` when it is 0), once listening. */
  get boundPort(): number | undefined {
    return this.bound;
  }

  /** The server's settings, derived from its stations. */
  get settings(): ListenerSettings {
    return this.current;
  }

  get empty(): boolean {
    return this.stations.size === 0;
  }

  add(station: S): void {
    this.stations.set(station.key, station);
    this.bindRetry ??= new RetryTimer(station.reconnect, { unref: true });
    this.settle();
    this.backoff.clear();
  }

  remove(key: string): void {
    this.stations.get(key)?.detach();
    this.stations.delete(key);
    if (this.stations.size > 0) this.settle();
  }

  /** Binds the port; on failure logs, shows the stations offline and retries in the background. */
  start(): Promise<void> {
    this.starting ??= this.attempt();
    return this.starting;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.bindRetry?.cancel();
    for (const station of this.stations.values()) station.detach();
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const connection of this.connections) connection.destroy();
    await closed;
    this.lines.close();
  }

  redact(text: string): string {
    return this.options.redact ? this.options.redact(text) : text;
  }

  /** Called by a connection when its socket has closed. */
  forget(connection: ListenerConnection): void {
    if (!this.connections.delete(connection)) return;
    this.slots.give(connection.peer);
    this.episodes.end(`address-limit/${connection.peer}`);
    this.counts.connections = this.connections.size;
    this.metrics.open.set(this.connections.size);
    const refused = this.episodes.end('limit');
    if (refused) {
      this.lines.write({ kind: 'connection', level: 'info', message: `accepting connections again after refusing ${refused} at the limit of ${this.current.maxConnections} (maxConnections)` });
    }
  }

  private settle(): void {
    this.current = combineListenerSettings([...this.stations.values()].map((s) => s.listen));
    this.lines.configure(this.current.logLimit);
    this.backoff.configure(this.current.authBackoff);
    this.reassembly.setLimit(this.current.maxReassemblyBytes);
  }

  private attempt(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closing) return resolve();
      const server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 30_000 }, (socket) => this.accept(socket));
      const failed = (err: NodeJS.ErrnoException) => {
        server.close();
        const delay = this.bindRetry!.schedule(() => void this.attempt());
        const error = new SensegateError('SG_CONNECT_REFUSED', `cannot listen on ${this.where}: ${err.message}; ${listenAdvice(err)}; retrying in ${delay} ms`, {
          driver: this.driver,
          cause: err,
        });
        if (this.episodes.occur('listen')) this.log.error({ code: error.code }, error.message);
        this.health('offline', error);
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
        this.bindRetry!.succeeded();
        this.log.info(
          { stations: [...this.stations.keys()] },
          `listening for ${this.options.protocol} stations on ${this.where}${attempts ? ` after ${attempts} failed attempts` : ''}`,
        );
        resolve();
      });
    });
  }

  private health(state: DeviceState, reason: SensegateError): void {
    for (const station of this.stations.values()) this.context.health(station.id, state, reason);
  }

  private accept(socket: Socket): void {
    if (this.closing || this.stations.size === 0) return void socket.destroy();
    const address = plainAddress(socket.remoteAddress);
    const peer = peerKey(socket.remoteAddress);
    const remote = `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort}`;
    const { allow } = this.current;
    if (allow && !allow.allows(address)) {
      return this.refuse(socket, 'not-allowed', peer, `not-allowed/${peer}`, `refused a connection from ${remote}: no station on ${this.where} allows that address (allow); logged once per address`);
    }
    const wait = this.backoff.remaining(peer);
    if (wait > 0) {
      return this.refuse(socket, 'backoff', peer, `backoff/${peer}`, `refused a connection from ${remote}: ${address} sent a wrong password, and its connections are refused for another ${wait} ms (authBackoff); logged once per address`);
    }
    const full = this.slots.take(peer);
    if (full === 'listener-full') {
      return this.refuse(socket, full, peer, 'limit', `refused a connection from ${remote}: ${this.current.maxConnections} connections are open (maxConnections); logged once until one closes`);
    }
    if (full === 'address-limit') {
      return this.refuse(socket, full, peer, `address-limit/${peer}`, `refused a connection from ${remote}: ${address} already has ${this.slots.openFrom(peer)} connections open (maxConnectionsPerAddress); logged once per address until one closes`);
    }
    this.counts.connectionsAccepted++;
    this.metrics.accepted.inc();
    const connection = new ListenerConnection(socket, { remote, address, peer }, this, this.options.session);
    this.connections.add(connection);
    this.counts.connections = this.connections.size;
    this.metrics.open.set(this.connections.size);
  }

  private refuse(socket: Socket, reason: ConnectionRefusal, peer: string, episode: string, message: string): void {
    this.counts.connectionsRefused++;
    this.metrics.refused(reason).inc();
    socket.destroy();
    if (this.episodes.occur(episode)) {
      this.lines.write({ kind: 'connection', peer, fields: { code: 'SG_STATION_REFUSED', reason }, message });
    }
  }
}
