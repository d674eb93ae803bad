/**
 * The TCP side of the simulator: accepts clients, gives each a framing link (MBAP or RTU), and can
 * stop listening and drop every client, then listen again on the same port, as a device that
 * restarts does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { SensegateError } from '@sensegate/sdk';
import type { StatCounters } from '../protocol/stats.js';
import type { Link, LinkOutput } from './link.js';

export type LinkFactory = (output: LinkOutput) => Link;

export class TcpListener {
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();
  private readonly timers = new Map<Socket, Set<NodeJS.Timeout>>();

  constructor(
    private readonly createLink: LinkFactory,
    private readonly stats: StatCounters,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Listens and resolves with the actual port. */
  listen(host: string, port: number): Promise<number> {
    if (this.server) return Promise.resolve((this.server.address() as { port: number }).port);
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          new SensegateError('SG_CONNECT_REFUSED', `modbus simulator cannot listen on ${host}:${port}: ${err.code ?? err.message}`, {
            source: `${host}:${port}`,
            cause: err,
          }),
        );
      });
      server.listen(port, host, () => {
        server.removeAllListeners('error');
        server.on('error', () => {});
        this.server = server;
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  /** Stops listening and closes every client connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropClients();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  dropClients(): void {
    for (const socket of this.clients) socket.destroy();
  }

  private accept(socket: Socket): void {
    const stats = this.stats;
    stats.connections++;
    stats.clients++;
    this.clients.add(socket);
    const timers = new Set<NodeJS.Timeout>();
    this.timers.set(socket, timers);
    const output: LinkOutput = {
      send: (bytes) => {
        stats.bytesOut += bytes.length;
        // A client that pipelines without reading must not make us buffer without bound.
        if (!socket.write(bytes)) socket.pause();
      },
      later: (bytes, ms) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (socket.destroyed) return;
          stats.bytesOut += bytes.length;
          socket.write(bytes);
        }, ms);
        timers.add(timer);
      },
      abort: () => socket.destroy(),
    };
    const link = this.createLink(output);
    socket.on('data', (chunk: Buffer) => link.push(chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', () => {}); // a client resetting the connection is normal
    socket.once('close', () => {
      stats.clients--;
      this.clients.delete(socket);
      for (const t of timers) clearTimeout(t);
      this.timers.delete(socket);
    });
  }
}
