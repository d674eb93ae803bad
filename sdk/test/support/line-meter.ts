/**
 * A tiny meter for tests of the conformance kit: a real TCP server that answers `GET <register>` with
 * the register's value and `SET <register> <value>` with `OK` (or `ERR` for a negative value), one
 * line each, with faults (stalled: reads, answers nothing) and a restart on the same port. And a
 * driver for it, correct by default, with the mistakes the kit must catch switched on one by one.
 */
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { z } from 'zod';
import { Backoff, SensegateError, abortable, defineDriver, type DeviceRef, type DriverContext } from '../../src/index.js';

export class LineMeter {
  readonly registers = new Map<number, number>([
    [1, 42],
    [2, 7],
  ]);
  stalled = false;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
      let buffered = '';
      socket.on('data', (chunk) => {
        buffered += chunk.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!this.stalled) socket.write(`${this.answer(line)}\n`);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private answer(line: string): string {
    const [verb, register, value] = line.split(' ');
    if (verb === 'GET') return String(this.registers.get(Number(register)) ?? 'ERR');
    if (verb === 'SET' && Number(value) >= 0) {
      this.registers.set(Number(register), Number(value));
      return 'OK';
    }
    return 'ERR';
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

/** The timers the leaky driver forgot, for the test to clear once the kit has seen them. */
export const leakedTimers: NodeJS.Timeout[] = [];

export interface Mistakes {
  /** Waits for answers without a deadline and without listening to batch.signal. */
  ignoresSignal?: boolean;
  /** Starts a timer per device that nothing clears. */
  leaksTimer?: boolean;
  /** Keeps a lost connection lost. */
  neverReconnects?: boolean;
  /** Refuses a write with a plain Error instead of a sensegate error. */
  plainRefusal?: boolean;
  /** A read that never settles, even when the device answers (an awaited promise nothing resolves). */
  hangs?: boolean;
}

/** One connection per device; requests one at a time. */
class MeterLink {
  private socket: Socket | undefined;
  private buffered = '';
  private waiting: ((line: string) => void) | undefined;
  private lost = false;
  /** While reconnecting: no attempt before this time; requests fail at once meanwhile. */
  private retryAt = 0;
  private readonly backoff: Backoff;

  constructor(
    private readonly device: DeviceRef<{ port: number }>,
    private readonly mistakes: Mistakes,
  ) {
    this.backoff = new Backoff(device.reconnect);
  }

  private connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const fail = (err: Error) => {
        socket.destroy();
        reject(new SensegateError('SG_CONNECT_REFUSED', `meter ${this.device.id}: ${err.message}`, { device: this.device.id }));
      };
      socket.once('error', fail);
      socket.connect(this.device.connection.port, '127.0.0.1', () => {
        socket.off('error', fail);
        socket.on('error', () => {});
        socket.on('data', (chunk) => this.received(chunk));
        socket.on('close', () => this.dropped(socket));
        resolve(socket);
      });
    });
  }

  private received(chunk: Buffer): void {
    this.buffered += chunk.toString();
    const nl = this.buffered.indexOf('\n');
    if (nl < 0) return;
    const line = this.buffered.slice(0, nl);
    this.buffered = this.buffered.slice(nl + 1);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(line);
  }

  private dropped(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.buffered = '';
    this.lost = true;
    this.waiting = undefined;
  }

  private async session(): Promise<Socket> {
    if (this.socket) return this.socket;
    const waiting = performance.now() < this.retryAt;
    if ((this.lost && this.mistakes.neverReconnects) || waiting) {
      throw new SensegateError('SG_NOT_CONNECTED', `meter ${this.device.id} is not connected`, { device: this.device.id });
    }
    try {
      this.socket = await this.connect();
      this.backoff.reset();
      return this.socket;
    } catch (err) {
      this.retryAt = performance.now() + this.backoff.next();
      throw err;
    }
  }

  async request(line: string, signal: AbortSignal): Promise<string> {
    const socket = await this.session();
    const answer = new Promise<string>((resolve) => (this.waiting = resolve));
    socket.write(`${line}\n`);
    if (this.mistakes.ignoresSignal) return answer;
    return abortable(answer, signal).catch((err: unknown) => {
      // An answer that never came leaves the line out of step: start again.
      this.dropped(socket);
      socket.destroy();
      throw err;
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}

const pointSchema = z.object({ register: z.number().int().min(0).describe('Register number.') }).strict();

export function lineMeterDriver(mistakes: Mistakes = {}) {
  return defineDriver({
    name: 'line-meter',
    version: '1.0.0',
    description: 'Test driver: meters that answer GET and SET lines over TCP.',
    connection: z.object({ port: z.number().int().describe('TCP port on 127.0.0.1.') }).strict(),
    point: pointSchema,
    commands: {
      zero: { description: 'Sets a register to 0.', args: z.object({ register: z.number().int().describe('Register to clear.') }) },
    },
    create(_context: DriverContext) {
      const links = new Map<string, MeterLink>();
      const link = (device: DeviceRef<{ port: number }>) => links.get(device.id)!;
      const set = async (device: DeviceRef<{ port: number }>, register: number, value: number, signal: AbortSignal) => {
        const answer = await link(device).request(`SET ${register} ${value}`, signal);
        if (answer !== 'OK') {
          if (mistakes.plainRefusal) throw new Error(`meter said ${answer}`);
          throw new SensegateError('SG_WRITE_REJECTED', `meter ${device.id} refused ${value} for register ${register}`, { device: device.id });
        }
      };
      return {
        addDevice(device) {
          links.set(device.id, new MeterLink(device, mistakes));
          if (mistakes.leaksTimer) leakedTimers.push(setInterval(() => {}, 60_000)); // a keep-alive stop() forgets
        },
        removeDevice(id) {
          links.get(id)?.close();
          links.delete(id);
        },
        async read(device, batch) {
          if (mistakes.hangs) await new Promise(() => {});
          for (let i = 0; i < batch.points.length; i++) {
            const point = batch.points[i]!;
            try {
              const answer = await link(device).request(`GET ${point.spec.register}`, batch.signal);
              if (answer === 'ERR') batch.fail(i, new SensegateError('SG_PROTOCOL_ERROR', `no register ${point.spec.register}`, { device: device.id, point: point.id }));
              else batch.good(i, Number(answer));
            } catch (err) {
              for (let j = i; j < batch.points.length; j++) batch.fail(j, err as SensegateError);
              return;
            }
          }
        },
        async write(device, point, value) {
          await set(device, point.spec.register, Number(value), AbortSignal.timeout(device.timeout));
        },
        async command(device, _name, args, signal) {
          await set(device, args.register as number, 0, signal);
          return { register: args.register, value: 0 };
        },
        async stop() {
          for (const l of links.values()) l.close();
          links.clear();
        },
      };
    },
  });
}
