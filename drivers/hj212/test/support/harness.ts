/** The driver on a real port-0 TCP server with a recording context, and a raw client for hand-made frames. */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseYamlSource, type PublishOptions, type Value } from '@sensegate/sdk';
import { createTestContext, testDevice, waitFor, type TestContext } from '@sensegate/sdk/testing';
import { FrameDecoder, encodeFrame, formatSegment, parseSegment, type Packet } from '@sensegate/driver-hj212/protocol';
import hj212, { type Hj212Instance } from '../../src/index.js';
import type { Hj212Device } from '../../src/station/station.js';

export interface DeviceInput {
  id: string;
  connection: Record<string, unknown>;
  points: Array<Record<string, unknown>>;
  timeout?: number | string;
}

export interface DriverHarness {
  ctx: TestContext;
  instance: Hj212Instance;
  /** The devices as the driver got them, by id. */
  devices: Map<string, Hj212Device>;
  /** The port the shared 127.0.0.1:0 server bound. */
  port: number;
  /** Published values of one point, in order. */
  values(device: string, point: string): Array<{ value: Value; options: PublishOptions }>;
  /** Health states reported for a device, in order. */
  states(device: string): string[];
  stop(): Promise<void>;
}

export const AIR_MN = 'AIR0000000000000000000001';
export const WATER_MN = 'WAT0000000000000000000002';
export const PW = '123456';

export async function startDriver(devices: DeviceInput[]): Promise<DriverHarness> {
  const ctx = createTestContext({ driver: 'hj212' });
  const instance = hj212.create(ctx) as Hj212Instance;
  const refs = new Map<string, Hj212Device>();
  for (const d of devices) {
    const device = testDevice(hj212, {
      ...d,
      connection: { host: '127.0.0.1', port: 0, ...d.connection },
      reconnect: { initialDelay: 50, maxDelay: 500 },
      log: ctx.log.child({ device: d.id }),
    });
    refs.set(d.id, device);
    await instance.addDevice(device);
  }
  // As the gateway does: every device added (checked), then each started (the port bound).
  for (const device of refs.values()) await instance.startDevice(device);
  const port = instance.portOf(devices[0]!.id)!;
  return {
    ctx,
    instance,
    devices: refs,
    port,
    values: (device, point) => ctx.published.filter((p) => p.device === device && p.point === point).map(({ value, options }) => ({ value, options })),
    states: (device) => ctx.healthChanges.filter((h) => h.device === device).map((h) => h.state),
    stop: () => instance.stop(),
  };
}

/** The points of a profile shipped with the driver. */
export function profilePoints(name: string): Array<Record<string, unknown>> {
  const file = join(hj212.profiles!, `${name}.yaml`);
  const { data } = parseYamlSource(file, readFileSync(file, 'utf8'));
  return (data as { points: Array<Record<string, unknown>> }).points;
}

let qnCounter = 0;

/** A data upload as a logger sends it; QN unique per call unless given. */
export function upload(options: { mn?: string; pw?: string; cn?: string; st?: string; flag?: number; qn?: string; cp: string; pnum?: number; pno?: number }): Packet {
  qnCounter++;
  return {
    qn: options.qn ?? `20240101120000${String(qnCounter % 1000).padStart(3, '0')}`,
    st: options.st ?? '22',
    cn: options.cn ?? '2011',
    pw: options.pw ?? PW,
    mn: options.mn ?? AIR_MN,
    flag: options.flag ?? 4,
    ...(options.pnum !== undefined ? { pnum: options.pnum, pno: options.pno! } : {}),
    cp: options.cp,
  };
}

export const frameOf = (p: Packet): Buffer => encodeFrame(formatSegment(p));

/** A TCP client that sends raw bytes and collects the packets the gateway sends back. */
export class RawClient {
  readonly packets: Packet[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const r of this.decoder.push(chunk)) if (r.ok) this.packets.push(parseSegment(r.segment));
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

  sendPacket(p: Packet): void {
    this.send(frameOf(p));
  }

  /** Waits for a packet from the gateway matching `match`. */
  packet(what: string, match: (p: Packet) => boolean): Promise<Packet> {
    return waitFor(what, () => this.packets.find(match));
  }

  waitClosed(what = 'the gateway to close the connection', timeout?: number): Promise<true> {
    return waitFor(what, () => this.closed, timeout === undefined ? {} : { timeout });
  }

  close(): void {
    this.socket.destroy();
  }
}
