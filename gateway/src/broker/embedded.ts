/**
 * A small MQTT 3.1.1 broker inside the gateway process (aedes, in-memory), for `sensegate demo` and
 * for tests on machines without a broker. Not meant for production: a site forwards to the city's
 * broker. Listens on loopback unless told otherwise.
 */
import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  url: string;
  port: number;
  host: string;
  /** Clients connected right now. */
  readonly clients: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: { port?: number; host?: string } = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 1883, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 1883);
  let closed: Promise<void> | undefined;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    host,
    get clients() {
      return aedes.connectedClients;
    },
    close() {
      closed ??= (async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
      })();
      return closed;
    },
  };
}
