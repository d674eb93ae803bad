/** The driver on a real port-0 TCP server with a recording context, and a raw client for hand-made frames. */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseYamlSource, type Value, type PublishOptions } from '@sensegate/sdk';
import { createTestContext, testDevice, waitFor, type TestContext } from '@sensegate/sdk/testing';
import { FrameDecoder, type Frame } from '@sensegate/driver-sl651/protocol';
import sl651, { type Sl651Instance } from '../../src/index.js';

export interface DeviceInput {
  id: string;
  connection: Record<string, unknown>;
  points: Array<Record<string, unknown>>;
}

export interface DriverHarness {
  ctx: TestContext;
  instance: Sl651Instance;
  /** The port the shared 127.0.0.1:0 server bound. */
  port: number;
  /** Published values of one point, in order. */
  values(device: string, point: string): Array<{ value: Value; options: PublishOptions }>;
  stop(): Promise<void>;
}

export async function startDriver(devices: DeviceInput[]): Promise<DriverHarness> {
  const ctx = createTestContext({ driver: 'sl651' });
  const instance = sl651.create(ctx) as Sl651Instance;
  const refs = devices.map((d) => testDevice(sl651, { ...d, connection: { host: '127.0.0.1', port: 0, ...d.connection }, reconnect: { initialDelay: 50, maxDelay: 500 }, log: ctx.log.child({ device: d.id }) }));
  for (const device of refs) await instance.addDevice(device);
  // As the gateway does: every device added (checked), then each started (the port bound).
  for (const device of refs) await instance.startDevice(device);
  const port = instance.portOf(devices[0]!.id)!;
  return {
    ctx,
    instance,
    port,
    values: (device, point) => ctx.published.filter((p) => p.device === device && p.point === point).map(({ value, options }) => ({ value, options })),
    stop: () => instance.stop(),
  };
}

/** The points of a profile shipped with the driver. */
export function profilePoints(name: string): Array<Record<string, unknown>> {
  const file = join(sl651.profiles!, `${name}.yaml`);
  const { data } = parseYamlSource(file, readFileSync(file, 'utf8'));
  return (data as { points: Array<Record<string, unknown>> }).points;
}

/** A TCP client that sends raw bytes and collects the frames the gateway answers with. */
export class RawClient {
  readonly frames: Frame[] = [];
  readonly raw: Buffer[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.raw.push(chunk);
      for (const r of this.decoder.push(chunk)) if (r.ok) this.frames.push(r.frame);
    });
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  /** `from`: the local address to connect from (any of 127.0.0.0/8), to play another peer. */
  static async open(port: number, options: { from?: string } = {}): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port, ...(options.from ? { localAddress: options.from } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  send(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  waitClosed(what = 'the gateway to close the connection', timeout?: number): Promise<true> {
    return waitFor(what, () => this.closed, timeout === undefined ? {} : { timeout });
  }

  /** Waits for the n-th (1-based) frame received. */
  async frame(n: number): Promise<Frame> {
    return waitFor(`reply frame ${n} (have ${this.frames.length})`, () => this.frames[n - 1]);
  }

  close(): void {
    this.socket.destroy();
  }
}
