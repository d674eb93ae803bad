/**
 * WS-Security UsernameToken, as ONVIF cameras check it:
 * PasswordDigest = Base64(SHA1(nonce bytes + Created + password)), or the password as
 * PasswordText. `Created` must lie within CREATED_WINDOW_MS of the CAMERA's clock, and a nonce
 * is accepted once inside that window (replay protection, as Axis and Hikvision firmware do).
 * A client whose clock differs from the camera's by more than the window and that did not
 * correct for GetSystemDateAndTime is refused, like a real camera with replay protection.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { UsernameToken } from '../soap/request.js';

export const CREATED_WINDOW_MS = 5 * 60_000;

export type Verdict = { ok: true } | { ok: false; why: string };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class UsernameTokenChecker {
  /** Nonces seen, with the camera time after which they may be forgotten. */
  readonly #nonces = new Map<string, number>();

  constructor(private readonly credentials: { user: string; password: string }) {}

  check(token: UsernameToken, cameraNow: number): Verdict {
    if (!sameText(token.username, this.credentials.user)) return { ok: false, why: `unknown user "${token.username}"` };
    if (token.created !== undefined) {
      const created = Date.parse(token.created);
      if (Number.isNaN(created)) return { ok: false, why: `Created "${token.created}" is not a time` };
      const skew = created - cameraNow;
      if (Math.abs(skew) > CREATED_WINDOW_MS) return { ok: false, why: `Created is ${Math.round(skew / 1000)} s off the camera clock (window ±${CREATED_WINDOW_MS / 1000} s)` };
    }
    if (token.passwordType === 'PasswordText') {
      return sameText(token.password, this.credentials.password) ? { ok: true } : { ok: false, why: 'wrong PasswordText' };
    }
    if (token.nonce === undefined || token.created === undefined) return { ok: false, why: 'PasswordDigest without Nonce or Created' };
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(token.nonce, 'base64'), Buffer.from(token.created, 'utf8'), Buffer.from(this.credentials.password, 'utf8')]))
      .digest('base64');
    if (!sameText(token.password, expected)) return { ok: false, why: 'wrong PasswordDigest' };
    this.#forgetOld(cameraNow);
    if (this.#nonces.has(token.nonce)) return { ok: false, why: 'nonce replayed' };
    this.#nonces.set(token.nonce, cameraNow + 2 * CREATED_WINDOW_MS);
    return { ok: true };
  }

  #forgetOld(cameraNow: number): void {
    for (const [nonce, until] of this.#nonces) if (until < cameraNow) this.#nonces.delete(nonce);
  }
}
