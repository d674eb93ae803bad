/**
 * YAML with positions. Configuration files and device profiles are written by people, so every
 * problem found in them (a syntax error, a wrong type, an unknown field) should name the line and
 * column it sits at. This parses a file once and maps a data path such as
 * `devices[2].points[0].address` back to where it was written.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A path into the parsed data: object keys and list indexes, outermost first. */
export type YamlPath = ReadonlyArray<string | number>;

/** 1-based line and column. */
export interface YamlPosition {
  line: number;
  col: number;
}

export interface YamlSyntaxError extends YamlPosition {
  /** The parser's message, first line only (the rest is a code excerpt that repeats the position). */
  message: string;
}

export interface YamlSource {
  /** File name as given by the user, for messages. */
  file: string;
  /** The parsed document, for callers that need comments or node details. */
  doc: Document;
  /** The plain data; `undefined` when there are syntax errors, so nothing is validated half-parsed. */
  data: unknown;
  /** Syntax errors (including duplicate keys), each with its line and column. Empty when the file parsed. */
  syntaxErrors: YamlSyntaxError[];
  /**
   * Where `path` (then `key`, if given) was written: the key's own position for a mapping entry,
   * the item's for a list entry. A path that goes further than the file (a missing field) gets the
   * position of its deepest part that exists, so "is required" points at the parent mapping.
   * `position(path, key)` is `position([...path, key])`; the form with `key` reads better for
   * unknown-field errors, whose path is the mapping and whose key is the stray field.
   */
  position(path: YamlPath, key?: string | number): YamlPosition | undefined;
}

/** Anchors may be reused this many times: enough for real files, too few for an alias bomb. */
const MAX_ALIAS_COUNT = 1000;

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  // Duplicate keys are errors: the last one silently winning hides a copy-paste mistake.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): YamlPosition | undefined => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  const syntaxErrors = doc.errors.map((e): YamlSyntaxError => {
    const { line, col } = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    return { line, col, message: e.message.split('\n')[0]! };
  });
  return {
    file,
    doc,
    data: syntaxErrors.length ? undefined : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }),
    syntaxErrors,
    position(path, key) {
      let node: unknown = doc.contents;
      let best = at((doc.contents as Node | null)?.range?.[0]);
      for (const segment of key === undefined ? path : [...path, key]) {
        if (isMap(node)) {
          const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === segment);
          if (!pair) break;
          // The key's own position is the most useful place for "unknown field" and type errors alike.
          best = at((pair.key as Node | null)?.range?.[0]) ?? best;
          node = pair.value;
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment] as Node | undefined;
          if (!item) break;
          best = at(item.range?.[0]) ?? best;
          node = item;
        } else {
          break;
        }
      }
      return best;
    },
  };
}

/** `devices[2].points[0].address`; the empty path is `(root)`. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out || '(root)';
}

/** `file:line:col` when the position is known, else just `file`: the prefix editors and terminals link. */
export function formatLocation(file: string, position: YamlPosition | undefined): string {
  return position ? `${file}:${position.line}:${position.col}` : file;
}
