/**
 * Reading values out of raw SOAP text and out of the `onvif` package's parsed bodies (xml2js objects
 * with namespace prefixes removed and the first letter of element names lowered). Raw text is used
 * where the package would turn a numeric string into a number (serial numbers, tokens).
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? _;
  });
}

/** The text of the first element with this local name, whatever its prefix. */
export function elementText(xml: string, localName: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*)?>([^<]*)</(?:[\\w.-]+:)?${localName}>`).exec(xml);
  return m ? decodeEntities(m[1]!.trim()) : undefined;
}

/** Every element with this local name: its attributes text and its inner XML. */
export function elements(xml: string, localName: string): Array<{ attributes: string; inner: string }> {
  const re = new RegExp(`<(?:[\\w.-]+:)?${localName}(\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${localName}>)`, 'g');
  return [...xml.matchAll(re)].map((m) => ({ attributes: m[1] ?? '', inner: m[2] ?? '' }));
}

export function attribute(attributes: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)(?:[\\w.-]+:)?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attributes);
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : undefined;
}

// xml2js bodies: every element is an array of nodes; a node is a string or { _, $, ...children }.
export type ParsedNode = string | { _?: string; $?: Record<string, string>; [child: string]: unknown };

export function childNodes(node: unknown, name: string): ParsedNode[] {
  if (!node || typeof node !== 'object') return [];
  const value = (node as Record<string, unknown>)[name];
  return Array.isArray(value) ? (value as ParsedNode[]) : [];
}

export function childNode(node: unknown, name: string): ParsedNode | undefined {
  return childNodes(node, name)[0];
}

export function nodeText(node: ParsedNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node.trim();
  return typeof node._ === 'string' ? node._.trim() : undefined;
}

export function nodeAttributes(node: ParsedNode | undefined): Record<string, string> {
  return node && typeof node === 'object' && node.$ ? node.$ : {};
}
