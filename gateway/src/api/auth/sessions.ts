/**
 * Console sessions, in memory only: a restart logs everyone out, and nothing on disk can be
 * stolen to replay one. A session id is 32 random bytes; the browser holds it in an HttpOnly
 * cookie, so page scripts never see it. Each session has its own CSRF token, which the page
 * sends in `x-csrf-token` with every state-changing request.
 *
 * Invariants: a session ends at `idle` without requests or at `absolute` after login, whichever
 * comes first, and is then forgotten; the table holds at most `maxSessions`, the least recently
 * used dropped first; ids and CSRF tokens are compared in constant time (the map lookup is on
 * a hash of the id, so its timing says nothing about the id itself).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './roles.js';

export interface SessionLimits {
  /** ms without a request after which a session ends. */
  idle: number;
  /** ms after login at which a session ends whatever its use. */
  absolute: number;
  maxSessions: number;
}

export interface Session {
  user: string;
  role: Role;
  csrf: string;
  /** Where it logged in from, for the audit. */
  from: string;
  created: number;
  lastSeen: number;
}

export type SessionLookup = { session: Session } | { ended: 'expired' | 'unknown' };

const key = (id: string) => createHash('sha256').update(id).digest('base64url');

export class Sessions {
  /** By the hash of the session id, least recently used first. */
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly limits: SessionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session: its id (for the cookie) and the session. */
  open(user: string, role: Role, from: string): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    const session: Session = { user, role, csrf: randomBytes(32).toString('base64url'), from, created: at, lastSeen: at };
    if (this.sessions.size >= this.limits.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(key(id), session);
    return { id, session };
  }

  /** The live session with id `id`, marked as used now; an expired one is forgotten. */
  use(id: string): SessionLookup {
    const k = key(id);
    const session = this.sessions.get(k);
    if (!session) return { ended: 'unknown' };
    const at = this.now();
    if (at - session.lastSeen >= this.limits.idle || at - session.created >= this.limits.absolute) {
      this.sessions.delete(k);
      return { ended: 'expired' };
    }
    session.lastSeen = at;
    this.sessions.delete(k); // re-inserted last: the table drops the least recently used first
    this.sessions.set(k, session);
    return { session };
  }

  /** Ends the session with id `id`; returns it if it was live. */
  close(id: string): Session | undefined {
    const k = key(id);
    const session = this.sessions.get(k);
    this.sessions.delete(k);
    return session;
  }

  /** Ends every session of `user` (removed), or sets their role (changed). */
  update(user: string, role: Role | undefined): void {
    for (const [k, s] of this.sessions) {
      if (s.user !== user) continue;
      if (role === undefined) this.sessions.delete(k);
      else s.role = role;
    }
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Whether `presented` is the session's CSRF token. */
export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
