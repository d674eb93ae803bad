/**
 * One open connection to an endpoint: a socket or serial port with a modbus-serial client on it.
 * A link is never reopened: when it fails, the endpoint throws it away and opens a new one.
 */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EndpointSettings } from './endpoint-settings.js';
import { MbapFramePort } from './mbap-frame-port.js';
import { clientOn, loadSerialPort, type ModbusClient, type SerialPortStream } from './modbus-client.js';
import { RtuFramePort } from './rtu-frame-port.js';

export interface Link {
  readonly client: ModbusClient;
  /** The RTU framing, to drop a late answer after a timeout; undefined for Modbus TCP. */
  readonly rtu: RtuFramePort | undefined;
  /** The Modbus TCP framing, to give up on an answer left unfinished; undefined for RTU. */
  readonly mbap: MbapFramePort | undefined;
  /** Called once when the link fails or closes after it was opened. */
  onLost(handler: (reason: string, cause?: unknown) => void): void;
  /** Closes the socket or port; resolves when it is released. */
  destroy(): Promise<void>;
}

const connectTimeoutError = () => Object.assign(new Error('connect timeout'), { code: 'SG_CONNECT_TIMEOUT' });

function openSocket(host: string, port: number, timeout: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(connectTimeoutError());
    }, timeout);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      // Notice a device that vanished without closing (power cut) even when no request is pending.
      socket.setKeepAlive(true, 10_000);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function openSerial(s: EndpointSettings, timeout: number): Promise<SerialPortStream> {
  return new Promise((resolve, reject) => {
    let SerialPort: ReturnType<typeof loadSerialPort>;
    try {
      SerialPort = loadSerialPort();
    } catch (err) {
      reject(err);
      return;
    }
    const port = new SerialPort({ path: s.path, baudRate: s.baudRate, dataBits: s.dataBits, parity: s.parity, stopBits: s.stopBits, autoOpen: false });
    const timer = setTimeout(() => {
      port.close(() => {});
      reject(connectTimeoutError());
    }, timeout);
    port.open((err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(port);
    });
  });
}

function openClient(client: ModbusClient): Promise<void> {
  return new Promise((resolve, reject) => client.open((err) => (err ? reject(err) : resolve())));
}

export async function openLink(s: EndpointSettings, timeout: number): Promise<Link> {
  let stream: Duplex;
  let release: () => Promise<void>;
  if (s.transport === 'rtu') {
    const port = await openSerial(s, timeout);
    stream = port as unknown as Duplex;
    release = () => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  } else {
    const socket = await openSocket(s.host, s.port, timeout);
    stream = socket;
    release = () =>
      new Promise((resolve) => {
        if (socket.closed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      });
  }
  const rtu = s.transport === 'tcp' ? undefined : new RtuFramePort(stream);
  const mbap = s.transport === 'tcp' ? new MbapFramePort(stream as Socket) : undefined;
  const client = clientOn(rtu ?? mbap);

  let lost: ((reason: string, cause?: unknown) => void) | undefined;
  let ended = false;
  let lastError: Error | undefined;
  const end = (reason: string, cause?: unknown) => {
    if (ended) return;
    ended = true;
    lost?.(reason, cause);
  };
  stream.on('error', (err: Error) => {
    lastError = err;
  });
  stream.once('close', () => end(lastError ? lastError.message : 'closed by the device', lastError));
  // modbus-serial re-emits port errors on the client; without a listener they would be thrown.
  client.on('error', (err: Error) => {
    lastError = err;
  });
  await openClient(client);

  return {
    client,
    rtu,
    mbap,
    onLost(handler) {
      lost = handler;
    },
    destroy() {
      ended = true;
      return release();
    },
  };
}
