/**
 * A tolerant, non-validating XML reader for incoming SOAP: it checks that tags nest and builds a
 * tree of local names, but does not resolve namespaces (ONVIF clients disagree on prefixes, and
 * the request path already says which service is meant). Garbage throws `XmlSyntaxError`.
 */
export interface XmlElement {
  /** The name without its prefix: `Envelope` for `s:Envelope`. */
  readonly name: string;
  readonly prefix: string | undefined;
  /** Attributes by their full name (`s:mustUnderstand`, `Type`). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The element's own text, entities decoded, whitespace kept. */
  text: string;
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const NAME = /^[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?$/;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function decode(text: string, at: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);|&/g, (whole, entity: string | undefined) => {
    if (entity === undefined) throw new XmlSyntaxError(`a bare "&" near offset ${at}`);
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity]!;
  });
}

function element(qname: string, rawAttributes: string, at: number): XmlElement {
  if (!NAME.test(qname)) throw new XmlSyntaxError(`bad element name "${qname.slice(0, 40)}" at offset ${at}`);
  const colon = qname.indexOf(':');
  const attributes: Record<string, string> = {};
  const rest = rawAttributes.replace(ATTRIBUTE, (_m, key: string, dq: string | undefined, sq: string | undefined) => {
    attributes[key] = decode(dq ?? sq ?? '', at);
    return '';
  });
  if (rest.trim() !== '') throw new XmlSyntaxError(`bad attributes in <${qname}> at offset ${at}`);
  return { name: colon < 0 ? qname : qname.slice(colon + 1), prefix: colon < 0 ? undefined : qname.slice(0, colon), attributes, children: [], text: '' };
}

export function parseXml(source: string): XmlElement {
  const stack: Array<{ qname: string; node: XmlElement }> = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (text !== '') {
      const top = stack.at(-1);
      if (top) top.node.text += decode(text, i);
      else if (text.trim() !== '') throw new XmlSyntaxError(`text outside the root element at offset ${i}`);
    }
    if (lt < 0) break;
    const skip = (open: string, close: string): number => {
      const end = source.indexOf(close, lt + open.length);
      if (end < 0) throw new XmlSyntaxError(`unterminated ${open} at offset ${lt}`);
      return end + close.length;
    };
    if (source.startsWith('<?', lt)) i = skip('<?', '?>');
    else if (source.startsWith('<!--', lt)) i = skip('<!--', '-->');
    else if (source.startsWith('<![CDATA[', lt)) {
      i = skip('<![CDATA[', ']]>');
      const top = stack.at(-1);
      if (!top) throw new XmlSyntaxError(`CDATA outside the root element at offset ${lt}`);
      top.node.text += source.slice(lt + 9, i - 3);
    } else if (source.startsWith('<!', lt)) throw new XmlSyntaxError(`DTDs are not accepted (offset ${lt})`);
    else {
      const gt = source.indexOf('>', lt);
      if (gt < 0) throw new XmlSyntaxError(`unterminated tag at offset ${lt}`);
      const tag = source.slice(lt + 1, gt);
      i = gt + 1;
      if (tag.startsWith('/')) {
        const qname = tag.slice(1).trim();
        const open = stack.pop();
        if (!open || open.qname !== qname) throw new XmlSyntaxError(`</${qname.slice(0, 40)}> does not close ${open ? `<${open.qname}>` : 'anything'} (offset ${lt})`);
        continue;
      }
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^(\S+)([\s\S]*)$/.exec(body);
      if (!m) throw new XmlSyntaxError(`empty tag at offset ${lt}`);
      const node = element(m[1]!, m[2]!, lt);
      const parent = stack.at(-1);
      if (parent) parent.node.children.push(node);
      else if (root) throw new XmlSyntaxError(`a second root element at offset ${lt}`);
      else root = node;
      if (!selfClosing) stack.push({ qname: m[1]!, node });
    }
  }
  if (stack.length > 0) throw new XmlSyntaxError(`<${stack.at(-1)!.qname}> is never closed`);
  if (!root) throw new XmlSyntaxError('no XML element');
  return root;
}

/** The first child with this local name. */
export function child(node: XmlElement | undefined, name: string): XmlElement | undefined {
  return node?.children.find((c) => c.name === name);
}

/** The first element with this local name at any depth below `node`. */
export function descendant(node: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!node) return undefined;
  for (const c of node.children) {
    if (c.name === name) return c;
    const found = descendant(c, name);
    if (found) return found;
  }
  return undefined;
}

/** The trimmed text of a child, or undefined. */
export function childText(node: XmlElement | undefined, name: string): string | undefined {
  return child(node, name)?.text.trim();
}
