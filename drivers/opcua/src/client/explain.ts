/**
 * node-opcua's errors made into messages a field engineer can act on: which step failed, what the
 * server said, and what to do about it.
 */
import { SensegateError, type ErrorCode } from '@sensegate/sdk';

export interface ExplainContext {
  endpoint: string;
  /** What was being done: `connecting`, `creating the session`, ... */
  step: string;
  pki: string;
  userName?: string;
  securityMode: string;
  securityPolicy: string;
  /** Thumbprint of the server certificate the client rejected, when known. */
  rejectedServerCertificate?: string;
}

export function explain(err: unknown, c: ExplainContext, where: { driver: string; device: string }): SensegateError {
  if (err instanceof SensegateError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const text = raw.replace(/\s+/g, ' ').trim();
  const make = (code: ErrorCode, message: string, status?: string) =>
    new SensegateError(code, `${c.endpoint}: ${message}`, { ...where, ...(status ? { status } : {}), cause: err });

  if (/BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/.test(text)) {
    const status = /Bad\w+/.exec(text)![0];
    return make(
      'SG_CONNECT_REFUSED',
      c.userName
        ? `the server refused user "${c.userName}" (${status}): check the user name and password`
        : `the server refused the session's identity (${status}): it may not allow anonymous users; set connection.user`,
      `opcua:${status}`,
    );
  }
  const policy = /Cannot find (\w+) user token policy/i.exec(text);
  if (policy) {
    const kind = policy[1]!.toUpperCase();
    return make(
      'SG_CONNECT_REFUSED',
      kind === 'ANONYMOUS'
        ? 'the server does not allow anonymous users on this endpoint; set connection.user (a user name and password, or a certificate)'
        : `the server does not accept ${kind === 'USERNAME' ? 'user names and passwords' : 'user certificates'} on this endpoint (with securityMode ${c.securityMode}); try another login or security mode`,
      'opcua:BadIdentityTokenRejected',
    );
  }
  if (/server Certificate verification failed|certificate.*(untrusted|rejected)/i.test(text) && c.rejectedServerCertificate !== undefined) {
    return make(
      'SG_CONNECT_REFUSED',
      `the server's certificate (thumbprint ${c.rejectedServerCertificate}) is not trusted; it was saved in ${c.pki}/rejected. Trust it with: sensegate opcua certs trust ${c.rejectedServerCertificate}`,
      'opcua:BadCertificateUntrusted',
    );
  }
  if (/server Certificate verification failed/i.test(text)) {
    return make(
      'SG_CONNECT_REFUSED',
      `the server's certificate is not trusted (${text}); it was saved in ${c.pki}/rejected. List it with: sensegate opcua certs`,
      'opcua:BadCertificateUntrusted',
    );
  }
  if (/BadSecurityChecksFailed|BadCertificateUntrusted|BadCertificateInvalid/.test(text)) {
    const status = /Bad\w+/.exec(text)![0];
    return make(
      'SG_CONNECT_REFUSED',
      `the server did not accept the gateway's certificate (${status}): add ${c.pki}/own/certs/ (the gateway's certificate) to the server's trusted certificates`,
      `opcua:${status}`,
    );
  }
  if (/BadSecurityPolicyRejected|BadSecurityModeRejected|no endpoint|cannot find endpoint/i.test(text)) {
    return make(
      'SG_CONNECT_REFUSED',
      `the server offers no endpoint with securityMode ${c.securityMode} and securityPolicy ${c.securityPolicy} (${text}); run sensegate browse opcua ${c.endpoint} to see what it offers`,
      'opcua:BadSecurityPolicyRejected',
    );
  }
  if (/ECONNREFUSED/.test(text)) return make('SG_CONNECT_REFUSED', `connection refused while ${c.step}: is the server running?`);
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return make('SG_CONNECT_REFUSED', `cannot resolve the host while ${c.step}`);
  if (/timeout|timed out|ETIMEDOUT/i.test(text)) return make('SG_CONNECT_TIMEOUT', `no answer while ${c.step} (${text})`);
  const status = /\b(Bad\w+)/.exec(text)?.[1];
  return make('SG_CONNECTION_LOST', `${c.step} failed: ${text}`, status ? `opcua:${status}` : undefined);
}
