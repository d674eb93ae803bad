/**
 * Finds drivers. Built-in drivers are npm packages too (`modbus` is `@sensegate/driver-modbus`);
 * a third-party driver is named in the config by its package name and loaded the same way, from
 * the configuration file's folder first, so a site can install its vendors' drivers next to its
 * config without touching the gateway's installation.
 */
import { dirname, join } from 'node:path';
import { DRIVER_CONTRACT, isDriver, SensegateError, type Driver } from '@sensegate/sdk';
import { importPackage, PackageNotFound } from '../plugins/import-package.js';

export const BUILTIN_DRIVERS: Readonly<Record<string, string>> = {
  modbus: '@sensegate/driver-modbus',
  hj212: '@sensegate/driver-hj212',
  sl651: '@sensegate/driver-sl651',
  opcua: '@sensegate/driver-opcua',
  onvif: '@sensegate/driver-onvif',
};

export class DriverRegistry {
  private readonly loaded = new Map<string, Promise<Driver>>();

  /** @param searchFrom folders whose node_modules are searched, in order, before the gateway's own. */
  constructor(private readonly searchFrom: string[] = [process.cwd()]) {}

  /** The package a `driver:` value refers to. */
  static packageName(driver: string): string {
    return BUILTIN_DRIVERS[driver] ?? driver;
  }

  load(driver: string): Promise<Driver> {
    let pending = this.loaded.get(driver);
    if (!pending) {
      pending = this.import(driver);
      this.loaded.set(driver, pending);
      // A failed load is retried next time (the operator may install the package meanwhile).
      pending.catch(() => this.loaded.delete(driver));
    }
    return pending;
  }

  private async import(driver: string): Promise<Driver> {
    const pkg = DriverRegistry.packageName(driver);
    const mod = await this.importPackage(pkg, driver);
    const definition = (mod as { default?: unknown }).default;
    if (!isDriver(definition)) {
      throw new SensegateError(
        'SG_DRIVER_INVALID',
        `package "${pkg}" does not default-export a driver made with defineDriver() from @sensegate/sdk`,
        { driver },
      );
    }
    // Drivers made before the contract was numbered speak its first version.
    const contract = typeof definition.contract === 'number' ? definition.contract : 1;
    if (contract !== DRIVER_CONTRACT) {
      throw new SensegateError(
        'SG_DRIVER_INVALID',
        `driver "${driver}" (${pkg} ${definition.version}) was built for driver contract ${contract} (the @sensegate/sdk it was built with), ` +
          `and this gateway speaks driver contract ${DRIVER_CONTRACT}: install a version of the driver built for contract ${DRIVER_CONTRACT}, ` +
          `or a gateway that speaks contract ${contract}`,
        { driver },
      );
    }
    return definition;
  }

  private async importPackage(pkg: string, driver: string): Promise<unknown> {
    try {
      return await importPackage(pkg, this.searchFrom);
    } catch (err) {
      if (err instanceof PackageNotFound) {
        const builtin = BUILTIN_DRIVERS[driver] !== undefined;
        throw new SensegateError(
          'SG_DRIVER_NOT_FOUND',
          builtin
            ? `built-in driver "${driver}" (${pkg}) is not installed; reinstall the gateway`
            : `driver "${driver}" is not a built-in driver (${Object.keys(BUILTIN_DRIVERS).join(', ')}) and no npm package of that name is installed in ${this.searchFrom.map((f) => join(f, 'node_modules')).join(' or ')}`,
          { driver, cause: err.cause },
        );
      }
      throw new SensegateError('SG_DRIVER_INVALID', `driver "${driver}" (${pkg}) failed to load: ${(err as Error).message}`, {
        driver,
        cause: err,
      });
    }
  }
}

export function configSearchPath(configFile: string): string[] {
  return [dirname(configFile), process.cwd()];
}
