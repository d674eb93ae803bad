/**
 * A higher HJ 212 platform for tests: a real TCP server that decodes what the gateway's relay sends,
 * answers 9014 when asked (or stays silent, to test acknowledgement timeouts), and keeps every
 * packet it accepted. It can be stopped and started again on the same port to make an outage.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { buildDataAck, cpRecords, encodeFrame, FrameDecoder, formatSegment, needsAck, parseCp, parseSegment, type CpRecord, type Packet } from '@sensegate/driver-hj212/protocol';

export interface ReceivedPacket {
  packet: Packet;
  records: CpRecord[];
}

export class TestPlatform {
  readonly received: ReceivedPacket[] = [];
  /** Answer packets that ask for it with CN 9014. */
  acknowledge = true;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(public port: number) {}

  static async start(port = 0): Promise<TestPlatform> {
    const platform = new TestPlatform(port);
    await platform.listen();
    return platform;
  }

  async listen(): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const result of decoder.push(chunk)) {
        if (!result.ok) continue;
        const packet = parseSegment(result.segment);
        this.received.push({ packet, records: cpRecords(parseCp(packet.cp)) });
        if (this.acknowledge && packet.flag !== undefined && needsAck(packet.flag)) {
          socket.write(encodeFrame(formatSegment(buildDataAck(packet))));
        }
      }
    });
  }

  /** Stops listening and drops every connection: an outage. `listen()` brings it back on the same port. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Every value received for one station and CN, as `DataTime code-field` -> value. */
  values(mn: string, cn: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const { packet, records } of this.received) {
      if (packet.mn !== mn || packet.cn !== cn) continue;
      for (const record of records) for (const v of record.values) out.set(`${record.dataTime} ${v.code}-${v.field}`, v.value);
    }
    return out;
  }
}
