/**
 * The built-in drivers, by the short name a device's `driver:` uses, and their packages. The only
 * place the core names them: the distribution package will own this table.
 */
export const BUILTIN_DRIVERS: Readonly<Record<string, string>> = {
  modbus: '@sensegate/driver-modbus',
  hj212: '@sensegate/driver-hj212',
  sl651: '@sensegate/driver-sl651',
  opcua: '@sensegate/driver-opcua',
  onvif: '@sensegate/driver-onvif',
};
