/**
 * Walking a server's address space: objects and folders with their variables and methods, each
 * variable with its data type and whether the session may write it. Addresses come in the portable
 * `nsu=` form, ready for a point's `nodeId`.
 */
import type { BrowseNode } from '@sensegate/sdk';
import {
  AttributeIds,
  BrowseDirection,
  DataType,
  NodeClass,
  NodeClassMask,
  browseAll,
  type ClientSession,
  type ReferenceDescription,
} from 'node-opcua';
import { portableNodeId, type IdentifierKind } from './node-id.js';

export interface BrowseOptions {
  /** Session-local node id to start from; default the Objects folder (i=85). */
  from?: string;
  /** Levels below `from` to walk; default 6. */
  depth?: number;
  /** Stop after this many nodes; default 5000. */
  maxNodes?: number;
  /** Nodes per Browse and Read call (the server's operation limit). */
  perCall?: number;
  /** Also walk the Server object (i=2253), which is large and rarely wanted. */
  includeServer?: boolean;
}

const NAMED_TYPES: Record<number, string> = { 26: 'Number', 27: 'Integer', 28: 'UInteger', 29: 'Enumeration', 290: 'Duration', 294: 'UtcTime', 295: 'LocaleId' };

interface Pending {
  node: BrowseNode;
  nodeId: string;
}

export async function browseTree(session: ClientSession, options: BrowseOptions = {}): Promise<{ nodes: BrowseNode[]; truncated: boolean }> {
  const namespaces = await session.readNamespaceArray();
  const depth = options.depth ?? 6;
  const maxNodes = options.maxNodes ?? 5000;
  const perCall = Math.max(1, options.perCall ?? 500);
  const roots: BrowseNode[] = [];
  let level: Array<{ nodeId: string; children: BrowseNode[] }> = [{ nodeId: options.from ?? 'i=85', children: roots }];
  let count = 0;
  let truncated = false;
  const variables: Pending[] = [];

  for (let d = 0; d < depth && level.length > 0 && !truncated; d++) {
    const next: typeof level = [];
    for (let i = 0; i < level.length && !truncated; i += perCall) {
      const chunk = level.slice(i, i + perCall);
      const results = await browseAll(
        session,
        chunk.map((p) => ({
          nodeId: p.nodeId,
          browseDirection: BrowseDirection.Forward,
          referenceTypeId: 'HierarchicalReferences',
          includeSubtypes: true,
          nodeClassMask: NodeClassMask.Object | NodeClassMask.Variable | NodeClassMask.Method,
          resultMask: 0x3f,
        })),
      );
      for (const [k, result] of results.entries()) {
        for (const ref of result.references ?? []) {
          if (count >= maxNodes) {
            truncated = true;
            break;
          }
          const local = ref.nodeId.toString();
          if (!options.includeServer && local === 'ns=0;i=2253') continue;
          const node = describe(ref, namespaces);
          chunk[k]!.children.push(node);
          count++;
          if (node.kind === 'variable') variables.push({ node, nodeId: local });
          else if (node.kind !== 'method') next.push({ nodeId: local, children: (node.children = []) });
        }
      }
    }
    level = next;
  }
  await describeVariables(session, variables, perCall);
  prune(roots);
  return { nodes: roots, truncated };
}

function describe(ref: ReferenceDescription, namespaces: readonly string[]): BrowseNode {
  const id = ref.nodeId;
  const kind: IdentifierKind = (['i', 's', 'g', 'b'] as const)[[1, 2, 3, 4].indexOf(id.identifierType as number)] ?? 'i';
  const identifier = kind === 'b' ? Buffer.from(id.value as Buffer).toString('base64') : String(id.value);
  const name = ref.displayName?.text || ref.browseName?.name || identifier;
  const nodeKind: BrowseNode['kind'] =
    ref.nodeClass === NodeClass.Variable ? 'variable' : ref.nodeClass === NodeClass.Method ? 'method' : ref.typeDefinition?.toString() === 'ns=0;i=61' ? 'folder' : 'object';
  return { address: portableNodeId(id.namespace, kind, identifier, namespaces), name, kind: nodeKind };
}

/** Reads each variable's DataType and UserAccessLevel, and names the data types. */
async function describeVariables(session: ClientSession, variables: Pending[], perCall: number): Promise<void> {
  const typeIds: string[] = [];
  const per = Math.max(1, Math.floor(perCall / 2));
  for (let i = 0; i < variables.length; i += per) {
    const chunk = variables.slice(i, i + per);
    const values = await session.read(chunk.flatMap((v) => [
      { nodeId: v.nodeId, attributeId: AttributeIds.DataType },
      { nodeId: v.nodeId, attributeId: AttributeIds.UserAccessLevel },
    ]));
    for (const [k, v] of chunk.entries()) {
      const type = values[2 * k]!.value.value as { namespace: number; value: unknown; toString(): string } | null;
      const access = values[2 * k + 1]!.value.value as number | null;
      if (type) {
        const n = type.namespace === 0 && typeof type.value === 'number' ? type.value : undefined;
        v.node.dataType = n !== undefined && n > 0 && n <= 25 ? DataType[n]! : n !== undefined && NAMED_TYPES[n] ? NAMED_TYPES[n] : type.toString();
        if (v.node.dataType === type.toString()) typeIds.push(type.toString());
      }
      v.node.writable = typeof access === 'number' && (access & 0x02) !== 0;
    }
  }
  // Structured and custom types: their browse names.
  const unique = [...new Set(typeIds)];
  for (let i = 0; i < unique.length; i += perCall) {
    const chunk = unique.slice(i, i + perCall);
    const names = await session.read(chunk.map((nodeId) => ({ nodeId, attributeId: AttributeIds.BrowseName })));
    const byId = new Map(chunk.map((id, k) => [id, (names[k]!.value.value as { name?: string } | null)?.name]));
    for (const v of variables) {
      const name = v.node.dataType && byId.get(v.node.dataType);
      if (name) v.node.dataType = name;
    }
  }
}

/** Empty child lists are left out, so leaves print as leaves. */
function prune(nodes: BrowseNode[]): void {
  for (const n of nodes) {
    if (n.children?.length === 0) delete n.children;
    else if (n.children) prune(n.children);
  }
}

/** Every variable under the nodes, with its path of display names (`WaterPlant/IntakePumps/Pump1/Speed`). */
export function variablesOf(nodes: readonly BrowseNode[], prefix = ''): Array<{ path: string; node: BrowseNode }> {
  const out: Array<{ path: string; node: BrowseNode }> = [];
  for (const n of nodes) {
    const path = prefix ? `${prefix}/${n.name}` : n.name;
    if (n.kind === 'variable') out.push({ path, node: n });
    if (n.children) out.push(...variablesOf(n.children, path));
  }
  return out;
}
