/**
 * The built-in plug-ins of the `sensegate` distribution: the only place that names them. A device's
 * `driver: modbus` and a sink's `type: mqtt` mean these packages, resolved from this package's own
 * folder, so they are found wherever npm installed the distribution.
 */
import { fileURLToPath } from 'node:url';
import type { Builtins } from '@sensegate/gateway/cli';

/** Built-in drivers, by the short name a device's `driver:` uses. */
export const BUILTIN_DRIVERS: Readonly<Record<string, string>> = {
  modbus: '@sensegate/driver-modbus',
  hj212: '@sensegate/driver-hj212',
  sl651: '@sensegate/driver-sl651',
  opcua: '@sensegate/driver-opcua',
  onvif: '@sensegate/driver-onvif',
};

/** Built-in sinks, by the short name a sink's `type:` uses. */
export const BUILTIN_SINKS: Readonly<Record<string, string>> = {
  mqtt: '@sensegate/sink-mqtt',
  hj212: '@sensegate/driver-hj212/sink',
};

/** This package's folder (src/ and dist/ are both one level below it). */
export const DISTRIBUTION_FOLDER = fileURLToPath(new URL('..', import.meta.url));

/** The table the core takes (installBuiltins from @sensegate/gateway). */
export const BUILTINS: Builtins = { drivers: BUILTIN_DRIVERS, sinks: BUILTIN_SINKS, searchFrom: [DISTRIBUTION_FOLDER] };
