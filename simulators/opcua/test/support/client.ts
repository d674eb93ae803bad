/**
 * A real node-opcua client for the tests, with its own PKI in a temp folder (never the home
 * folder), closed when the test ends.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
  type DataValue,
  type UserIdentityInfo,
} from 'node-opcua';
import { startOpcuaSimulator, type OpcuaSimulator, type OpcuaSimulatorOptions } from '../../src/index.js';

/** The DER bytes of a PEM certificate. */
export function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');
}

export async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sensegate-${prefix}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A simulator on a free port with its own PKI folder, closed after the test. */
export async function startSimulator(t: TestContext, options: OpcuaSimulatorOptions = {}): Promise<OpcuaSimulator> {
  const sim = await startOpcuaSimulator({ port: 0, tick: 50, seed: 7, pkiDir: await tempDir(t, 'sim-pki'), ...options });
  t.after(() => sim.close());
  return sim;
}

export interface ConnectOptions {
  securityMode?: keyof typeof MessageSecurityMode;
  securityPolicy?: keyof typeof SecurityPolicy;
  user?: { userName: string; password: string };
  /** Trust the server's certificate file in the client's PKI first (default: accept it automatically). */
  trustServer?: string;
}

export interface Connection {
  client: OPCUAClient;
  session: ClientSession;
  close(): Promise<void>;
}

/** Creates the client and its certificate manager only: for connecting by hand. */
export async function newClient(t: TestContext, options: ConnectOptions = {}): Promise<OPCUAClient> {
  const clientCertificateManager = new OPCUACertificateManager({
    rootFolder: await tempDir(t, 'client-pki'),
    automaticallyAcceptUnknownCertificate: options.trustServer === undefined,
  });
  if (options.trustServer) {
    await clientCertificateManager.initialize();
    await clientCertificateManager.trustCertificate(derOf(await readFile(options.trustServer, 'utf8')));
  }
  const client = OPCUAClient.create({
    applicationName: 'sensegate sim-opcua test',
    endpointMustExist: false,
    securityMode: MessageSecurityMode[options.securityMode ?? 'None'],
    securityPolicy: SecurityPolicy[options.securityPolicy ?? 'None'],
    clientCertificateManager,
    // Fail fast: a test that expects a refusal must not wait through retries.
    connectionStrategy: { maxRetry: 0, initialDelay: 50, maxDelay: 100 },
    keepSessionAlive: false,
  });
  t.after(async () => {
    await client.disconnect().catch(() => undefined);
    await clientCertificateManager.dispose().catch(() => undefined);
  });
  return client;
}

export async function connect(t: TestContext, sim: OpcuaSimulator, options: ConnectOptions = {}): Promise<Connection> {
  const client = await newClient(t, options);
  await client.connect(sim.endpoint);
  const identity: UserIdentityInfo = options.user
    ? { type: UserTokenType.UserName, userName: options.user.userName, password: options.user.password }
    : { type: UserTokenType.Anonymous };
  const session = await client.createSession(identity);
  const close = async () => {
    await session.close().catch(() => undefined);
    await client.disconnect().catch(() => undefined);
  };
  t.after(close);
  return { client, session, close };
}

export function nodeId(sim: OpcuaSimulator, id: string): string {
  return `ns=${sim.namespaceIndex};s=${id}`;
}

export async function read(session: ClientSession, sim: OpcuaSimulator, id: string): Promise<DataValue> {
  return session.read({ nodeId: nodeId(sim, id), attributeId: AttributeIds.Value });
}
