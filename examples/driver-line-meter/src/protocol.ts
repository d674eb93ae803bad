/**
 * The meter's line protocol: one request per TCP connection, one line each way.
 *
 *   PING              -> PONG <model>
 *   READ <field>      -> <number>          or  ERR <reason>
 *   WRITE <field> <v> -> OK                or  ERR <reason>
 *
 * Every request ends by its deadline or when its signal aborts, whichever comes first, and its
 * socket is kept in `open` until it closes, so the driver can release every one on stop.
 */
import { connect, type Socket } from 'node:net';
import { isSensegateError, SensegateError } from '@sensegate/sdk';

export interface Endpoint {
  host: string;
  port: number;
}

export interface RequestOptions {
  /** Milliseconds to wait for the answer, connecting included. */
  timeout: number;
  /** Ends the request early (the gateway aborts a read at the device's timeout or on shutdown). */
  signal?: AbortSignal;
  /** Sockets still open; the request adds its own and removes it once closed. */
  open?: Set<Socket>;
  /** The device id, carried by errors. */
  device?: string;
}

/** Sends one request line and resolves with the first line of the answer. */
export function request(endpoint: Endpoint, line: string, options: RequestOptions): Promise<string> {
  const { host, port } = endpoint;
  const where = `meter at ${host}:${port}`;
  return new Promise<string>((resolve, reject) => {
    if (options.signal?.aborted) return reject(abortError(options.signal, where, options.device));
    const socket = connect({ host, port });
    options.open?.add(socket);
    let text = '';
    let settled = false;
    const finish = (error: Error | undefined, answer?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer!);
    };
    const onAbort = () => finish(abortError(options.signal!, where, options.device));
    const timer = setTimeout(
      () => finish(new SensegateError('SG_REQUEST_TIMEOUT', `${where}: no answer to "${line}" within ${options.timeout} ms`, { device: options.device })),
      options.timeout,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${line}\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end >= 0) finish(undefined, text.slice(0, end).trim());
    });
    socket.on('end', () => finish(new SensegateError('SG_CONNECTION_LOST', `${where}: closed the connection before answering "${line}"`, { device: options.device })));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'ECONNREFUSED' ? 'SG_CONNECT_REFUSED' : 'SG_CONNECTION_LOST';
      finish(new SensegateError(code, `${where}: ${err.message}`, { device: options.device, cause: err }));
    });
    socket.on('close', () => options.open?.delete(socket));
  });
}

function abortError(signal: AbortSignal, where: string, device: string | undefined): SensegateError {
  if (isSensegateError(signal.reason)) return signal.reason;
  return new SensegateError('SG_REQUEST_TIMEOUT', `${where}: request cancelled`, { device, cause: signal.reason });
}

/** The reason of an `ERR <reason>` answer, or undefined for any other answer. */
export function refusal(answer: string): string | undefined {
  return answer.startsWith('ERR') ? answer.slice(3).trim() || 'refused' : undefined;
}
