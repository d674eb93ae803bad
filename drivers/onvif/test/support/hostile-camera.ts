/**
 * A hostile ONVIF camera for the driver's security tests, on node:http: it answers the operations
 * the driver uses with well-formed SOAP by default, and each answer can be replaced by a test (a
 * pathological body, an endless or dripping reply, a redirect, a Basic challenge). It checks no
 * credential, records every request (which operation, what authorization it carried) and never
 * validates anything: it stands for a camera an attacker controls or impersonates.
 *
 * `startRecorder` is the attacker's second host: any connection to it, HTTP or raw TCP (RTSP), is
 * recorded with everything it sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';

export interface RecordedRequest {
  path: string;
  operation: string;
  /** The HTTP Authorization header, if any. */
  authorization: string | undefined;
  /** The request carried a WS-Security UsernameToken. */
  usernameToken: boolean;
  body: string;
}

/** What a test may answer instead of the default: a whole reply, or a handler that writes it. */
export type Reply = { status?: number; headers?: Record<string, string>; body: string } | ((req: IncomingMessage, res: ServerResponse) => void);

export interface HostileCameraOptions {
  host?: string;
  /** The stream URI GetStreamUri reports (`{base}`, `{host}`, `{port}` are replaced by the camera's own http://host:port, host, port). */
  streamUri?: string;
  snapshotUri?: string;
  /** Replaces the answer to an operation (by its local name, e.g. `GetProfiles`). */
  replies?: Record<string, Reply>;
  /** Answer every request without an Authorization header with this 401 challenge. */
  challenge?: string;
}

export interface HostileCamera {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Sockets the camera has seen close, and how many bytes it had written to each by then. */
  readonly closed: Array<{ operation: string; bytesWritten: number }>;
  replies: Record<string, Reply>;
  close(): Promise<void>;
}

const SOAP = 'application/soap+xml; charset=utf-8';
const NS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl"';

export const envelope = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${NS}><s:Body>${body}</s:Body></s:Envelope>`;

function defaultBody(operation: string, base: string, options: HostileCameraOptions): string | undefined {
  const now = new Date();
  const fill = (template: string) => template.replace('{base}', base).replace('{host}', new URL(base).hostname).replace('{port}', new URL(base).port);
  const stream = fill(options.streamUri ?? 'rtsp://{host}:554/main');
  const snapshot = fill(options.snapshotUri ?? '{base}/snapshot.jpg');
  switch (operation) {
    case 'GetSystemDateAndTime':
      return (
        '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>' +
        `<tt:UTCDateTime><tt:Time><tt:Hour>${now.getUTCHours()}</tt:Hour><tt:Minute>${now.getUTCMinutes()}</tt:Minute><tt:Second>${now.getUTCSeconds()}</tt:Second></tt:Time>` +
        `<tt:Date><tt:Year>${now.getUTCFullYear()}</tt:Year><tt:Month>${now.getUTCMonth() + 1}</tt:Month><tt:Day>${now.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>` +
        '</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>'
      );
    case 'GetServices':
      return (
        '<tds:GetServicesResponse>' +
        `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace><tds:XAddr>${base}/onvif/device_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
        `<tds:Service><tds:Namespace>http://www.onvif.org/ver10/media/wsdl</tds:Namespace><tds:XAddr>${base}/onvif/media_service</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>` +
        '</tds:GetServicesResponse>'
      );
    case 'GetCapabilities':
      return `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device><tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`;
    case 'GetDeviceInformation':
      return '<tds:GetDeviceInformationResponse><tds:Manufacturer>Hostile</tds:Manufacturer><tds:Model>EVIL-1</tds:Model><tds:FirmwareVersion>6.6.6</tds:FirmwareVersion><tds:SerialNumber>0001</tds:SerialNumber><tds:HardwareId>x</tds:HardwareId></tds:GetDeviceInformationResponse>';
    case 'GetProfiles':
      return (
        '<trt:GetProfilesResponse><trt:Profiles token="main" fixed="true"><tt:Name>main</tt:Name>' +
        '<tt:VideoEncoderConfiguration token="enc"><tt:Name>enc</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>' +
        '<tt:Resolution><tt:Width>320</tt:Width><tt:Height>240</tt:Height></tt:Resolution><tt:RateControl><tt:FrameRateLimit>5</tt:FrameRateLimit></tt:RateControl>' +
        '</tt:VideoEncoderConfiguration></trt:Profiles></trt:GetProfilesResponse>'
      );
    case 'GetStreamUri':
      return `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${stream}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`;
    case 'GetSnapshotUri':
      return `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${snapshot}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`;
    default:
      return undefined;
  }
}

/** The first element of the SOAP Body: test code reading its own client's requests. */
const operationOf = (body: string): string => /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([\w-]+)/.exec(body)?.[1] ?? '';

export async function startHostileCamera(options: HostileCameraOptions = {}): Promise<HostileCamera> {
  const requests: RecordedRequest[] = [];
  const closed: HostileCamera['closed'] = [];
  const host = options.host ?? '127.0.0.1';
  let base = '';
  const camera = {
    replies: { ...options.replies },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const operation = operationOf(body);
      requests.push({ path: req.url ?? '', operation, authorization: req.headers.authorization, usernameToken: /UsernameToken/.test(body), body });
      res.socket?.once('close', () => closed.push({ operation, bytesWritten: res.socket?.bytesWritten ?? 0 }));
      if (options.challenge && req.headers.authorization === undefined) {
        res.writeHead(401, { 'WWW-Authenticate': options.challenge, 'Content-Type': 'text/plain' }).end('authorization required\n');
        return;
      }
      const reply = camera.replies[operation];
      if (typeof reply === 'function') return reply(req, res);
      if (reply) {
        res.writeHead(reply.status ?? 200, { 'Content-Type': SOAP, ...reply.headers }).end(reply.body);
        return;
      }
      const answer = defaultBody(operation, base, options);
      if (answer === undefined) {
        res.writeHead(400, { 'Content-Type': SOAP }).end(envelope(`<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">no ${operation}</s:Text></s:Reason></s:Fault>`));
        return;
      }
      res.writeHead(200, { 'Content-Type': SOAP }).end(envelope(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://${host}:${port}`;
  return Object.assign(camera, {
    url: `${base}/onvif/device_service`,
    port,
    requests,
    closed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export interface Recorder {
  readonly host: string;
  readonly port: number;
  /** Everything every connection sent, as text. */
  readonly received: string[];
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * The attacker's host: a TCP listener that records whatever arrives and answers HTTP and RTSP
 * requests with a Basic challenge, the cheapest way to be sent a password.
 */
export async function startRecorder(host = '127.0.0.2'): Promise<Recorder> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: TcpServer = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end === -1) return;
      received.push(text);
      const rtsp = /RTSP\/1\.0\r\n/.test(text);
      const cseq = /CSeq:\s*(\d+)/i.exec(text)?.[1] ?? '1';
      text = '';
      socket.write(rtsp ? `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Basic realm="cam"\r\n\r\n` : 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="cam"\r\nContent-Length: 0\r\n\r\n');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (text) received.push(text);
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    host,
    port: (server.address() as AddressInfo).port,
    received,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
