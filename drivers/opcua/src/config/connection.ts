/**
 * An OPC UA device's `connection` block: the server's endpoint, how the channel is secured, who the
 * session logs in as, and the subscription every subscribed point of the device shares.
 */
import { duration, secret } from '@sensegate/sdk';
import { z } from 'zod';

export const SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export type SecurityModeName = (typeof SECURITY_MODES)[number];

/** Policies offered. Basic128Rsa15 and Basic256 are left out: Node >= 20.11.1 disables RSA PKCS#1 v1.5. */
export const SECURITY_POLICIES = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;
export type SecurityPolicyName = (typeof SECURITY_POLICIES)[number];

const userSchema = z.union([
  z
    .object({
      userName: z.string().min(1).describe('User name the session logs in with.'),
      password: secret('Password of the user.'),
    })
    .strict()
    .describe('Log in with a user name and password (sent encrypted by the server\'s user token policy).'),
  z
    .object({
      certificate: z.string().min(1).describe('PEM or DER file of the user\'s X.509 certificate; relative to the configuration file.'),
      privateKey: z.string().min(1).describe('PEM file of the user certificate\'s private key; relative to the configuration file.'),
    })
    .strict()
    .describe('Log in with a user certificate (X509 identity token).'),
]);

export const connectionSchema = z
  .object({
    endpoint: z
      .string()
      .regex(/^opc\.tcp:\/\/[^/\s]+(\/\S*)?$/, 'an OPC UA endpoint URL such as opc.tcp://10.0.0.5:4840 or opc.tcp://plc:4840/UA/Server')
      .describe('Endpoint URL of the server, e.g. `opc.tcp://10.0.0.5:4840/UA/WaterPlant`.'),
    securityMode: z
      .enum(SECURITY_MODES)
      .default('None')
      .describe('Message security: `None`, `Sign` or `SignAndEncrypt`. With Sign or SignAndEncrypt, the server\'s certificate must be trusted (`sensegate opcua certs`).'),
    securityPolicy: z
      .enum(SECURITY_POLICIES)
      .optional()
      .describe('Security policy: `Basic256Sha256`, `Aes128_Sha256_RsaOaep` or `Aes256_Sha256_RsaPss`; `None` with securityMode None. Default: None without security, Basic256Sha256 with it.'),
    user: userSchema.optional().describe('Who the session logs in as: a user name and password, or a user certificate. Anonymous when left out.'),
    publishingInterval: duration('How often the server sends the subscription\'s changes.').default(1000),
    samplingInterval: duration('How often the server samples each subscribed point, unless the point sets its own. 0: as fast as the server can.').default(1000),
    queueSize: z.number().int().min(1).max(10_000).default(1).describe('Changes the server keeps per point between publishes, unless the point sets its own; 1 keeps only the latest.'),
    keepAliveCount: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe('Publishing intervals without changes after which the server sends a keep-alive; a subscription silent for three times that is re-created.'),
    lifetimeCount: z
      .number()
      .int()
      .min(3)
      .max(100_000)
      .default(60)
      .describe('Publishing intervals without the gateway\'s publish requests after which the server drops the subscription; at least three times keepAliveCount.'),
    maxNotificationsPerPublish: z.number().int().min(0).default(0).describe('Most changes the server puts in one publish response; 0: no limit.'),
    staleAfter: duration(
      'Data-age watchdog: a subscribed point with no change for this long is checked with a read. If the value moved, the item is re-created; if the read fails, the point is marked stale (uncertain). 0 turns the watchdog off.',
    ).default(60_000),
    sessionTimeout: duration('How long the server keeps the session while the connection is down.').default(60_000),
    applicationName: z.string().min(1).default('sensegate').describe('Application name in the gateway\'s certificate and session.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const policy = c.securityPolicy;
    if (c.securityMode === 'None' && policy !== undefined && policy !== 'None') {
      ctx.addIssue({ code: 'custom', path: ['securityPolicy'], message: `securityPolicy ${policy} needs securityMode Sign or SignAndEncrypt` });
    }
    if (c.securityMode !== 'None' && policy === 'None') {
      ctx.addIssue({ code: 'custom', path: ['securityPolicy'], message: `securityMode ${c.securityMode} needs a securityPolicy other than None, e.g. Basic256Sha256` });
    }
    if (c.lifetimeCount < 3 * c.keepAliveCount) {
      ctx.addIssue({ code: 'custom', path: ['lifetimeCount'], message: `lifetimeCount must be at least three times keepAliveCount (${3 * c.keepAliveCount})` });
    }
  });

export type OpcuaConnection = z.output<typeof connectionSchema>;
export type OpcuaConnectionInput = z.input<typeof connectionSchema>;
export type OpcuaUser = NonNullable<OpcuaConnection['user']>;

/** The policy in effect: the configured one, else the mode's default. */
export function policyOf(c: Pick<OpcuaConnection, 'securityMode' | 'securityPolicy'>): SecurityPolicyName {
  return c.securityPolicy ?? (c.securityMode === 'None' ? 'None' : 'Basic256Sha256');
}
