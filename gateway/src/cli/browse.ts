/**
 * `sensegate browse opcua <endpoint>`: walks a server's address space, prints it as a tree, and
 * writes a device configuration for the variables chosen, ready to paste into a gateway's file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ID_PATTERN, SensegateError, silentLogger, type BrowseNode } from '@sensegate/sdk';
import { SECURITY_MODES, SECURITY_POLICIES, connectionSchema, parseNodeId, policyOf, type OpcuaConnection } from '@sensegate/driver-opcua';
import { browseTree, createCertificates, disposeCertificates, openSession, routeLibraryLogs, variablesOf, type Identity } from '@sensegate/driver-opcua/client';
import { parseOptions, positiveInt } from './args.js';
import { PKI_OPTIONS_HELP, pkiFor } from './opcua-tools.js';

export const browseHelp = `Usage: sensegate browse opcua <endpoint> [options]

Walks an OPC UA server's address space from the Objects folder and prints it: folders and objects,
and each variable with its data type, access (r or rw) and the node id to put in a point's nodeId.
With --out, writes a device configuration with a point per chosen variable.

  --depth N           levels to walk (default 6)
  --from NODEID       start here instead of the Objects folder (nsu=...;s=..., ns=2;s=..., i=85)
  --select PATTERN    choose variables by path, e.g. 'WaterPlant/IntakePumps/*/Speed' or '**/Level';
                      * matches within one level, ** across levels (repeatable; default: all)
  --out FILE          write the device configuration (YAML) for the chosen variables
  --device ID         device id in that configuration (default: plant)
  --json              print the tree as JSON instead
  --security-mode M   None (default), Sign or SignAndEncrypt
  --security-policy P ${SECURITY_POLICIES.filter((p) => p !== 'None').join(', ')}
  --user NAME         log in as NAME; the password comes from --password-env
  --password-env VAR  environment variable holding the password
${PKI_OPTIONS_HELP}`;

export async function runBrowse(argv: string[], out: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseOptions('browse', argv, {
    depth: { type: 'string' },
    from: { type: 'string' },
    select: { type: 'string', multiple: true },
    out: { type: 'string' },
    device: { type: 'string' },
    json: { type: 'boolean' },
    'security-mode': { type: 'string' },
    'security-policy': { type: 'string' },
    user: { type: 'string' },
    'password-env': { type: 'string' },
    data: { type: 'string' },
    config: { type: 'string' },
  });
  if (values.help) {
    out.write(browseHelp + '\n');
    return 0;
  }
  const [protocol, endpoint] = positionals;
  if (protocol !== 'opcua' || !endpoint) {
    throw new SensegateError('SG_USAGE', `sensegate browse: give a protocol and an endpoint: sensegate browse opcua opc.tcp://host:4840 (see --help)`);
  }
  const deviceId = values.device ?? 'plant';
  if (!ID_PATTERN.test(deviceId)) throw new SensegateError('SG_USAGE', `sensegate browse: --device "${deviceId}" is not a valid device id`);
  const parsed = connectionSchema.safeParse({
    endpoint,
    ...(values['security-mode'] ? { securityMode: pick('security-mode', values['security-mode'], SECURITY_MODES) } : {}),
    ...(values['security-policy'] ? { securityPolicy: pick('security-policy', values['security-policy'], SECURITY_POLICIES) } : {}),
    ...(values.user ? { user: { userName: values.user, password: { env: values['password-env'] ?? 'OPCUA_PASSWORD' } } } : {}),
  });
  if (!parsed.success) {
    throw new SensegateError('SG_USAGE', `sensegate browse: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'endpoint'}: ${i.message}`).join('; ')}`);
  }
  const connection: OpcuaConnection = parsed.data;
  let identity: Identity = { kind: 'anonymous' };
  if (values.user) {
    const variable = values['password-env'] ?? 'OPCUA_PASSWORD';
    const password = env[variable];
    if (password === undefined) throw new SensegateError('SG_USAGE', `sensegate browse: --user needs the password in the environment variable ${variable} (set it, or name another with --password-env)`);
    identity = { kind: 'user', userName: values.user, password };
  }
  const from = values.from === undefined ? undefined : parseNodeId(values.from);
  if (from?.problem) throw new SensegateError('SG_USAGE', `sensegate browse: --from: ${from.problem}`);
  const depth = positiveInt('browse', 'depth', values.depth) ?? 6;

  routeLibraryLogs(silentLogger); // node-opcua's console chatter; errors are explained below
  const pki = await pkiFor(values, env);
  const certificates = await createCertificates(pki);
  try {
    const { client, session } = await openSession({ connection, identity, certificates, pki, timeout: 10_000, where: { driver: 'opcua', device: deviceId } });
    try {
      let start: string | undefined;
      if (from) {
        const namespaces = await session.readNamespaceArray();
        const index = 'uri' in from.namespace ? namespaces.indexOf(from.namespace.uri) : from.namespace.index;
        if (index < 0) throw new SensegateError('SG_USAGE', `sensegate browse: --from: the server has no namespace ${(from.namespace as { uri: string }).uri}`);
        start = `ns=${index};${from.kind}=${from.identifier}`;
      }
      const { nodes, truncated } = await browseTree(session, { ...(start ? { from: start } : {}), depth });
      if (values.json) out.write(JSON.stringify(nodes, null, 2) + '\n');
      else out.write(renderTree(nodes).join('\n') + '\n');
      if (truncated) out.write('(stopped after 5000 nodes: narrow it with --from or --depth)\n');
      const chosen = choose(nodes, values.select ?? []);
      if (values.out) {
        await mkdir(dirname(values.out), { recursive: true });
        await writeFile(values.out, deviceSnippet(deviceId, connection, values.user, values['password-env'], chosen));
        out.write(`wrote ${chosen.length} point${chosen.length === 1 ? '' : 's'} of device ${deviceId} to ${values.out}\n`);
      } else if (values.select) {
        out.write(`${chosen.length} variable${chosen.length === 1 ? '' : 's'} selected; add --out FILE to write their configuration\n`);
      }
    } finally {
      await session.close().catch(() => {});
      await client.disconnect().catch(() => {});
    }
  } finally {
    await disposeCertificates(certificates);
  }
  return 0;
}

function pick<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw new SensegateError('SG_USAGE', `sensegate browse: --${option} must be one of ${allowed.join(', ')}, got "${value}"`);
  return found;
}

/** The tree as text: folders end with `/`, variables show type, access and node id in columns. */
export function renderTree(nodes: readonly BrowseNode[]): string[] {
  const rows: Array<[string, string, string, string]> = [];
  const walk = (list: readonly BrowseNode[], indent: string) => {
    for (const n of list) {
      if (n.kind === 'variable') rows.push([`${indent}${n.name}`, n.dataType ?? '?', n.writable ? 'rw' : 'r', n.address]);
      else if (n.kind === 'method') rows.push([`${indent}${n.name}()`, 'method', '', n.address]);
      else rows.push([`${indent}${n.name}/`, '', '', n.address]);
      if (n.children) walk(n.children, indent + '  ');
    }
  };
  walk(nodes, '');
  const w0 = Math.min(48, Math.max(...rows.map((r) => r[0].length), 4));
  const w1 = Math.max(...rows.map((r) => r[1].length), 4);
  return rows.map(([a, b, c, d]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padEnd(2)}  ${d}`.trimEnd());
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function choose(nodes: readonly BrowseNode[], patterns: readonly string[]): Array<{ path: string; node: BrowseNode }> {
  const all = variablesOf(nodes);
  if (patterns.length === 0) return all;
  const res = patterns.map(globToRegExp);
  return all.filter((v) => res.some((r) => r.test(v.path)));
}

/** A point id from a variable's path: its segments joined by dots, reduced to the id alphabet, unique. */
function pointIds(chosen: ReadonlyArray<{ path: string }>): string[] {
  const used = new Set<string>();
  return chosen.map(({ path }) => {
    const segments = path.split('/');
    // Leave out the top level when every variable shares it (the plant's own name).
    const base = (segments.length > 1 && chosen.every((c) => c.path.startsWith(`${segments[0]}/`)) ? segments.slice(1) : segments)
      .map((s) => s.replace(/[^A-Za-z0-9_.:-]+/g, '_').replace(/^[_.:-]+/, ''))
      .filter(Boolean)
      .join('.')
      .slice(0, 120) || 'point';
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    return id;
  });
}

export function deviceSnippet(
  deviceId: string,
  connection: OpcuaConnection,
  user: string | undefined,
  passwordEnv: string | undefined,
  chosen: ReadonlyArray<{ path: string; node: BrowseNode }>,
): string {
  const q = (s: string) => JSON.stringify(s);
  const ids = pointIds(chosen);
  const lines = [
    `# Written by sensegate browse opcua from ${connection.endpoint}: ${chosen.length} variables.`,
    '# Paste under `devices:` in a gateway configuration; add sinks, check units and sampling.',
    'devices:',
    `  - id: ${q(deviceId)}`,
    '    driver: opcua',
    '    connection:',
    `      endpoint: ${q(connection.endpoint)}`,
  ];
  if (connection.securityMode !== 'None') {
    lines.push(`      securityMode: ${connection.securityMode}`, `      securityPolicy: ${policyOf(connection)}`);
  }
  if (user) lines.push('      user:', `        userName: ${q(user)}`, `        password: { env: ${passwordEnv ?? 'OPCUA_PASSWORD'} }`);
  lines.push('    points:');
  for (const [i, { path, node }] of chosen.entries()) {
    lines.push(`      - id: ${q(ids[i]!)}`, `        name: ${q(path)}`, `        nodeId: ${q(node.address)}`);
    if (node.writable) lines.push('        writable: true');
  }
  return lines.join('\n') + '\n';
}
