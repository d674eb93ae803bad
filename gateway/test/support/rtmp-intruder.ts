/**
 * A hostile RTMP client for the relay's tests: it connects, asks to `play` or `publish` a path,
 * and sends the audio, video and data tags of an FLV file right behind the request, in the same
 * write, whatever the server answers. A well-behaved encoder waits for the server's answer; this
 * one does not, which is what a client that means harm does. It speaks just enough RTMP for that:
 * the simple handshake (C0, C1, C2 sent at once), one chunk size for everything, AMF0 commands.
 */
import { connect } from 'node:net';

/** One FLV tag: type 8 audio, 9 video, 18 script data. */
export interface FlvTag {
  type: number;
  timestamp: number;
  data: Buffer;
}

/** The tags of an FLV file (header and back-pointers skipped). */
export function flvTags(file: Buffer): FlvTag[] {
  const tags: FlvTag[] = [];
  let p = file.readUInt32BE(5) + 4;
  while (p + 11 <= file.length) {
    const size = file.readUIntBE(p + 1, 3);
    if (p + 11 + size > file.length) break;
    const timestamp = file.readUIntBE(p + 4, 3) | (file[p + 7]! << 24);
    tags.push({ type: file[p]!, timestamp, data: file.subarray(p + 11, p + 11 + size) });
    p += 11 + size + 4;
  }
  return tags;
}

const amfString = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  const head = Buffer.alloc(3);
  head[0] = 0x02;
  head.writeUInt16BE(b.length, 1);
  return Buffer.concat([head, b]);
};
const amfNumber = (n: number) => {
  const b = Buffer.alloc(9);
  b[0] = 0x00;
  b.writeDoubleBE(n, 1);
  return b;
};
const amfNull = () => Buffer.from([0x05]);
const amfObject = (o: Record<string, string | number>) => {
  const parts: Buffer[] = [Buffer.from([0x03])];
  for (const [k, v] of Object.entries(o)) {
    const key = Buffer.alloc(2);
    key.writeUInt16BE(Buffer.byteLength(k), 0);
    parts.push(key, Buffer.from(k), typeof v === 'string' ? amfString(v) : amfNumber(v));
  }
  parts.push(Buffer.from([0x00, 0x00, 0x09]));
  return Buffer.concat(parts);
};

const CHUNK_SIZE = 1 << 20;

/** One message in one chunk (format 0). */
function message(csid: number, type: number, streamId: number, timestamp: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head[0] = csid;
  head.writeUIntBE(Math.min(timestamp, 0xfffffe), 1, 3);
  head.writeUIntBE(payload.length, 4, 3);
  head[7] = type;
  head.writeUInt32LE(streamId, 8);
  return Buffer.concat([head, payload]);
}

export interface IntrusionOptions {
  port: number;
  host?: string;
  /** `<app>/<name>`, with `?token=...` if it likes. */
  path: string;
  command: 'play' | 'publish';
  tags: readonly FlvTag[];
}

/**
 * Sends everything at once and resolves when the server closes the connection or after
 * `lingerMs`, whichever comes first (the client then closes it).
 */
export function intrude(options: IntrusionOptions, lingerMs = 2000): Promise<void> {
  const [app, name] = options.path.split('/') as [string, string];
  const host = options.host ?? '127.0.0.1';
  const c1 = Buffer.alloc(1536);
  const bytes = [
    Buffer.from([0x03]),
    c1,
    c1, // C2: the server does not check it
    message(2, 1, 0, 0, Buffer.from([(CHUNK_SIZE >>> 24) & 0x7f, (CHUNK_SIZE >>> 16) & 0xff, (CHUNK_SIZE >>> 8) & 0xff, CHUNK_SIZE & 0xff])),
    message(3, 20, 0, 0, Buffer.concat([amfString('connect'), amfNumber(1), amfObject({ app, type: 'nonprivate', tcUrl: `rtmp://${host}:${options.port}/${app}` })])),
    message(3, 20, 0, 0, Buffer.concat([amfString('createStream'), amfNumber(2), amfNull()])),
    message(
      4,
      20,
      1,
      0,
      options.command === 'publish'
        ? Buffer.concat([amfString('publish'), amfNumber(3), amfNull(), amfString(name), amfString('live')])
        : Buffer.concat([amfString('play'), amfNumber(3), amfNull(), amfString(name)]),
    ),
    ...options.tags.map((t) => message(t.type === 9 ? 6 : 5, t.type, 1, t.timestamp, t.data)),
  ];
  return new Promise((resolve) => {
    const socket = connect(options.port, host);
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect', () => socket.write(Buffer.concat(bytes)));
  });
}
