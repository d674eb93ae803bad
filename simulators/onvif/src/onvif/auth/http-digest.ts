/**
 * HTTP Digest (MD5, qop=auth), the ONVIF alternative to UsernameToken: the package's one Digest
 * implementation (../../auth.ts, which RTSP and snapshots use too), offered without Basic.
 */
import { Authenticator } from '../../auth.js';
import type { Verdict } from './username-token.js';

export const DIGEST_REALM = 'sensegate-onvif';

export class HttpDigest {
  readonly #auth: Authenticator;

  constructor(credentials: { user: string; password: string }) {
    this.#auth = new Authenticator([credentials], { realm: DIGEST_REALM, qop: true });
  }

  /** The WWW-Authenticate header of a 401: Digest only, as ONVIF asks. */
  challenge(): string {
    return this.#auth.challenge()[0]!;
  }

  check(header: string, method: string): Verdict {
    if (!/^\s*Digest\s/i.test(header)) return { ok: false, why: 'Authorization is not Digest' };
    return this.#auth.check(method, header) !== undefined ? { ok: true } : { ok: false, why: 'wrong Digest answer (user, password or nonce)' };
  }
}
