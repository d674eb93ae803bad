/**
 * The gateway's OPC UA PKI: a folder under the gateway's data folder (never the home directory) with
 * the gateway's own certificate and the server certificates it trusts or has rejected. A server's
 * certificate is never trusted on first sight: it lands in `rejected/` and the connection fails
 * with its thumbprint, until an operator trusts it (`sensegate opcua certs trust <thumbprint>`).
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SensegateError } from '@sensegate/sdk';

export type CertificateState = 'trusted' | 'rejected' | 'own';

export interface CertificateInfo {
  state: CertificateState;
  /** SHA-1 thumbprint, lowercase hex, as OPC UA tools show it. */
  thumbprint: string;
  subject: string;
  /** The application URI from the subject alternative name, when present. */
  applicationUri?: string;
  validFrom: string;
  validTo: string;
  file: string;
}

/** The PKI folder of a gateway data folder's OPC UA driver. */
export function pkiFolder(driverDataDir: string): string {
  return join(driverDataDir, 'pki');
}

const FOLDERS: Record<CertificateState, string> = { trusted: 'trusted/certs', rejected: 'rejected', own: 'own/certs' };

/** Every certificate in the PKI folder, trusted, rejected and the gateway's own. */
export function listCertificates(pki: string): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  for (const state of ['own', 'trusted', 'rejected'] as const) {
    const dir = join(pki, FOLDERS[state]);
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => /\.(pem|der|crt)$/i.test(n)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const file = join(dir, name);
      const info = describeCertificate(readFileSync(file), file, state);
      if (info) out.push(info);
    }
  }
  return out;
}

export function describeCertificate(data: Buffer, file: string, state: CertificateState): CertificateInfo | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(data);
  } catch {
    return undefined;
  }
  const uri = /URI:([^,\s]+)/.exec(cert.subjectAltName ?? '')?.[1];
  return {
    state,
    thumbprint: cert.fingerprint.replace(/:/g, '').toLowerCase(),
    subject: cert.subject.replace(/\n/g, ', '),
    ...(uri ? { applicationUri: uri } : {}),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    file,
  };
}

/**
 * Trusts a rejected server certificate, chosen by thumbprint (or a unique prefix of at least 6
 * characters): it moves to `trusted/certs`. A running gateway picks it up on its next attempt.
 */
export function trustCertificate(pki: string, thumbprint: string): CertificateInfo {
  const wanted = thumbprint.replace(/:/g, '').toLowerCase();
  if (wanted.length < 6) throw new SensegateError('SG_USAGE', `give at least 6 characters of the thumbprint (got "${thumbprint}")`);
  const all = listCertificates(pki);
  const matches = all.filter((c) => c.thumbprint.startsWith(wanted));
  const rejected = matches.filter((c) => c.state === 'rejected');
  if (matches.some((c) => c.state === 'trusted') && rejected.length === 0) {
    return matches.find((c) => c.state === 'trusted')!;
  }
  if (rejected.length === 0) {
    const known = all.filter((c) => c.state === 'rejected').map((c) => `${c.thumbprint} (${c.subject})`);
    throw new SensegateError(
      'SG_USAGE',
      `no rejected certificate in ${pki} has thumbprint ${thumbprint}; ${known.length ? `rejected: ${known.join('; ')}` : 'none is rejected'}`,
    );
  }
  if (rejected.length > 1) throw new SensegateError('SG_USAGE', `thumbprint prefix ${thumbprint} matches ${rejected.length} certificates; give more of it`);
  const cert = rejected[0]!;
  const dir = join(pki, FOLDERS.trusted);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, cert.file.slice(cert.file.lastIndexOf('/') + 1));
  renameSync(cert.file, target);
  return { ...cert, state: 'trusted', file: target };
}

/** Adds a certificate file (PEM or DER) to the trusted folder: how a field engineer pre-trusts a server. */
export function addTrustedCertificate(pki: string, data: Buffer, name: string): CertificateInfo {
  const info = describeCertificate(data, name, 'trusted');
  if (!info) throw new SensegateError('SG_USAGE', `${name} is not an X.509 certificate (PEM or DER)`);
  const dir = join(pki, FOLDERS.trusted);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/\.(pem|der|crt)$/i, '')}[${info.thumbprint}].pem`);
  writeFileSync(file, new X509Certificate(data).toString());
  return { ...info, file };
}
