/**
 * A minimal centre for the simulator's tests, on a real port-0 server: it decodes what the station
 * sends and answers reports the way the standard asks (ESC or EOT; ACK for a packet), so the
 * simulator is tested against the protocol, not against the driver.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { END, FrameDecoder, decodeBody, encodeConfirmation, isConfirmed, type DecodeResult, type Frame } from '@sensegate/driver-sl651/protocol';

export interface Received {
  connection: number;
  result: DecodeResult;
}

export class FakeCentre {
  readonly received: Received[] = [];
  connections = 0;
  closed = 0;
  /** End byte of confirmations: ESC (stay online) or EOT (hang up). */
  end: number = END.ESC;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port = 0): Promise<FakeCentre> {
    let centre: FakeCentre | undefined;
    const server = createServer((socket) => centre!.accept(socket));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const address = server.address();
    centre = new FakeCentre(server, typeof address === 'object' && address ? address.port : port);
    return centre;
  }

  /** Frames that decoded, in order. */
  get frames(): Frame[] {
    return this.received.flatMap((r) => (r.result.ok ? [r.result.frame] : []));
  }

  /** Errors (bad CRC, garbage, ...), by status. */
  get errors(): string[] {
    return this.received.flatMap((r) => (r.result.ok ? [] : [r.result.error.status ?? r.result.error.code]));
  }

  private accept(socket: Socket): void {
    const n = ++this.connections;
    this.sockets.add(socket);
    const decoder = new FrameDecoder();
    // Serial number and send time of a multi-packet message: they are in its first packet.
    let packetHead: Uint8Array = new Uint8Array(0);
    socket.on('data', (chunk: Buffer) => {
      for (const result of decoder.push(chunk)) {
        this.received.push({ connection: n, result });
        if (!result.ok) continue;
        const { frame } = result;
        if (frame.packet?.sequence === 1) packetHead = frame.body.subarray(0, 8);
        if (frame.packet && frame.end === END.ETB) socket.write(encodeConfirmation(frame, packetHead, END.ACK));
        else if (frame.packet) socket.write(encodeConfirmation(frame, packetHead, this.end));
        else if (isConfirmed(frame.functionCode)) socket.write(encodeConfirmation(frame, decodeBody(frame.functionCode, frame.body).head, this.end));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed++;
      this.sockets.delete(socket);
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
