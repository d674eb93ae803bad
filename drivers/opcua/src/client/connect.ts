/**
 * Opening one client and one session with a device's security settings: shared by the driver's
 * long-lived sessions and the one-shot `browse` command.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
  type UserIdentityInfo,
} from 'node-opcua';
import { withTimeout } from '@sensegate/sdk';
import { policyOf, type OpcuaConnection } from '../config/connection.js';
import { explain, type ExplainContext } from './explain.js';

export interface Opened {
  client: OPCUAClient;
  session: ClientSession;
}

/** How a session logs in, with the password already resolved. */
export type Identity = { kind: 'anonymous' } | { kind: 'user'; userName: string; password: string } | { kind: 'certificate'; certificate: string; privateKey: string };

export interface OpenOptions {
  connection: OpcuaConnection;
  identity: Identity;
  certificates: OPCUACertificateManager;
  pki: string;
  /** Ceiling for connect and session creation, ms. */
  timeout: number;
  where: { driver: string; device: string };
}

/**
 * node-opcua sets OPENSSL_CONF to /dev/null around every private-key load and then restores it with
 * `process.env.OPENSSL_CONF = backup`, which turns an unset variable into the string "undefined":
 * every program the gateway starts afterwards (ffmpeg, openssl) would fail to read its OpenSSL
 * configuration. Put it back after each use of the key.
 */
export function repairOpensslConf(): void {
  if (process.env.OPENSSL_CONF === 'undefined') delete process.env.OPENSSL_CONF;
}

/** The server certificate each manager refused last, to name it in the error. */
const lastRejected = new WeakMap<OPCUACertificateManager, { thumbprint: string; at: number }>();

/**
 * A certificate manager reading the PKI folder as it is now. File watchers are off: a session makes
 * a new manager after a certificate refusal, so a certificate trusted meanwhile (by `sensegate opcua
 * certs trust`, in another process) is seen on the next attempt, without relying on file events.
 */
export async function createCertificates(pki: string): Promise<OPCUACertificateManager> {
  const manager = new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: false, name: 'PKI', disableFileWatchers: true });
  const check = manager.checkCertificate.bind(manager);
  manager.checkCertificate = (async (certificate: Buffer) => {
    const status = await check(certificate);
    if (String(status) !== 'Good') lastRejected.set(manager, { thumbprint: createHash('sha1').update(certificate).digest('hex'), at: performance.now() });
    return status;
  }) as typeof manager.checkCertificate;
  await manager.initialize().finally(repairOpensslConf);
  return manager;
}

export async function disposeCertificates(manager: OPCUACertificateManager | undefined): Promise<void> {
  await manager?.dispose().catch(() => {});
}

const firstUse = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` (which creates a manager and connects) alone while the gateway has no certificate of
 * its own yet: the first connection creates the key and certificate, and two devices connecting at
 * once must not both write them.
 */
export function withOwnCertificate<T>(pki: string, fn: () => Promise<T>): Promise<T> {
  if (existsSync(join(pki, 'own/certs/client_certificate.pem'))) return fn();
  const run = (firstUse.get(pki) ?? Promise.resolve()).then(fn, fn);
  firstUse.set(pki, run.catch(() => {}));
  return run;
}

export function identityOf(connection: OpcuaConnection, password: () => string, baseDir: string): Identity {
  const user = connection.user;
  if (!user) return { kind: 'anonymous' };
  if ('userName' in user) return { kind: 'user', userName: user.userName, password: password() };
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return { kind: 'certificate', certificate: path(user.certificate), privateKey: path(user.privateKey) };
}

function userIdentity(identity: Identity): UserIdentityInfo {
  switch (identity.kind) {
    case 'anonymous':
      return { type: UserTokenType.Anonymous };
    case 'user':
      return { type: UserTokenType.UserName, userName: identity.userName, password: identity.password };
    case 'certificate': {
      const pem = readFileSync(identity.certificate, 'utf8');
      const b64 = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
      const certificateData = b64 ? Buffer.from(b64.replace(/\s+/g, ''), 'base64') : readFileSync(identity.certificate);
      return { type: UserTokenType.Certificate, certificateData, privateKey: readFileSync(identity.privateKey, 'utf8') };
    }
  }
}


/** Connects and creates a session; on failure, closes what was opened and throws an explained error. */
export async function openSession(o: OpenOptions): Promise<Opened> {
  const c = o.connection;
  const policy = policyOf(c);
  const context: ExplainContext = {
    endpoint: c.endpoint,
    step: 'connecting',
    pki: o.pki,
    securityMode: c.securityMode,
    securityPolicy: policy,
    ...(o.identity.kind === 'user' ? { userName: o.identity.userName } : {}),
  };
  const client = OPCUAClient.create({
    applicationName: c.applicationName,
    clientName: `${c.applicationName}:${o.where.device}`,
    // The gateway reconnects itself (one attempt here, then its own backoff), so a session and its
    // items are always re-created from the configuration and never duplicated.
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    securityMode: MessageSecurityMode[c.securityMode],
    securityPolicy: SecurityPolicy[policy],
    endpointMustExist: false,
    keepSessionAlive: true,
    keepAliveInterval: Math.max(1000, Math.min(c.sessionTimeout / 3, 10_000)),
    requestedSessionTimeout: c.sessionTimeout,
    clientCertificateManager: o.certificates,
    transportTimeout: o.timeout,
  });
  const started = performance.now();
  try {
    await withTimeout(client.connect(c.endpoint), o.timeout, 'connecting', () => new Error(`timed out after ${o.timeout} ms connecting`));
    context.step = 'creating the session';
    const session = await withTimeout(client.createSession(userIdentity(o.identity)), o.timeout, 'creating the session', () => new Error(`timed out after ${o.timeout} ms creating the session`));
    repairOpensslConf();
    return { client, session };
  } catch (err) {
    repairOpensslConf();
    await client.disconnect().catch(() => {});
    const rejected = lastRejected.get(o.certificates);
    if (rejected && rejected.at >= started) context.rejectedServerCertificate = rejected.thumbprint;
    throw explain(err, context, o.where);
  }
}
