/**
 * Node ids as written in configuration: `nsu=<namespace URI>;s=<name>`, `ns=<index>;i=<number>`, or
 * a bare `i=2258` (namespace 0). A namespace URI is resolved against the server's NamespaceArray on
 * every session, so a server that reorders its namespaces after a restart still maps each point to
 * the node it names. An index is taken as the URI it had when the gateway first saw the server, and
 * followed if it moves, with a warning that recommends `nsu=`.
 */

export type IdentifierKind = 'i' | 's' | 'g' | 'b';

export interface ParsedNodeId {
  /** The text as configured. */
  text: string;
  namespace: { index: number } | { uri: string };
  kind: IdentifierKind;
  identifier: string;
  /** Why the text is not a node id; undefined when it is one. */
  problem?: string;
}

const FORM = /^(?:ns=(\d+);|nsu=(.+?);)?([isgb])=([\s\S]*)$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseNodeId(text: string): ParsedNodeId {
  const m = FORM.exec(text.trim());
  const bad = (problem: string): ParsedNodeId => ({ text, namespace: { index: 0 }, kind: 's', identifier: '', problem });
  if (!m) return bad(`"${text}" is not a node id: write nsu=<namespace URI>;s=<name>, ns=<index>;s=<name>, or i=<number>`);
  const [, index, uri, kind, identifier] = m as unknown as [string, string | undefined, string | undefined, IdentifierKind, string];
  if (index !== undefined && Number(index) > 65535) return bad(`namespace index ${index} is above 65535`);
  if (identifier.length === 0) return bad(`"${text}" has an empty identifier`);
  if (kind === 'i' && !(/^\d+$/.test(identifier) && Number(identifier) <= 0xffffffff)) return bad(`i=${identifier}: a numeric identifier is an integer from 0 to 4294967295`);
  if (kind === 'g' && !GUID.test(identifier)) return bad(`g=${identifier}: a GUID identifier looks like 72962B91-FA75-4AE6-8D28-B404DC7DAF63`);
  if (kind === 'b' && !BASE64.test(identifier)) return bad(`b=${identifier}: an opaque identifier is base64`);
  return { text, namespace: uri !== undefined ? { uri } : { index: index === undefined ? 0 : Number(index) }, kind, identifier };
}

/**
 * Maps configured node ids to the node ids of one session. Namespace URIs are looked up in the
 * session's NamespaceArray; indexes are pinned to the URI they had the first time.
 */
export class NamespaceMap {
  /** URI of each configured index as first seen: survives sessions. */
  private readonly pinned = new Map<number, string>();
  private current: readonly string[] = [];

  /**
   * Takes a session's NamespaceArray. Returns a warning per configured index whose namespace moved
   * (the points follow their URI).
   */
  update(namespaces: readonly string[], indexes: Iterable<number>): string[] {
    this.current = namespaces;
    const warnings: string[] = [];
    for (const index of indexes) {
      if (index === 0) continue;
      const first = this.pinned.get(index);
      if (first === undefined) {
        if (namespaces[index] !== undefined) this.pinned.set(index, namespaces[index]!);
        continue;
      }
      if (namespaces[index] === first) continue;
      const now = namespaces.indexOf(first);
      warnings.push(
        now < 0
          ? `namespace ${first} (ns=${index} when first connected) is gone from the server; points with ns=${index} are unresolved`
          : `namespace ${first} moved from ns=${index} to ns=${now}; points written with ns=${index} follow it (write nsu=${first};... to make this explicit)`,
      );
    }
    return warnings;
  }

  /** The session-local string form (`ns=3;s=Pump1.Speed`), or a reason it cannot be resolved. */
  resolve(id: ParsedNodeId): { nodeId: string } | { problem: string } {
    let index: number;
    if ('uri' in id.namespace) {
      index = this.current.indexOf(id.namespace.uri);
      if (index < 0) return { problem: `the server has no namespace ${id.namespace.uri}` };
    } else {
      index = id.namespace.index;
      const first = this.pinned.get(index);
      if (first !== undefined && this.current[index] !== first) {
        index = this.current.indexOf(first);
        if (index < 0) return { problem: `the server no longer has namespace ${first} (ns=${id.namespace.index} when first connected)` };
      } else if (index >= this.current.length && this.current.length > 0) {
        return { problem: `the server has no namespace index ${index} (it has ${this.current.length})` };
      }
    }
    return { nodeId: `ns=${index};${id.kind}=${id.identifier}` };
  }
}

/** The session-independent form of a node for browse output and config snippets: `nsu=` unless namespace 0. */
export function portableNodeId(index: number, kind: IdentifierKind, identifier: string, namespaces: readonly string[]): string {
  if (index === 0) return `${kind}=${identifier}`;
  const uri = namespaces[index];
  return uri === undefined ? `ns=${index};${kind}=${identifier}` : `nsu=${uri};${kind}=${identifier}`;
}
