/**
 * Reading ProbeMatches replies: every ProbeMatch of a reply (some devices answer for several
 * cameras, or several services, in one message), with its endpoint reference, types, scopes and
 * service addresses.
 */
import { elementText, elements } from '../camera/xml-text.js';

export interface ProbeMatch {
  /** The device's stable identity (usually `urn:uuid:...`): the key to de-duplicate by. */
  endpointReference: string;
  types: string[];
  scopes: string[];
  /** Device service URLs. */
  xaddrs: string[];
  metadataVersion?: string;
}

const list = (text: string | undefined) => (text ?? '').split(/\s+/).filter((s) => s !== '');

/** The matches in one datagram; anything that is not a ProbeMatches answer gives none. */
export function readProbeMatches(text: string): ProbeMatch[] {
  if (!/ProbeMatches/.test(text)) return [];
  return elements(text, 'ProbeMatch').flatMap(({ inner }) => {
    const reference = elements(inner, 'EndpointReference')[0];
    const endpointReference = reference ? elementText(reference.inner, 'Address') : undefined;
    const xaddrs = list(elementText(inner, 'XAddrs'));
    if (!endpointReference && xaddrs.length === 0) return [];
    const version = elementText(inner, 'MetadataVersion');
    return [{ endpointReference: endpointReference ?? xaddrs[0]!, types: list(elementText(inner, 'Types')), scopes: list(elementText(inner, 'Scopes')), xaddrs, ...(version ? { metadataVersion: version } : {}) }];
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
