/**
 * An ONVIF camera's `connection` block: where its device service answers, the account, which media
 * profile the gateway streams, and how the pull-point event subscription is kept alive.
 */
import { byteSize, duration, secret } from '@sensegate/sdk';
import { z } from 'zod';

const eventsSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Subscribe to the camera\'s events (motion, tamper, ...) with a pull-point subscription.'),
    termination: duration('How long the camera keeps the subscription without a renewal; the driver renews it when half of that is left.').default(60_000),
    pullTimeout: duration('How long one PullMessages long poll waits at the camera for a message; at most half of `termination`.').default(10_000),
  })
  .strict()
  .describe('The pull-point event subscription.');

export const connectionSchema = z
  .object({
    url: z
      .string()
      .regex(/^https?:\/\/[^/\s]+(\/\S*)?$/, 'a device service URL such as http://10.0.0.21/onvif/device_service')
      .optional()
      .describe('Device service URL of the camera, e.g. `http://10.0.0.21/onvif/device_service` (what discovery reports as XAddrs). Give this or `host`.'),
    host: z.string().min(1).optional().describe('Camera address when `url` is not given; the device service is then `http://host:port/onvif/device_service`.'),
    port: z.number().int().min(1).max(65_535).default(80).describe('HTTP port of the device service, with `host`.'),
    user: z.string().min(1).optional().describe('ONVIF user name (WS-UsernameToken, or HTTP Digest when the camera asks for it). Anonymous when left out.'),
    auth: z
      .enum(['ws-security', 'digest'])
      .default('ws-security')
      .describe('How the password is proven: `ws-security` (a WS-UsernameToken in every request, made with the camera\'s clock; HTTP Digest too when the camera asks for it) or `digest` (HTTP Digest only, for cameras that refuse UsernameTokens).'),
    password: secret('Password of the ONVIF user; the same account is handed to the gateway\'s video relay for RTSP and snapshots.').optional(),
    profile: z
      .string()
      .min(1)
      .optional()
      .describe('Media profile to stream, by token or by name (e.g. `profile_1`, `MainStream`); default: the camera\'s first profile. PTZ commands use it too.'),
    preserveAddress: z
      .boolean()
      .default(true)
      .describe(
        'Use only the configured address, whatever addresses the camera reports: ONVIF requests and event pull points go to the configured host and port, and stream and snapshot URIs that name another host are rewritten to the configured host (path, query and port kept; the port of the camera\'s own web server becomes the configured one). Cameras behind NAT report their private address, and a hostile or spoofed camera could report an attacker\'s host to collect the account. `false` trusts the camera: its addresses are used as reported and the account is sent there.',
      ),
    allowBasicOverHttp: z
      .boolean()
      .default(false)
      .describe('Answer an HTTP (or RTSP) Basic login challenge without TLS. Basic sends the password readable by anyone on the network path, so by default the gateway answers only Digest, and Basic only over HTTPS; set this only for a camera that offers nothing else, on a network you trust.'),
    maxReply: byteSize('Largest ONVIF answer the driver reads from this camera; a larger one is refused (SG_REPLY_TOO_LARGE) and its connection closed.').default(1024 * 1024),
    checkInterval: duration('How often the driver checks that the camera answers (GetSystemDateAndTime), refreshes `clock-offset` and the PTZ position.').default(30_000),
    events: eventsSchema.default({ enabled: true, termination: 60_000, pullTimeout: 10_000 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.url === undefined && c.host === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'give the camera\'s device service `url` or its `host`' });
    if (c.url !== undefined && c.host !== undefined) ctx.addIssue({ code: 'custom', path: ['host'], message: 'give either `url` or `host`, not both' });
    if (c.password !== undefined && c.user === undefined) ctx.addIssue({ code: 'custom', path: ['user'], message: 'a `password` needs the `user` it belongs to' });
    if (c.maxReply < 16 * 1024 || c.maxReply > 64 * 1024 * 1024) ctx.addIssue({ code: 'custom', path: ['maxReply'], message: `maxReply must be between 16KiB and 64MiB, got ${c.maxReply} bytes` });
    if (c.events.pullTimeout * 2 > c.events.termination) {
      ctx.addIssue({ code: 'custom', path: ['events', 'pullTimeout'], message: `events.pullTimeout must be at most half of events.termination (${c.events.termination / 2} ms)` });
    }
  });

export type OnvifConnection = z.output<typeof connectionSchema>;
export type OnvifConnectionInput = z.input<typeof connectionSchema>;

/** The device service URL a connection block points at. */
export function deviceServiceUrl(c: Pick<OnvifConnection, 'url' | 'host' | 'port'>): URL {
  if (c.url !== undefined) return new URL(c.url);
  const host = c.host!.includes(':') && !c.host!.startsWith('[') ? `[${c.host}]` : c.host!;
  return new URL(`http://${host}:${c.port}/onvif/device_service`);
}
