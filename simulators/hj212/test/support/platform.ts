/**
 * A minimal platform for the tests: a real TCP server on 127.0.0.1 that decodes what stations send
 * with the driver's codec, keeps every chunk, frame and decoding failure per connection, and can
 * acknowledge data (9014) and send commands.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  CN,
  FrameDecoder,
  buildDataAck,
  buildRequest,
  cpFields,
  encodeFrame,
  formatQn,
  formatSegment,
  needsAck,
  parseCp,
  parseSegment,
  type CpField,
  type Packet,
} from '@sensegate/driver-hj212/protocol';
import { waitFor } from '@sensegate/sdk/testing';

export interface Received {
  packet: Packet;
  fields: Map<string, string>;
  connection: number;
}

export interface Connection {
  id: number;
  socket: Socket;
  chunks: Buffer[];
  closed: boolean;
}

export class TestPlatform {
  readonly connections: Connection[] = [];
  readonly frames: Received[] = [];
  readonly failures: Array<{ message: string; excerpt: string; connection: number }> = [];
  /** Answer every Flag=5 data frame with a 9014. */
  autoAck = false;
  private qnCounter = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(options: { autoAck?: boolean } = {}): Promise<TestPlatform> {
    let platform: TestPlatform | undefined;
    const server = createServer((socket) => platform!.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    platform = new TestPlatform(server, (server.address() as { port: number }).port);
    platform.autoAck = options.autoAck ?? false;
    return platform;
  }

  private accept(socket: Socket): void {
    const connection: Connection = { id: this.connections.length + 1, socket, chunks: [], closed: false };
    this.connections.push(connection);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      connection.chunks.push(chunk);
      for (const result of decoder.push(chunk)) {
        if (!result.ok) {
          this.failures.push({ message: result.error.message, excerpt: result.excerpt, connection: connection.id });
          continue;
        }
        const packet = parseSegment(result.segment);
        this.frames.push({ packet, fields: cpFields(parseCp(packet.cp)), connection: connection.id });
        if (this.autoAck && needsAck(packet.flag)) this.sendTo(connection, buildDataAck(packet));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => (connection.closed = true));
  }

  /** Frames with this CN, in arrival order. */
  framesOf(cn: string, mn?: string): Received[] {
    return this.frames.filter((f) => f.packet.cn === cn && (mn === undefined || f.packet.mn === mn));
  }

  /** Waits until `count` frames with this CN arrived (after `from` frames of it), and returns them. */
  async waitForFrames(cn: string, count: number, options: { from?: number; mn?: string; timeout?: number } = {}): Promise<Received[]> {
    const from = options.from ?? 0;
    return waitFor(
      `${count} frames with CN ${cn} (have ${this.framesOf(cn, options.mn).length - from}; failures: ${this.failures.map((f) => f.message).join(' | ')})`,
      () => {
        const got = this.framesOf(cn, options.mn).slice(from);
        return got.length >= count ? got.slice(0, count) : undefined;
      },
      { timeout: options.timeout ?? 20_000 },
    );
  }

  get open(): Connection[] {
    return this.connections.filter((c) => !c.closed);
  }

  sendTo(connection: Connection, packet: Packet): void {
    connection.socket.write(encodeFrame(formatSegment(packet)));
  }

  /** Writes raw bytes to the newest open connection. */
  sendRaw(bytes: Buffer | string): void {
    this.newest().socket.write(bytes);
  }

  /** Sends a command to the newest open connection; returns its QN. */
  command(cn: string, fields: CpField[], station: { mn: string; password: string; st?: string }): string {
    // QNs must differ even when two commands leave in the same millisecond.
    const qn = formatQn(Date.now() + this.qnCounter++, 'Asia/Shanghai');
    this.sendTo(this.newest(), buildRequest({ qn, st: station.st ?? '22', cn, pw: station.password, mn: station.mn, fields }));
    return qn;
  }

  /** The replies (9011, data, 9012) to the command with this QN once its 9012 (or a refusing 9011) arrived. */
  async replies(qn: string): Promise<Received[]> {
    return waitFor(`the replies to QN ${qn}`, () => {
      const got = this.frames.filter((f) => f.packet.qn === qn);
      const done = got.some((f) => f.packet.cn === CN.EXECUTION_RESULT || (f.packet.cn === CN.REQUEST_REPLY && f.fields.get('QnRtn') !== '1'));
      return done ? got : undefined;
    });
  }

  /** Closes every open connection from this side. */
  dropAll(): void {
    for (const c of this.open) c.socket.destroy();
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private newest(): Connection {
    const open = this.open;
    if (open.length === 0) throw new Error('no station is connected');
    return open[open.length - 1]!;
  }
}
