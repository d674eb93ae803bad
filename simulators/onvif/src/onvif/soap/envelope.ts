/**
 * SOAP 1.2 responses and faults. Faults follow the ONVIF core spec's table: a code
 * (`env:Sender` for the client's mistakes, `env:Receiver` for the device's), one or two `ter:`
 * subcodes, and the HTTP status of the SOAP 1.2 HTTP binding (400 for Sender, 500 for Receiver).
 */
import { el, type XmlContent, type XmlNode } from '../xml/build.js';
import { ALL_XMLNS } from './namespaces.js';

export function envelope(body: XmlContent, header?: XmlContent): string {
  return '<?xml version="1.0" encoding="UTF-8"?>' + el('env:Envelope', [header === undefined ? undefined : el('env:Header', header), el('env:Body', body)], ALL_XMLNS).xml;
}

export interface SoapFault {
  readonly code: 'env:Sender' | 'env:Receiver';
  /** `ter:` subcodes, outermost first. */
  readonly subcodes: readonly string[];
  readonly reason: string;
  readonly httpStatus: number;
}

export function fault(code: SoapFault['code'], subcodes: readonly string[], reason: string): SoapFault {
  return { code, subcodes, reason, httpStatus: code === 'env:Sender' ? 400 : 500 };
}

export const FAULTS = {
  notAuthorized: () => fault('env:Sender', ['ter:NotAuthorized'], 'Sender not authorized'),
  wellFormed: (why: string) => fault('env:Sender', ['ter:WellFormed'], `XML well-formed violation: ${why}`),
  actionNotSupported: (operation: string) => fault('env:Receiver', ['ter:ActionNotSupported'], `Optional action ${operation} not implemented`),
  invalidArg: (subcode: string, reason: string) => fault('env:Sender', ['ter:InvalidArgVal', subcode], reason),
} as const;

function subcodeXml(subcodes: readonly string[]): XmlNode | undefined {
  const [first, ...rest] = subcodes;
  if (first === undefined) return undefined;
  return el('env:Subcode', [el('env:Value', first), subcodeXml(rest)]);
}

export function faultEnvelope(f: SoapFault): string {
  return envelope(
    el('env:Fault', [
      el('env:Code', [el('env:Value', f.code), subcodeXml(f.subcodes)]),
      el('env:Reason', el('env:Text', f.reason, { 'xml:lang': 'en' })),
    ]),
  );
}
