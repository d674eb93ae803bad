/**
 * A small XML writer: elements are built from escaped text and already-built children, so a value
 * from a camera spec (a model name with `&`, a URL with `?a=1&b=2`) can never break the document.
 */
export interface XmlNode {
  readonly xml: string;
}

export type XmlContent = XmlNode | string | number | boolean | undefined | null | readonly XmlContent[];
export type XmlAttributes = Record<string, string | number | boolean | undefined>;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function render(content: XmlContent): string {
  if (content === undefined || content === null) return '';
  if (Array.isArray(content)) return content.map(render).join('');
  if (typeof content === 'object') return (content as XmlNode).xml;
  return escapeXml(String(content));
}

/** `<name attrs>content</name>`, or `<name attrs/>` when there is no content. */
export function el(name: string, content?: XmlContent, attributes: XmlAttributes = {}): XmlNode {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const inner = render(content);
  return { xml: inner === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${inner}</${name}>` };
}

/** Several nodes as one, for building element lists. */
export function fragment(...content: XmlContent[]): XmlNode {
  return { xml: render(content) };
}
