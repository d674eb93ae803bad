/**
 * SOAP 1.2 request envelopes for ONVIF: the namespaces the driver uses, escaping of every value
 * that goes into a request, and the WS-Security UsernameToken (PasswordDigest), made with the
 * camera's clock because cameras refuse tokens whose `Created` is far from their own time.
 */
import { createHash, randomBytes } from 'node:crypto';

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
} as const;

const PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const BASE64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

/** Text or attribute value made safe inside XML. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One operation's body element and its SOAP action (`<namespace>/<Operation>`). */
export interface Operation {
  readonly name: string;
  readonly action: string;
  readonly xml: string;
}

export function operation(ns: string, name: string, inner = ''): Operation {
  return { name, action: `${ns}/${name}`, xml: inner === '' ? `<${name} xmlns="${ns}"/>` : `<${name} xmlns="${ns}">${inner}</${name}>` };
}

/** `<Name>value</Name>` with the value escaped. */
export function element(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * The UsernameToken header: Base64(SHA-1(nonce + created + password)), `created` being the
 * camera's time. The password itself never appears in the request.
 */
export function usernameToken(user: string, password: string, cameraTimeMs: number): string {
  const nonce = randomBytes(16);
  const created = new Date(cameraTimeMs).toISOString();
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest('base64');
  return (
    `<Security s:mustUnderstand="1" xmlns="${NS.wsse}"><UsernameToken>` +
    `<Username>${escapeXml(user)}</Username>` +
    `<Password Type="${PASSWORD_DIGEST}">${digest}</Password>` +
    `<Nonce EncodingType="${BASE64}">${nonce.toString('base64')}</Nonce>` +
    `<Created xmlns="${NS.wsu}">${created}</Created>` +
    '</UsernameToken></Security>'
  );
}

/** The whole request: header blocks (already XML) and the body element. */
export function envelope(body: string, header = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.wsa}">` +
    (header ? `<s:Header>${header}</s:Header>` : '') +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}
