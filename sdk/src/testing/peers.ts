/**
 * Many short TCP connections to a listener, as a port scan, a flood of careless clients or a
 * password-guessing script makes them: each connects, sends its bytes, closes its side and waits
 * for the socket to close. On loopback, `from` spreads them over several source addresses
 * (anything in 127.0.0.0/8 works on Linux), so per-address limits can be tested on one machine.
 */
import { connect } from 'node:net';

export interface ShortConnectionsOptions {
  /** What connection `index` sends before it closes (nothing when left out). */
  bytes?: (index: number) => Uint8Array;
  /** Local addresses to connect from, used in turn (default: the system's choice). */
  from?: readonly string[];
  /** Host to connect to (default 127.0.0.1). */
  host?: string;
  /** Connections open at once (default 16). */
  parallel?: number;
  /** A connection still open after this long is destroyed (default 5000 ms). */
  timeout?: number;
}

export interface ShortConnectionsResult {
  /** Connections that were established. */
  connected: number;
  /** Connections that failed (refused, reset before connecting, timed out). */
  failed: number;
}

export async function shortConnections(port: number, count: number, options: ShortConnectionsOptions = {}): Promise<ShortConnectionsResult> {
  const { bytes, from = [], host = '127.0.0.1', parallel = 16, timeout = 5000 } = options;
  let next = 0;
  let connected = 0;
  let failed = 0;
  const one = (index: number) =>
    new Promise<void>((resolve) => {
      const localAddress = from.length > 0 ? from[index % from.length] : undefined;
      const socket = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
      const timer = setTimeout(() => socket.destroy(), timeout);
      let established = false;
      socket.on('connect', () => {
        established = true;
        connected++;
        const data = bytes?.(index);
        if (data && data.length > 0) socket.write(data);
        socket.end();
      });
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        if (!established) failed++;
        resolve();
      });
    });
  const worker = async () => {
    while (next < count) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, count)) }, worker));
  return { connected, failed };
}
