/**
 * Reading ProbeMatches replies: every ProbeMatch of a reply (some devices answer for several
 * cameras, or several services, in one message), with its endpoint reference, types, scopes and
 * service addresses. A datagram is read with the same bounded XML parser as the cameras' SOAP
 * answers (at most 64 KiB anyway); anything that is not a well-formed ProbeMatches answer gives
 * none, and lists and values are cut to bounds, so one hostile answer cannot swell a discovery.
 */
import { child, children, descendant, parseXml, textAt, type XmlElement } from '../soap/xml-tree.js';

export interface ProbeMatch {
  /** The device's stable identity (usually `urn:uuid:...`): the key to de-duplicate by. */
  endpointReference: string;
  types: string[];
  scopes: string[];
  /** Device service URLs. */
  xaddrs: string[];
  metadataVersion?: string;
}

/** ProbeMatch elements read from one datagram, items per list, and characters per value. */
const MAX_MATCHES = 16;
const MAX_ITEMS = 32;
const MAX_VALUE = 512;

const list = (text: string | undefined) =>
  (text ?? '')
    .split(/\s+/)
    .filter((s) => s !== '')
    .slice(0, MAX_ITEMS)
    .map((s) => s.slice(0, MAX_VALUE));

/** The matches in one datagram; anything that is not a ProbeMatches answer gives none. */
export function readProbeMatches(text: string): ProbeMatch[] {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch {
    return [];
  }
  const matches = descendant(child(root, 'Body'), 'ProbeMatches');
  return children(matches, 'ProbeMatch')
    .slice(0, MAX_MATCHES)
    .flatMap((m) => {
      const endpointReference = textAt(m, 'EndpointReference', 'Address')?.slice(0, MAX_VALUE);
      const xaddrs = list(textAt(m, 'XAddrs'));
      if (!endpointReference && xaddrs.length === 0) return [];
      const version = textAt(m, 'MetadataVersion')?.slice(0, 32);
      return [{ endpointReference: endpointReference || xaddrs[0]!, types: list(textAt(m, 'Types')), scopes: list(textAt(m, 'Scopes')), xaddrs, ...(version ? { metadataVersion: version } : {}) }];
    });
}

/** The value of an ONVIF scope such as `onvif://www.onvif.org/name/Street%20Cam`, decoded. */
export function scopeValue(scopes: readonly string[], kind: string): string | undefined {
  const prefix = `onvif://www.onvif.org/${kind}/`;
  const found = scopes.find((s) => s.toLowerCase().startsWith(prefix));
  if (found === undefined) return undefined;
  try {
    return decodeURIComponent(found.slice(prefix.length));
  } catch {
    return found.slice(prefix.length);
  }
}
