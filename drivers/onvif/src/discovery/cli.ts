/**
 * What the ONVIF driver gives `sensegate discover onvif`: a WS-Discovery probe (multicast, or unicast
 * over a range) from a bare block of options, and for every camera that answered a device with
 * `profile: camera` whose password is read from an environment variable, never written down.
 */
import type { DriverDiscover } from '@sensegate/sdk';
import { z } from 'zod';
import { discoverOnvif, discoverOptionsSchema } from './discover.js';
import { MAX_RANGE } from './range.js';

const options = discoverOptionsSchema
  .extend({
    range: discoverOptionsSchema.shape.range.describe(
      `CIDR range (\`10.20.0.0/24\`) or one host to probe by unicast; at most ${MAX_RANGE} addresses. Default: multicast to 239.255.255.250, which does not leave a container's network or cross routers.`,
    ),
    user: z.string().min(1).default('admin').describe('ONVIF user written in the configuration.'),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is not an environment variable name')
      .default('ONVIF_PASSWORD')
      .describe('Environment variable the written configuration reads the password from.'),
  })
  .strict();

export const onvifDiscover: DriverDiscover<typeof options> = {
  summary:
    'Sends a WS-Discovery probe for ONVIF cameras and lists those that answer: name, address, device service URL, hardware and location. The devices: block has profile: camera for every camera found; the password is read from an environment variable.',
  options,
  async run({ user, passwordEnv, range, port, timeout }, io) {
    const { cameras, devices } = await discoverOnvif({ ...(range !== undefined ? { range } : {}), port, timeout }, io.signal);
    return {
      devices: devices.map((d) => ({ ...d, profile: 'camera', settings: { timeout: '5s' }, connection: { ...d.connection, user, password: { env: passwordEnv } } })),
      table: {
        columns: ['ID', 'NAME', 'ADDRESS', 'DEVICE SERVICE', 'HARDWARE', 'LOCATION'],
        rows: cameras.map((c, i) => [devices[i]?.id ?? '', c.name ?? '', c.address, String(devices[i]?.connection['url'] ?? c.xaddrs[0] ?? ''), c.hardware ?? '', c.location ?? '']),
      },
      nothingFound: `no ONVIF camera answered ${range ? `in ${range}` : 'the multicast probe (inside a container or across routers, use --range)'}`,
      noun: ['camera', 'cameras'],
      notes: [`the password is read from $${passwordEnv}`],
    };
  },
};
