/**
 * WS-Discovery (2005/04, the version ONVIF uses) messages: reading a Probe and writing one
 * ProbeMatches per camera. One match per message because that is what clients parse: the `onvif`
 * package reads `ProbeMatches.ProbeMatch` as a single element.
 */
import { randomUUID } from 'node:crypto';
import type { Camera } from '../camera.js';
import { NS } from '../soap/namespaces.js';
import { el, type XmlNode } from '../xml/build.js';
import { child, childText, parseXml } from '../xml/parse.js';

export interface Probe {
  readonly messageId: string | undefined;
  /** Qualified names as sent, e.g. `dn:NetworkVideoTransmitter`; empty = any. */
  readonly types: string[];
  readonly scopes: string[];
}

/** The Probe in a datagram, or undefined for anything else (Hello, Bye, ProbeMatches of other devices, garbage). */
export function readProbe(text: string): Probe | undefined {
  let root;
  try {
    root = parseXml(text);
  } catch {
    return undefined;
  }
  const probe = child(child(root, 'Body'), 'Probe');
  if (root.name !== 'Envelope' || !probe) return undefined;
  const list = (name: string) => (childText(probe, name) ?? '').split(/\s+/).filter((s) => s !== '');
  return { messageId: childText(child(root, 'Header'), 'MessageID'), types: list('Types'), scopes: list('Scopes') };
}

const OUR_TYPES = ['NetworkVideoTransmitter', 'Device'];

/** Types match by local name (prefixes differ between clients); scopes by RFC 3986 prefix, the default rule. */
export function matches(probe: Probe, camera: Camera): boolean {
  const typesOk = probe.types.every((t) => OUR_TYPES.includes(t.slice(t.indexOf(':') + 1)));
  const scopes = camera.scopes();
  const scopesOk = probe.scopes.every((want) => scopes.some((have) => have === want || have.startsWith(want.endsWith('/') ? want : `${want}/`)));
  return typesOk && scopesOk;
}

export function probeMatches(probe: Probe, camera: Camera, messageNumber: number, instanceId: number): Buffer {
  const header: Array<XmlNode | undefined> = [
    el('wsa:MessageID', `urn:uuid:${randomUUID()}`),
    probe.messageId === undefined ? undefined : el('wsa:RelatesTo', probe.messageId),
    el('wsa:To', 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'),
    el('wsa:Action', `${NS.d}/ProbeMatches`),
    el('d:AppSequence', undefined, { InstanceId: instanceId, MessageNumber: messageNumber }),
  ];
  const body = el(
    'd:ProbeMatches',
    el('d:ProbeMatch', [
      el('wsa:EndpointReference', el('wsa:Address', camera.endpointReference)),
      el('d:Types', 'dn:NetworkVideoTransmitter tds:Device'),
      el('d:Scopes', camera.scopes().join(' ')),
      el('d:XAddrs', camera.serviceUrl('device')),
      el('d:MetadataVersion', 1),
    ]),
  );
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    el('env:Envelope', [el('env:Header', header), el('env:Body', body)], {
      'xmlns:env': NS.env,
      'xmlns:wsa': NS.wsa,
      'xmlns:d': NS.d,
      'xmlns:dn': NS.dn,
      'xmlns:tds': NS.tds,
    }).xml;
  return Buffer.from(xml, 'utf8');
}
