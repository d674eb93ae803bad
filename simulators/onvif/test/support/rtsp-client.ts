/**
 * A bare RTSP client over a TCP socket for the protocol tests: sends requests (or any bytes),
 * reads responses and `$` interleaved frames as they come, and can publish like an encoder.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';

export interface Response {
  status: number;
  reason: string;
  headers: Map<string, string[]>;
  body: string;
  header(name: string): string | undefined;
}

export interface Frame {
  channel: number;
  data: Buffer;
}

export class RawRtsp {
  readonly responses: Response[] = [];
  readonly frames: Frame[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private cseq = 0;
  private taken = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  static async open(t: TestContext, port: number, host = '127.0.0.1'): Promise<RawRtsp> {
    const socket = connect(port, host);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawRtsp(socket);
    t.after(() => socket.destroy());
    return client;
  }

  /** Sends a request and waits for its response. */
  async request(method: string, uri: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++this.cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    this.socket.write(lines.join('\r\n') + '\r\n\r\n' + (body ?? ''));
    return this.next();
  }

  /** The next response not yet taken. */
  async next(): Promise<Response> {
    const response = await waitFor(`an RTSP response (closed: ${this.closed})`, () => this.responses[this.taken], { timeout: 10_000 });
    this.taken++;
    return response;
  }

  send(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a `$` frame. */
  interleave(channel: number, data: Buffer): void {
    const head = Buffer.from([0x24, channel, data.length >> 8, data.length & 0xff]);
    this.socket.write(Buffer.concat([head, data]));
  }

  async whenClosed(): Promise<void> {
    await waitFor('the server to close the connection', () => this.closed, { timeout: 10_000 });
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length === 0) return;
      if (this.buffer[0] === 0x24) {
        if (this.buffer.length < 4) return;
        const length = this.buffer.readUInt16BE(2);
        if (this.buffer.length < 4 + length) return;
        this.frames.push({ channel: this.buffer[1]!, data: Buffer.from(this.buffer.subarray(4, 4 + length)) });
        this.buffer = this.buffer.subarray(4 + length);
        continue;
      }
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const [statusLine = '', ...headerLines] = this.buffer.toString('latin1', 0, end).split('\r\n');
      const headers = new Map<string, string[]>();
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
      }
      const length = Number(headers.get('content-length')?.[0] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      const match = /^RTSP\/1\.0 (\d{3}) (.*)$/.exec(statusLine);
      this.responses.push({
        status: match ? Number(match[1]) : 0,
        reason: match?.[2] ?? statusLine,
        headers,
        body: this.buffer.toString('utf8', end + 4, end + 4 + length),
        header: (name) => headers.get(name.toLowerCase())?.[0],
      });
      this.buffer = this.buffer.subarray(end + 4 + length);
    }
  }
}

/** `Authorization: Digest ...` answering a challenge, computed here independently of the server's code. */
export function digestAuthorization(
  challenge: string,
  account: { user: string; password: string },
  method: string,
  uri: string,
): string {
  const param = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(challenge)?.[1] ?? '';
  const realm = param('realm');
  const nonce = param('nonce');
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const ha1 = md5(`${account.user}:${realm}:${account.password}`);
  const ha2 = md5(`${method}:${uri}`);
  if (/qop="?auth/.test(challenge)) {
    const cnonce = 'c0ffee';
    const nc = '00000001';
    const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return `Digest username="${account.user}", realm="${realm}", nonce="${nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", algorithm=MD5`;
  }
  return `Digest username="${account.user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${md5(`${ha1}:${nonce}:${ha2}`)}"`;
}

export function basicAuthorization(account: { user: string; password: string }): string {
  return `Basic ${Buffer.from(`${account.user}:${account.password}`).toString('base64')}`;
}

/** An RTP packet: version 2, payload type 96, the given H.264 payload. */
export function rtpPacket(seq: number, timestamp: number, payload: Buffer, marker = true): Buffer {
  const head = Buffer.alloc(12);
  head[0] = 0x80;
  head[1] = (marker ? 0x80 : 0) | 96;
  head.writeUInt16BE(seq & 0xffff, 2);
  head.writeUInt32BE(timestamp >>> 0, 4);
  head.writeUInt32BE(0x5e5e5e5e, 8);
  return Buffer.concat([head, payload]);
}

/** H.264 payloads: an IDR slice (a keyframe) or a non-IDR slice, padded to `size` bytes. */
export const idr = (size = 100): Buffer => Buffer.concat([Buffer.from([0x65]), Buffer.alloc(size - 1, 0x11)]);
export const slice = (size = 100): Buffer => Buffer.concat([Buffer.from([0x41]), Buffer.alloc(size - 1, 0x22)]);

export const SDP = [
  'v=0',
  'o=- 0 0 IN IP4 127.0.0.1',
  's=test',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=video 0 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=1',
  'a=control:streamid=0',
  '',
].join('\r\n');
