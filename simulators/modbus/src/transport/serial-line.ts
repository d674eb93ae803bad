/** RTU on a serial device (a real port or a pty), through the `serialport` package. */
import { SensegateError } from '@sensegate/sdk';
import type { SerialPort } from 'serialport';
import type { Link, LinkOutput } from './link.js';
import type { LinkFactory } from './tcp-listener.js';
import type { StatCounters } from '../protocol/stats.js';

export class SerialLine {
  private port: SerialPort | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly path: string,
    private readonly baudRate: number,
    private readonly createLink: LinkFactory,
    private readonly stats: StatCounters,
  ) {}

  get listening(): boolean {
    return this.port !== undefined;
  }

  async open(): Promise<void> {
    if (this.port) return;
    // Loaded on demand: TCP users never pay for (or need) the native serial bindings.
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(new SensegateError('SG_CONNECT_REFUSED', `modbus simulator cannot open serial port ${this.path}: ${err.message}`, { source: this.path, cause: err }))
          : resolve(),
      ),
    );
    const stats = this.stats;
    const output: LinkOutput = {
      send: (bytes) => {
        stats.bytesOut += bytes.length;
        port.write(bytes);
      },
      later: (bytes, ms) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!port.isOpen) return;
          stats.bytesOut += bytes.length;
          port.write(bytes);
        }, ms);
        this.timers.add(timer);
      },
      abort: () => {},
    };
    const link: Link = this.createLink(output);
    port.on('data', (chunk: Buffer) => link.push(chunk));
    port.on('error', () => {});
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
