/**
 * Who may do what through the HTTP API and the console. Three roles, each allowing everything the
 * one before it allows: a viewer reads (values, health, the feed, the configuration without its
 * secrets); an operator also sends commands and writes, still only those on `commands.allow`; an
 * admin also changes the configuration and the gateway itself. A route declares the least role
 * it needs; there is no other permission model.
 */

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` may do what needs `needed`. */
export function allows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
