/**
 * Device XML (SOAP replies, WS-Discovery datagrams) read into a small element tree, within bounds.
 * The parser is saxes, a streaming, character-by-character parser: its time is linear in the input
 * and it can be fed chunk by chunk as a reply arrives, so a large answer never parses in one long
 * turn of the event loop. On top of it this file enforces what a device may send: at most
 * `maxElements` elements, `maxDepth` nesting, `maxAttributes` attributes per element and
 * `maxTextLength` characters of text per element; a document type declaration is refused (SOAP
 * forbids it, and it is how entity-expansion attacks start), and entities other than XML's five
 * and character references are errors, never expanded. A breach stops the parse at once.
 *
 * Elements keep their local name and namespace URI (`urn:undeclared:<prefix>` for a prefix the
 * document forgot to declare); attributes are keyed by local name, namespace declarations left
 * out. Nothing here knows ONVIF.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

export interface XmlElement {
  /** Local name, without its prefix. */
  readonly name: string;
  /** Namespace URI, '' when none. */
  readonly ns: string;
  /** Attribute values by local name. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own character data (CDATA included), as sent. */
  text: string;
}

export interface XmlLimits {
  maxElements: number;
  maxDepth: number;
  maxAttributes: number;
  maxTextLength: number;
}

/** Generous for any ONVIF answer (a PullMessages of 100 messages is about 1,500 elements). */
export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = { maxElements: 10_000, maxDepth: 64, maxAttributes: 64, maxTextLength: 64 * 1024 };

/** The document is not well-formed XML (or has a DOCTYPE). */
export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

/** The document went beyond one of the limits; `limit` names which. */
export class XmlLimitError extends Error {
  override readonly name = 'XmlLimitError';
  constructor(
    readonly limit: keyof XmlLimits,
    message: string,
  ) {
    super(message);
  }
}

/** Builds the tree from chunks of text as they arrive; `close()` returns the root. */
export class XmlTreeBuilder {
  // An undeclared prefix is tolerated (some devices forget a declaration): elements are read by local name anyway.
  private readonly parser = new SaxesParser({ xmlns: true, position: true, resolvePrefix: (prefix: string) => `urn:undeclared:${prefix}` });
  private readonly stack: XmlElement[] = [];
  private root: XmlElement | undefined;
  private elements = 0;
  private attributes = 0;

  constructor(private readonly limits: XmlLimits = DEFAULT_XML_LIMITS) {
    const p = this.parser;
    p.on('error', (err) => {
      throw new XmlSyntaxError(err.message.slice(0, 200));
    });
    p.on('doctype', () => {
      throw new XmlSyntaxError('a document type declaration (DOCTYPE) is not allowed in a device answer');
    });
    p.on('opentagstart', () => {
      // Checked before saxes resolves namespaces, whose cost grows with depth.
      if (++this.elements > limits.maxElements) throw new XmlLimitError('maxElements', `more than ${limits.maxElements} XML elements`);
      if (this.stack.length + 1 > limits.maxDepth) throw new XmlLimitError('maxDepth', `XML nested deeper than ${limits.maxDepth} elements`);
      this.attributes = 0;
    });
    p.on('attribute', () => {
      if (++this.attributes > limits.maxAttributes) throw new XmlLimitError('maxAttributes', `an XML element with more than ${limits.maxAttributes} attributes`);
    });
    p.on('opentag', (tag) => this.open(tag));
    p.on('closetag', () => {
      this.stack.pop();
    });
    p.on('text', (text) => this.addText(text));
    p.on('cdata', (text) => this.addText(text));
  }

  write(chunk: string): void {
    this.parser.write(chunk);
  }

  /** Ends the document: throws XmlSyntaxError when it is incomplete. */
  close(): XmlElement {
    this.parser.close();
    if (!this.root) throw new XmlSyntaxError('no XML element');
    return this.root;
  }

  private open(tag: SaxesTagNS): void {
    const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attributes[a.local] = a.value;
    }
    const element: XmlElement = { name: tag.local, ns: tag.uri, attributes, children: [], text: '' };
    const parent = this.stack.at(-1);
    if (parent) parent.children.push(element);
    else this.root ??= element;
    // saxes sends closetag for a self-closing tag too, right after this.
    this.stack.push(element);
  }

  private addText(text: string): void {
    const element = this.stack.at(-1);
    if (!element) return; // whitespace around the root
    if (element.text.length + text.length > this.limits.maxTextLength) {
      throw new XmlLimitError('maxTextLength', `XML element ${element.name} with more than ${this.limits.maxTextLength} characters of text`);
    }
    element.text += text;
  }
}

/** A whole document at once (a UDP datagram, a test's sample). */
export function parseXml(text: string, limits?: XmlLimits): XmlElement {
  const builder = new XmlTreeBuilder(limits);
  builder.write(text);
  return builder.close();
}

// Reading the tree. Every helper takes `undefined` too, so a path through optional elements reads as one expression.

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** The element at the end of a path of local names, each the first child of that name. */
export function path(element: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let at = element;
  for (const name of names) at = child(at, name);
  return at;
}

/** The trimmed text of the element at the end of `names` (the element itself without names). */
export function textAt(element: XmlElement | undefined, ...names: string[]): string | undefined {
  const at = path(element, ...names);
  return at === undefined ? undefined : at.text.trim();
}

export function attribute(element: XmlElement | undefined, name: string): string | undefined {
  return element?.attributes[name];
}

/** The first element of this local name in document order, the element itself included. */
export function descendant(element: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!element) return undefined;
  const pending: XmlElement[] = [element];
  while (pending.length) {
    const next = pending.pop()!;
    if (next.name === name) return next;
    for (let i = next.children.length - 1; i >= 0; i--) pending.push(next.children[i]!);
  }
  return undefined;
}
