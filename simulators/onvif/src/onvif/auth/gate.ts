/**
 * Who may call what, in this order:
 * 1. PRE_AUTH operations (GetSystemDateAndTime) are answered to anyone, as real cameras do.
 * 2. `failAuth` on: every other request is refused (400 ter:NotAuthorized), whatever it carries,
 *    like a camera whose password was changed behind the gateway's back. (Refusing
 *    GetSystemDateAndTime too would make the onvif client fail with a TypeError of its own
 *    instead of the NotAuthorized fault a driver must recognise.)
 * 3. A WS-Security UsernameToken is checked (UsernameTokenChecker); refused: 400 ter:NotAuthorized.
 * 4. Else an HTTP Digest Authorization header is checked; refused: 401 with a fresh challenge.
 * 5. No credentials at all: 401 with a Digest challenge and a ter:NotAuthorized body, so a
 *    Digest client retries and a WS-Security client reads the fault. Not counted as a failure.
 */
import type { SoapRequest } from '../soap/request.js';
import { HttpDigest } from './http-digest.js';
import { UsernameTokenChecker } from './username-token.js';

export type Admission = { ok: true } | { ok: false; status: 400 | 401; challenge?: string; /** counts in stats().authFailures */ failure: boolean; why: string };

export class AuthGate {
  readonly #tokens: UsernameTokenChecker;
  readonly #digest: HttpDigest;

  constructor(credentials: { user: string; password: string }) {
    this.#tokens = new UsernameTokenChecker(credentials);
    this.#digest = new HttpDigest(credentials);
  }

  admit(input: { request: SoapRequest; open: boolean; failAuth: boolean; cameraNow: number; authorization: string | undefined; method: string }): Admission {
    if (input.open) return { ok: true };
    if (input.failAuth) return { ok: false, status: 400, failure: true, why: 'failAuth is on' };
    const token = input.request.usernameToken;
    if (token) {
      const v = this.#tokens.check(token, input.cameraNow);
      return v.ok ? v : { ok: false, status: 400, failure: true, why: v.why };
    }
    if (input.authorization !== undefined) {
      const v = this.#digest.check(input.authorization, input.method);
      return v.ok ? v : { ok: false, status: 401, challenge: this.#digest.challenge(), failure: true, why: v.why };
    }
    return { ok: false, status: 401, challenge: this.#digest.challenge(), failure: false, why: 'no credentials' };
  }
}
