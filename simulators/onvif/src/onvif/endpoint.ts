/**
 * One camera's HTTP server: routes `/onvif/<service>` paths to the services, reads the SOAP
 * request, admits it through the AuthGate and writes the response or a SOAP fault. Nothing a
 * client sends can crash it: bad XML is a 400 fault, an operation's bug a 500 fault.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@sensegate/sdk';
import { AuthGate } from './auth/gate.js';
import { SERVICE_PATHS, SUBSCRIPTION_PREFIX, type Camera } from './camera.js';
import { allServices } from './services/device.js';
import { FaultError } from './services/service.js';
import { envelope, fault, faultEnvelope, FAULTS, type SoapFault } from './soap/envelope.js';
import { parseSoapRequest } from './soap/request.js';
import { XmlSyntaxError } from './xml/parse.js';

const MAX_BODY_BYTES = 1 << 20;
const SOAP_TYPE = 'application/soap+xml; charset=utf-8';

export interface CameraEndpoint {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': SOAP_TYPE, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendFault(res: ServerResponse, f: SoapFault, headers?: Record<string, string>, status = f.httpStatus): void {
  send(res, status, faultEnvelope(f), headers);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startCameraEndpoint(camera: Camera, options: { host: string; port: number; credentials: { user: string; password: string }; logger: Logger }): Promise<CameraEndpoint> {
  const gate = new AuthGate(options.credentials);
  const log = options.logger.child({ camera: camera.id });
  const services = allServices();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    // A pull point lives at /onvif/events_service/subscription/<n>, served by the events service.
    const servicePath = path.startsWith(SUBSCRIPTION_PREFIX) ? SERVICE_PATHS.events : path;
    const service = services.find((s) => SERVICE_PATHS[s.name] === servicePath);
    if (!service) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`no ONVIF service at ${path}; the device service is ${SERVICE_PATHS.device}\n`);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('ONVIF services take SOAP requests by POST\n');
      return;
    }
    const text = await readBody(req);
    camera.requests++;
    if (text === undefined) return sendFault(res, fault('env:Sender', ['ter:InvalidArgVal'], `request larger than ${MAX_BODY_BYTES} bytes`), { Connection: 'close' }, 413);
    let request;
    try {
      request = parseSoapRequest(text);
    } catch (err) {
      if (err instanceof XmlSyntaxError) return sendFault(res, FAULTS.wellFormed(err.message));
      throw err;
    }
    const admission = gate.admit({
      request,
      open: service.open.has(request.operation),
      failAuth: camera.failAuth,
      cameraNow: camera.now(),
      authorization: req.headers.authorization,
      method: req.method,
    });
    if (!admission.ok) {
      if (admission.failure) camera.authFailures++;
      log.debug({ operation: request.operation, why: admission.why }, 'request not authorized');
      return sendFault(res, FAULTS.notAuthorized(), admission.challenge ? { 'WWW-Authenticate': admission.challenge } : {}, admission.status);
    }
    const operation = service.operations[request.operation];
    if (!operation) return sendFault(res, FAULTS.actionNotSupported(request.operation));
    try {
      send(res, 200, envelope(await operation(camera, request, path)));
    } catch (err) {
      if (err instanceof FaultError) return sendFault(res, err.fault);
      throw err;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'ONVIF request failed');
      if (!res.headersSent) sendFault(res, fault('env:Receiver', ['ter:Action'], 'internal error'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
