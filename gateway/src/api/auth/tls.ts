/**
 * The API's TLS certificate: the configured `api.tls` files, else, for an API listening beyond
 * loopback, a self-signed certificate generated at first start into `<data>/api-tls/` and kept
 * there (regenerated only once expired). Its SHA-256 fingerprint is returned for the start-up
 * log, so whoever opens the console can check what the browser shows against it.
 *
 * Node cannot write X.509 certificates: the key is made with node:crypto and written first with
 * the data folder's file mode, then the `openssl` command signs the certificate over it. Without
 * openssl, the error says to install it or configure `api.tls`.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { SensegateError, isLoopback, type Logger } from '@sensegate/sdk';
import { PRIVATE, ensureFolder, tighten, type FileAccess } from '../../data-folder.js';
import type { ApiAccessConfig } from './schema.js';

export interface ApiTls {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, colon-separated hex, as browsers show it. */
  fingerprint: string;
  /** Where the certificate came from: `api.tls`, or the one generated into the data folder. */
  source: 'configured' | 'generated';
  certFile: string;
}

export interface TlsOptions {
  /** Folder the configuration file is in: `api.tls` paths are relative to it. */
  baseDir?: string;
  access?: FileAccess;
  log?: Logger;
  /** The `openssl` executable (default: the one on PATH). */
  openssl?: string;
}

export const TLS_FOLDER = 'api-tls';
const VALID_DAYS = 825;

/** The certificate to serve the API with, or undefined when it is served over plain HTTP (loopback, no `api.tls`). */
export async function tlsFor(config: Pick<ApiAccessConfig, 'host' | 'tls'>, dataDir: string, options: TlsOptions = {}): Promise<ApiTls | undefined> {
  if (config.tls) {
    const base = options.baseDir ?? process.cwd();
    const certFile = isAbsolute(config.tls.cert) ? config.tls.cert : resolve(base, config.tls.cert);
    const keyFile = isAbsolute(config.tls.key) ? config.tls.key : resolve(base, config.tls.key);
    const [cert, key] = await Promise.all([readPem(certFile, 'api.tls.cert'), readPem(keyFile, 'api.tls.key')]);
    return { cert, key, fingerprint: fingerprintOf(cert, certFile, 'api.tls.cert'), source: 'configured', certFile };
  }
  if (isLoopback(config.host)) return undefined;
  return generated(config.host, dataDir, options);
}

async function generated(host: string, dataDir: string, options: TlsOptions): Promise<ApiTls> {
  const access = options.access ?? PRIVATE;
  const folder = join(dataDir, TLS_FOLDER);
  const certFile = join(folder, 'cert.pem');
  const keyFile = join(folder, 'key.pem');
  await ensureFolder(dataDir, access, options.log);
  await ensureFolder(folder, access, options.log);
  const existing = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]).catch(() => undefined);
  if (existing) {
    const [cert, key] = existing;
    const x509 = parse(cert, certFile, 'the generated API certificate');
    if (Date.parse(x509.validTo) > Date.now()) {
      await tighten(keyFile, access.file, access, options.log);
      return { cert, key, fingerprint: x509.fingerprint256, source: 'generated', certFile };
    }
    options.log?.warn({ file: certFile, validTo: x509.validTo }, `the generated API certificate ${certFile} expired on ${x509.validTo}: generating a new one (browsers will show a new fingerprint)`);
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const keyTemp = `${keyFile}.${process.pid}.tmp`;
  await writeFile(keyTemp, key, { mode: access.file });
  try {
    await tighten(keyTemp, access.file, access);
    const cert = await sign(keyTemp, host, options.openssl ?? 'openssl');
    const fingerprint = parse(cert, certFile, 'the generated API certificate').fingerprint256;
    await writeFile(`${certFile}.tmp`, cert, { mode: access.file });
    await tighten(`${certFile}.tmp`, access.file, access);
    await rename(keyTemp, keyFile);
    await rename(`${certFile}.tmp`, certFile);
    options.log?.info({ file: certFile, fingerprint }, `generated a self-signed API certificate ${certFile} (SHA-256 ${fingerprint}); set api.tls to use one a browser already trusts`);
    return { cert, key, fingerprint, source: 'generated', certFile };
  } finally {
    await rm(keyTemp, { force: true });
    await rm(`${certFile}.tmp`, { force: true });
  }
}

/** Names the certificate answers to: the configured host, this machine's name and addresses, and loopback. */
function subjectAltNames(host: string): string {
  const names = new Set<string>(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1', `DNS:${hostname()}`]);
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard) names.add(isIP(host) ? `IP:${host}` : `DNS:${host}`);
  else for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.internal) names.add(`IP:${a.address.split('%')[0]}`);
  return [...names].join(',');
}

function sign(keyFile: string, host: string, openssl: string): Promise<string> {
  const args = ['req', '-x509', '-new', '-key', keyFile, '-sha256', '-days', String(VALID_DAYS), '-subj', `/CN=sensegate ${hostname()}`, '-addext', `subjectAltName=${subjectAltNames(host)}`];
  return new Promise((resolvePem, reject) => {
    execFile(openssl, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return resolvePem(stdout);
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new SensegateError(
          'SG_CONFIG_INVALID',
          missing
            ? `cannot generate the API's certificate: no \`${openssl}\` command on this machine; install openssl (Debian: apt-get install openssl), or set api.tls.cert and api.tls.key`
            : `cannot generate the API's certificate with ${openssl}: ${stderr.trim() || err.message}; set api.tls.cert and api.tls.key instead`,
          { cause: err },
        ),
      );
    });
  });
}

async function readPem(file: string, field: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new SensegateError('SG_CONFIG_NOT_FOUND', `${field}: cannot read ${file}: ${(err as Error).message}`, { source: file, cause: err });
  }
}

function parse(cert: string, file: string, what: string): X509Certificate {
  try {
    return new X509Certificate(cert);
  } catch (err) {
    throw new SensegateError('SG_CONFIG_INVALID', `${what} ${file} is not a PEM certificate (${(err as Error).message}); give a PEM file, or remove it to have the gateway generate one`, { source: file });
  }
}

function fingerprintOf(cert: string, file: string, field: string): string {
  return parse(cert, file, field).fingerprint256;
}
