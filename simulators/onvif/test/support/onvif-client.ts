/**
 * The gateway's real ONVIF client (the `onvif` package) and raw SOAP / WS-Discovery senders for
 * the ONVIF services tests. Everything started here is closed when the test ends.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { TestContext } from 'node:test';
import onvif from 'onvif';
import { startOnvifServices, type OnvifCameraSpec, type OnvifServices, type OnvifServicesOptions } from '../../src/onvif/index.js';

export const { Cam } = onvif;
export type Cam = InstanceType<typeof onvif.Cam>;

export function cameraSpec(id: string, extra: Partial<OnvifCameraSpec> = {}): OnvifCameraSpec {
  return { id, rtspUrl: `rtsp://127.0.0.1:8554/${id}/main`, snapshotUrl: `http://127.0.0.1:8080/${id}/snapshot.jpg`, ...extra };
}

/** ONVIF services on free ports, multicast off unless asked, closed after the test. */
export async function startServices(t: TestContext, options: Partial<OnvifServicesOptions> = {}): Promise<OnvifServices> {
  const services = await startOnvifServices({ cameras: [cameraSpec('cam1')], port: 0, ...options, discovery: { multicast: false, unicastPort: 0, ...options.discovery } });
  t.after(() => services.close());
  return services;
}

/** `new Cam(...)` as a promise: the connected camera, or the connect error. */
export function connectCam(url: string, username = 'admin', password = 'admin', extra: Record<string, unknown> = {}): Promise<Cam> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const cam = new Cam({ hostname, port: Number(port), username, password, timeout: 5000, ...extra }, (err) => (err ? reject(err) : resolve(cam)));
  });
}

/** A callback method of Cam as a promise. */
export function call<T = any>(cam: Cam, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    (cam as any)[method](...args, (err: Error | null, data: T) => (err ? reject(err) : resolve(data)));
  });
}

export interface SoapReply {
  status: number;
  text: string;
  headers: Headers;
}

export async function postSoap(url: string, body: string, headers: Record<string, string> = {}): Promise<SoapReply> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', ...headers } });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** A UsernameToken header made with the clock `nowMs`, as a client that does (or does not) correct for the camera's clock. */
export function securityHeader(user: string, password: string, nowMs: number): string {
  const nonce = randomBytes(16);
  const created = new Date(nowMs).toISOString();
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)])).digest('base64');
  return (
    '<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>' +
    `<Username>${user}</Username>` +
    `<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</Password>` +
    `<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</Nonce>` +
    `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created>` +
    '</UsernameToken></Security>'
  );
}

export function soapEnvelope(operation: string, header = ''): string {
  return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header>${header}</s:Header><s:Body>${operation}</s:Body></s:Envelope>`;
}

/** The Probe the `onvif` package's Discovery.probe() sends (node_modules/onvif/lib/discovery.js), byte for byte. */
export function onvifProbe(messageId: string): Buffer {
  return Buffer.from(
    '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
      '<Header>' +
      '<wsa:MessageID xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">' + messageId + '</wsa:MessageID>' +
      '<wsa:To xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>' +
      '<wsa:Action xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>' +
      '</Header>' +
      '<Body>' +
      '<Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<Types>dn:NetworkVideoTransmitter</Types>' +
      '<Scopes />' +
      '</Probe>' +
      '</Body>' +
      '</Envelope>',
  );
}

/**
 * Sends `message` to host:port over UDP and collects the datagrams that come back: `expect` of
 * them, or whatever arrived within `waitMs` (then a few more that arrive late would be missed).
 */
export async function sendProbe(host: string, port: number, message: Buffer, { expect = Infinity, waitMs = 1000 } = {}): Promise<string[]> {
  const socket = createSocket('udp4');
  const replies: string[] = [];
  let enough = () => {};
  const done = new Promise<void>((resolve) => (enough = resolve));
  socket.on('message', (msg) => {
    replies.push(msg.toString('utf8'));
    if (replies.length >= expect) enough();
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  await new Promise<void>((resolve, reject) => socket.send(message, port, host, (err) => (err ? reject(err) : resolve())));
  const timer = setTimeout(enough, waitMs);
  await done;
  clearTimeout(timer);
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return replies;
}

export const newMessageId = (): string => `urn:uuid:${randomUUID()}`;
