/**
 * RTSP 1.0 on the wire: requests and `$` interleaved frames read from one byte stream, and
 * responses written back. The reader never throws: bytes it cannot read become one `bad` item,
 * after which the connection is answered 400 and closed (there is no way to find the next request
 * in garbage).
 */

export interface RtspRequest {
  method: string;
  /** The request URI as sent: `rtsp://host:port/cam1/main`, or `*`. */
  uri: string;
  version: string;
  /** Header values by lower-case name; a header sent twice has two values. */
  headers: Map<string, string[]>;
  body: Buffer;
}

export type Incoming =
  | { kind: 'request'; request: RtspRequest }
  | { kind: 'interleaved'; channel: number; data: Buffer }
  | { kind: 'bad'; status: 400 | 413; reason: string };

export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_BODY_BYTES = 64 * 1024;
const REQUEST_LINE = /^([A-Za-z_]{1,32}) (\S{1,4096}) (RTSP\/\d\.\d)$/;
const DOLLAR = 0x24;

export function header(request: RtspRequest, name: string): string | undefined {
  return request.headers.get(name.toLowerCase())?.[0];
}

/** Where the header block ends (after its empty line), tolerating bare LF line ends; -1 if not yet. */
function headerEnd(buffer: Buffer, from: number): number {
  for (let i = from; i < buffer.length; i++) {
    if (buffer[i] !== 0x0a) continue;
    if (buffer[i + 1] === 0x0a) return i + 2;
    if (buffer[i + 1] === 0x0d && buffer[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/** Incremental reader for one connection. */
export class RtspReader {
  private buffer: Buffer = Buffer.alloc(0);
  private failed = false;

  push(chunk: Buffer): Incoming[] {
    if (this.failed) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: Incoming[] = [];
    let at = 0;
    for (;;) {
      // Blank lines between messages are allowed (some clients end requests with an extra CRLF).
      while (at < this.buffer.length && (this.buffer[at] === 0x0d || this.buffer[at] === 0x0a)) at++;
      if (at >= this.buffer.length) break;
      if (this.buffer[at] === DOLLAR) {
        if (this.buffer.length - at < 4) break;
        const length = this.buffer.readUInt16BE(at + 2);
        if (this.buffer.length - at < 4 + length) break;
        out.push({ kind: 'interleaved', channel: this.buffer[at + 1]!, data: this.buffer.subarray(at + 4, at + 4 + length) });
        at += 4 + length;
        continue;
      }
      const result = this.request(at);
      if (result === undefined) break;
      if ('bad' in result) {
        this.failed = true;
        out.push(result.bad);
        this.buffer = Buffer.alloc(0);
        return out;
      }
      out.push({ kind: 'request', request: result.request });
      at = result.next;
    }
    // Keep only the unread tail (interleaved payloads handed out above are views of the old buffer).
    this.buffer = at === 0 ? this.buffer : Buffer.from(this.buffer.subarray(at));
    return out;
  }

  private request(at: number): { request: RtspRequest; next: number } | { bad: Incoming & { kind: 'bad' } } | undefined {
    const buffer = this.buffer;
    const lineEnd = buffer.indexOf(0x0a, at);
    if (lineEnd === -1) {
      return buffer.length - at > 4096 ? { bad: { kind: 'bad', status: 400, reason: 'request line too long' } } : undefined;
    }
    const requestLine = buffer.toString('latin1', at, lineEnd).replace(/\r$/, '');
    const match = REQUEST_LINE.exec(requestLine);
    if (!match) return { bad: { kind: 'bad', status: 400, reason: 'not an RTSP request line' } };
    const end = headerEnd(buffer, lineEnd);
    if (end === -1) {
      return buffer.length - at > MAX_HEADER_BYTES ? { bad: { kind: 'bad', status: 400, reason: 'header block too long' } } : undefined;
    }
    if (end - at > MAX_HEADER_BYTES) return { bad: { kind: 'bad', status: 400, reason: 'header block too long' } };
    const headers = new Map<string, string[]>();
    const lines = buffer.toString('latin1', lineEnd + 1, end).split(/\r?\n/);
    for (const line of lines) {
      if (line === '') continue;
      if (/^[ \t]/.test(line)) {
        // An obsolete folded continuation line belongs to the header before it.
        const last = [...headers.values()].at(-1);
        if (!last) return { bad: { kind: 'bad', status: 400, reason: 'a header line starts with a space' } };
        last[last.length - 1] += ` ${line.trim()}`;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) return { bad: { kind: 'bad', status: 400, reason: `not a header line: ${line.slice(0, 40)}` } };
      const name = line.slice(0, colon).trim().toLowerCase();
      const values = headers.get(name) ?? [];
      values.push(line.slice(colon + 1).trim());
      headers.set(name, values);
    }
    const lengthText = headers.get('content-length')?.[0];
    const length = lengthText === undefined ? 0 : Number(lengthText);
    if (!/^\d{1,9}$/.test(lengthText ?? '0')) return { bad: { kind: 'bad', status: 400, reason: 'bad Content-Length' } };
    if (length > MAX_BODY_BYTES) return { bad: { kind: 'bad', status: 413, reason: `body over ${MAX_BODY_BYTES} bytes` } };
    if (buffer.length - end < length) return undefined;
    const request: RtspRequest = {
      method: match[1]!.toUpperCase(),
      uri: match[2]!,
      version: match[3]!,
      headers,
      body: Buffer.from(buffer.subarray(end, end + length)),
    };
    return { request, next: end + length };
  }
}

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  459: 'Aggregate Operation Not Allowed',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'RTSP Version Not Supported',
  551: 'Option Not Supported',
};

export interface RtspResponse {
  status: number;
  headers?: Array<[string, string]>;
  body?: string | Buffer;
  /** Content-Type of the body (default text/plain for a string body). */
  contentType?: string;
}

export const SERVER_NAME = 'sensegate-sim-onvif';

export function formatResponse(response: RtspResponse, cseq: string | undefined): Buffer {
  const lines = [`RTSP/1.0 ${response.status} ${STATUS_TEXT[response.status] ?? 'Unknown'}`];
  if (cseq !== undefined) lines.push(`CSeq: ${cseq}`);
  lines.push(`Server: ${SERVER_NAME}`, `Date: ${new Date().toUTCString()}`);
  for (const [name, value] of response.headers ?? []) lines.push(`${name}: ${value}`);
  const body = response.body === undefined ? undefined : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body, 'utf8');
  if (body !== undefined && body.length > 0) {
    lines.push(`Content-Type: ${response.contentType ?? 'text/plain; charset=utf-8'}`, `Content-Length: ${body.length}`);
  }
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  return body !== undefined && body.length > 0 ? Buffer.concat([head, body]) : head;
}

/** A `$` frame: channel, 16-bit length, payload. */
export function interleavedFrame(channel: number, data: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(4 + data.length);
  frame[0] = DOLLAR;
  frame[1] = channel;
  frame.writeUInt16BE(data.length, 2);
  data.copy(frame, 4);
  return frame;
}
