/**
 * `sensegate discover onvif`: finds cameras with WS-Discovery (multicast, or unicast over a range),
 * prints what answered, and writes a `devices:` block with `profile: camera` for them, ready to
 * paste into a gateway's configuration.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SensegateError } from '@sensegate/sdk';
import { DISCOVERY_PORT, MAX_RANGE, discoverOnvif, type DiscoveredCamera } from '@sensegate/driver-onvif';
import type { DiscoveredDevice } from '@sensegate/sdk';
import { parseOptions, positiveInt } from './args.js';

export const discoverHelp = `Usage: sensegate discover onvif [options]

Sends a WS-Discovery probe for ONVIF cameras and lists those that answer: name, address, device
service URL, hardware and location. Then prints (or writes, with --out) a devices: block with
profile: camera for every camera found; the password is read from an environment variable.

  --range CIDR        probe every address of this range by unicast (10.20.0.0/24, or one host);
                      at most ${MAX_RANGE} addresses. Default: multicast to 239.255.255.250, which
                      does not leave a container's network or cross routers
  --port N            UDP port the cameras listen on (default ${DISCOVERY_PORT})
  --timeout MS        how long to wait for answers (default 3000)
  --user NAME         ONVIF user in the written configuration (default admin)
  --password-env VAR  environment variable the configuration reads the password from (default ONVIF_PASSWORD)
  --out FILE          write the devices: block to FILE instead of printing it
  --json              print what answered as JSON instead`;

export async function runDiscover(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseOptions('discover', argv, {
    range: { type: 'string' },
    port: { type: 'string' },
    timeout: { type: 'string' },
    user: { type: 'string' },
    'password-env': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    out.write(discoverHelp + '\n');
    return 0;
  }
  const [protocol, extra] = positionals;
  if (protocol !== 'onvif' || extra !== undefined) {
    throw new SensegateError('SG_USAGE', 'sensegate discover: give the protocol: sensegate discover onvif [--range CIDR] (see --help)');
  }
  const port = positiveInt('discover', 'port', values.port);
  if (port !== undefined && (port < 1 || port > 65_535)) throw new SensegateError('SG_USAGE', `sensegate discover: --port must be 1-65535, got ${port}`);
  const timeout = positiveInt('discover', 'timeout', values.timeout);
  if (timeout !== undefined && (timeout < 100 || timeout > 60_000)) throw new SensegateError('SG_USAGE', `sensegate discover: --timeout must be 100-60000 ms, got ${timeout}`);
  const passwordEnv = values['password-env'] ?? 'ONVIF_PASSWORD';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) throw new SensegateError('SG_USAGE', `sensegate discover: --password-env "${passwordEnv}" is not an environment variable name`);

  let result;
  try {
    result = await discoverOnvif({ ...(values.range ? { range: values.range } : {}), ...(port ? { port } : {}), ...(timeout ? { timeout } : {}) });
  } catch (err) {
    // A range the prober refuses is a usage problem of this command.
    if (err instanceof SensegateError && err.code === 'SG_CONFIG_INVALID') throw new SensegateError('SG_USAGE', `sensegate discover: ${err.message}`);
    throw err;
  }
  const { cameras, devices } = result;
  if (values.json) {
    out.write(JSON.stringify(devices, null, 2) + '\n');
  } else if (cameras.length === 0) {
    out.write(`no ONVIF camera answered ${values.range ? `in ${values.range}` : 'the multicast probe (inside a container or across routers, use --range)'}\n`);
  } else {
    out.write(cameraTable(cameras, devices).join('\n') + '\n\n');
  }
  if (devices.length === 0) return 0;
  const snippet = devicesSnippet(devices, values.user ?? 'admin', passwordEnv, values.range);
  if (values.out) {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, snippet);
    out.write(`wrote ${devices.length} camera${devices.length === 1 ? '' : 's'} to ${values.out}\n`);
  } else if (!values.json) {
    out.write(snippet);
  }
  return 0;
}

/** One row per camera, in columns. */
export function cameraTable(cameras: readonly DiscoveredCamera[], devices: readonly DiscoveredDevice[]): string[] {
  const rows = [['ID', 'NAME', 'ADDRESS', 'DEVICE SERVICE', 'HARDWARE', 'LOCATION']];
  cameras.forEach((c, i) => rows.push([devices[i]?.id ?? '', c.name ?? '', c.address, String(devices[i]?.connection['url'] ?? c.xaddrs[0] ?? ''), c.hardware ?? '', c.location ?? '']));
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd());
}

export function devicesSnippet(devices: readonly DiscoveredDevice[], user: string, passwordEnv: string, range: string | undefined): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    `# Written by sensegate discover onvif${range ? ` --range ${range}` : ''}: ${devices.length} camera${devices.length === 1 ? '' : 's'}.`,
    `# Paste under \`devices:\` in a gateway configuration; the password is read from $${passwordEnv}.`,
    'devices:',
  ];
  for (const d of devices) {
    lines.push(`  - id: ${q(d.id)}`);
    if (d.name) lines.push(`    name: ${q(d.name)}`);
    lines.push('    driver: onvif', '    profile: camera', '    timeout: 5s', '    connection:', `      url: ${q(String(d.connection['url']))}`, `      user: ${q(user)}`, `      password: { env: ${passwordEnv} }`);
  }
  return lines.join('\n') + '\n';
}
