/**
 * What the OPC UA driver gives `sensegate browse opcua <endpoint>`: a session with the security and
 * user asked for (certificates in the gateway's own PKI folder, so a server trusted here is trusted
 * by the running gateway), a walk of the address space from the Objects folder, and the device's
 * connection block with a `nodeId` per chosen variable. node-opcua loads only when a browse runs.
 */
import { SensegateError, silentLogger, type DriverBrowse } from '@sensegate/sdk';
import { z } from 'zod';
import { SECURITY_POLICIES, connectionSchema, policyOf } from '../config/connection.js';
import { parseNodeId } from '../node-id.js';
import { pkiFolder } from '../pki.js';

const MAX_NODES = 5000;

const options = z
  .object({
    endpoint: connectionSchema.shape.endpoint,
    depth: z.number().int().min(1).max(50).default(6).describe('Levels to walk.'),
    from: z.string().min(1).optional().describe('Start here instead of the Objects folder (nsu=...;s=..., ns=2;s=..., i=85).'),
    securityMode: connectionSchema.shape.securityMode,
    securityPolicy: z.enum(SECURITY_POLICIES).optional().describe('Security policy with Sign or SignAndEncrypt; default Basic256Sha256.'),
    user: z.string().min(1).optional().describe('Log in as this user; the password comes from the variable named by --password-env.'),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not an environment variable name')
      .default('OPCUA_PASSWORD')
      .describe('Environment variable holding the password of --user; the written configuration reads it from there too.'),
  })
  .strict();

export const opcuaBrowse: DriverBrowse<typeof options> = {
  summary:
    'Walks an OPC UA server\'s address space from the Objects folder and prints it: folders and objects, and each variable with its data type, access (r or rw) and the node id to put in a point\'s nodeId.',
  target: 'endpoint',
  options,
  async run(o, io) {
    const connection = connectionSchema.parse({
      endpoint: o.endpoint,
      securityMode: o.securityMode,
      ...(o.securityPolicy ? { securityPolicy: o.securityPolicy } : {}),
      ...(o.user ? { user: { userName: o.user, password: { env: o.passwordEnv } } } : {}),
    });
    const runtime = await import('../client/runtime.js');
    let identity: import('../client/runtime.js').Identity = { kind: 'anonymous' };
    if (o.user) {
      const password = io.env[o.passwordEnv];
      if (password === undefined) {
        throw new SensegateError('SG_USAGE', `${io.command}: --user needs the password in the environment variable ${o.passwordEnv} (set it, or name another with --password-env)`);
      }
      identity = { kind: 'user', userName: o.user, password };
    }
    const from = o.from === undefined ? undefined : parseNodeId(o.from);
    if (from?.problem) throw new SensegateError('SG_USAGE', `${io.command}: --from: ${from.problem}`);

    runtime.routeLibraryLogs(silentLogger); // node-opcua's console chatter; errors are explained by openSession
    const pki = pkiFolder(await io.dataDir());
    const certificates = await runtime.createCertificates(pki);
    try {
      const { client, session } = await runtime.openSession({ connection, identity, certificates, pki, timeout: 10_000, where: { driver: 'opcua', device: 'browse' } });
      try {
        let start: string | undefined;
        if (from) {
          const namespaces = await session.readNamespaceArray();
          const index = 'uri' in from.namespace ? namespaces.indexOf(from.namespace.uri) : from.namespace.index;
          if (index < 0) throw new SensegateError('SG_USAGE', `${io.command}: --from: the server has no namespace ${(from.namespace as { uri: string }).uri}`);
          start = `ns=${index};${from.kind}=${from.identifier}`;
        }
        const { nodes, truncated } = await runtime.browseTree(session, { ...(start ? { from: start } : {}), depth: o.depth });
        const block: Record<string, unknown> = { endpoint: connection.endpoint };
        if (connection.securityMode !== 'None') Object.assign(block, { securityMode: connection.securityMode, securityPolicy: policyOf(connection) });
        if (o.user) block['user'] = { userName: o.user, password: { env: o.passwordEnv } };
        return {
          nodes,
          notes: truncated ? [`stopped after ${MAX_NODES} nodes: narrow it with --from or --depth`] : [],
          connection: block,
          point: (node) => ({ nodeId: node.address }),
          deviceId: 'plant',
        };
      } finally {
        await session.close().catch(() => {});
        await client.disconnect().catch(() => {});
      }
    } finally {
      await runtime.disposeCertificates(certificates);
    }
  },
};
