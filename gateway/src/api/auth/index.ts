/**
 * Access control for the HTTP API and the console: users and roles (users.json, written by
 * `sensegate users`), console sessions with CSRF tokens, API tokens, the loopback rule, slowed
 * failed logins, audit events, and the API's TLS certificate. See docs/security.md, "HTTP API and
 * console access".
 */
export { Access, CSRF_HEADER, LOCAL_PRINCIPAL, isRefusal, type AccessOptions, type AccessRequest, type LoggedIn, type Principal, type Refusal } from './access.js';
export { OPEN_PATHS, accessPlugin, installAccess } from './fastify.js';
export { ROLES, allows, isRole, type Role } from './roles.js';
export { accessConfigSchema, accessShape, type AccessConfig, type ApiAccessConfig } from './schema.js';
export { TLS_FOLDER, tlsFor, type ApiTls, type TlsOptions } from './tls.js';
