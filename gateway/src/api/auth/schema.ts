/**
 * The access fields of the `api:` block, for the API's own schema to spread into its object
 * (`z.object({ host, port, ...accessShape })`): who must log in, the certificate, and the limits
 * of sessions and failed logins. The rule they serve: loopback without login by default; any
 * other listening address needs TLS (a configured certificate, else one generated into the data
 * folder) and at least one user, which `Access.open` checks at start.
 */
import { duration } from '@sensegate/sdk';
import { z } from 'zod';

const sessionSchema = z
  .object({
    idle: duration('A console session ends after this long without a request.').pipe(z.number().min(60_000)).default(30 * 60_000),
    absolute: duration('A console session ends this long after its login, however busy.').pipe(z.number().min(60_000)).default(12 * 3_600_000),
    maxSessions: z.number().int().min(1).max(100_000).default(1000).describe('Console sessions kept at once; beyond, the least recently used one ends.'),
  })
  .strict()
  .describe('Console sessions: kept in the gateway\'s memory only (a restart logs everyone out).');

const loginBackoffSchema = z
  .object({
    initialDelay: duration('How long an address is refused logins after one wrong password or token.').pipe(z.number().min(100).max(60_000)).default(1000),
    maxDelay: duration('The longest refusal: each further failure doubles it up to this.').pipe(z.number().min(1000).max(86_400_000)).default(5 * 60_000),
  })
  .strict()
  .describe('Failed logins slow their address down (an IPv6 address counts by its /64); a good login from it ends the refusal.');

export const accessShape = {
  auth: z
    .enum(['auto', 'required'])
    .default('auto')
    .describe(
      '`auto`: a request from the gateway itself (a loopback address) without credentials is the local admin; every other address must log in. `required`: every request must log in or carry a token, loopback included (needs at least one user).',
    ),
  tls: z
    .object({
      cert: z.string().min(1).describe('PEM certificate file (chain), relative to the configuration file.'),
      key: z.string().min(1).describe('PEM private key file, relative to the configuration file.'),
    })
    .strict()
    .optional()
    .describe('The API\'s certificate. Left out, an API listening beyond loopback uses a self-signed one generated into the data folder (`api-tls/`) at first start, and logs its SHA-256 fingerprint for browsers to check.'),
  session: sessionSchema.default(sessionSchema.parse({})),
  loginBackoff: loginBackoffSchema.default(loginBackoffSchema.parse({})),
};

export const accessConfigSchema = z.object(accessShape).strict();
export type AccessConfig = z.output<typeof accessConfigSchema>;
/** What the access part needs of the `api:` block: its own fields and the address the API listens on. */
export type ApiAccessConfig = AccessConfig & { host: string };
