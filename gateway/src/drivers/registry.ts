/**
 * Finds drivers. Built-in drivers are npm packages too, named by the distribution's table
 * (plugins/builtins.ts: `modbus` is `@sensegate/driver-modbus` in the `sensegate` package); a third-party driver is named in the config by its package name and loaded the same way, from
 * the configuration file's folder first, so a site can install its vendors' drivers next to its
 * config without touching the gateway's installation. Everything the command line offers for a
 * driver (discover, browse, tools, its simulator) is found here, from the definition, so a vendor's
 * package contributes exactly what a built-in one does.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DRIVER_CONTRACT, isDriver, SensegateError, type Driver, type SimulatorModule } from '@sensegate/sdk';
import { builtins } from '../plugins/builtins.js';
import { importPackage, packageFolder, PackageNotFound } from '../plugins/import-package.js';

/** The npm keyword that marks a package as a sensegate driver, so `sensegate drivers` finds it installed. */
export const DRIVER_KEYWORD = 'sensegate-driver';

/** An installed driver as the command line shows it. */
export interface InstalledDriver {
  /** What a device's `driver:` says: the short name of a built-in, else the package name. */
  name: string;
  package: string;
  builtin: boolean;
  /** The package's folder. */
  folder: string | undefined;
  driver: Driver;
}

export class DriverRegistry {
  private readonly loaded = new Map<string, Promise<Driver>>();

  /**
   * @param searchFrom folders whose node_modules are searched, in order, before the built-ins' folders
   * (the distribution's) and the gateway's own.
   */
  constructor(readonly searchFrom: string[] = [process.cwd()]) {}

  /** The package a `driver:` value refers to. */
  static packageName(driver: string): string {
    return builtins().drivers[driver] ?? driver;
  }

  /** What a device's `driver:` calls a driver given by short name or package name (`@sensegate/driver-opcua` is `opcua`). */
  static referenceOf(driver: string): string {
    return Object.entries(builtins().drivers).find(([, pkg]) => pkg === driver)?.[0] ?? driver;
  }

  /** The folders searched for packages: the given ones, then the built-ins'. */
  private get searchPath(): string[] {
    return [...this.searchFrom, ...builtins().searchFrom];
  }

  /** A driver by short name or package name, with where it is installed. */
  async locate(driver: string): Promise<InstalledDriver> {
    const name = DriverRegistry.referenceOf(driver);
    const pkg = DriverRegistry.packageName(name);
    const definition = await this.load(name);
    return { name, package: pkg, builtin: builtins().drivers[name] !== undefined, folder: packageFolder(pkg, this.searchPath), driver: definition };
  }

  /**
   * Every driver installed: the built-ins, then the packages with the `sensegate-driver` keyword in the
   * searched folders' node_modules. A package that fails to load is reported in `broken`, not thrown.
   */
  async installed(): Promise<{ drivers: InstalledDriver[]; broken: Array<{ package: string; error: SensegateError }> }> {
    const names = [...Object.keys(builtins().drivers)];
    for (const folder of this.searchFrom) {
      for (const pkg of await keywordPackages(join(folder, 'node_modules'))) if (!names.includes(pkg)) names.push(pkg);
    }
    const drivers: InstalledDriver[] = [];
    const broken: Array<{ package: string; error: SensegateError }> = [];
    for (const name of names) {
      try {
        drivers.push(await this.locate(name));
      } catch (err) {
        broken.push({ package: DriverRegistry.packageName(name), error: err instanceof SensegateError ? err : new SensegateError('SG_DRIVER_INVALID', String(err)) });
      }
    }
    return { drivers, broken };
  }

  /** The simulator module a driver names in `simulator`, resolved from the driver package's folder first. */
  async simulator(found: InstalledDriver): Promise<SimulatorModule> {
    const pkg = found.driver.simulator;
    if (!pkg) throw new SensegateError('SG_USAGE', `driver "${found.name}" (${found.package}) names no simulator`, { driver: found.name });
    let mod: unknown;
    try {
      mod = await importPackage(pkg, [...(found.folder ? [found.folder] : []), ...this.searchPath]);
    } catch (err) {
      if (err instanceof PackageNotFound) {
        throw new SensegateError(
          'SG_DRIVER_NOT_FOUND',
          `the simulator of driver "${found.name}", package ${pkg}, is not installed: install it beside the driver (npm install ${pkg})`,
          { driver: found.name, cause: err.cause },
        );
      }
      throw new SensegateError('SG_DRIVER_INVALID', `the simulator of driver "${found.name}" (${pkg}) failed to load: ${(err as Error).message}`, { driver: found.name, cause: err });
    }
    if (typeof (mod as Partial<SimulatorModule>).runSimulatorCli !== 'function') {
      throw new SensegateError('SG_DRIVER_INVALID', `package ${pkg}, the simulator of driver "${found.name}", does not export runSimulatorCli(argv)`, { driver: found.name });
    }
    return mod as SimulatorModule;
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
      return await importPackage(pkg, this.searchPath);
    } catch (err) {
      if (err instanceof PackageNotFound) {
        const table = builtins().drivers;
        const builtin = table[driver] !== undefined;
        const known = Object.keys(table).length ? `a built-in driver (${Object.keys(table).join(', ')})` : 'a built-in driver (this gateway has none: name drivers by package)';
        throw new SensegateError(
          'SG_DRIVER_NOT_FOUND',
          builtin
            ? `built-in driver "${driver}" (${pkg}) is not installed; reinstall the gateway`
            : `driver "${driver}" is not ${known} and no npm package of that name is installed in ${this.searchFrom.map((f) => join(f, 'node_modules')).join(' or ')}`,
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

/** Names of the packages in `modules` (scoped ones included) whose package.json has the driver keyword. */
async function keywordPackages(modules: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(modules, { withFileTypes: true }).catch(() => []);
  const candidates: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) {
      for (const inner of await readdir(join(modules, entry.name)).catch(() => [] as string[])) candidates.push(`${entry.name}/${inner}`);
    } else {
      candidates.push(entry.name);
    }
  }
  for (const name of candidates) {
    try {
      const manifest = JSON.parse(await readFile(join(modules, name, 'package.json'), 'utf8')) as { name?: string; keywords?: unknown };
      if (Array.isArray(manifest.keywords) && manifest.keywords.includes(DRIVER_KEYWORD) && manifest.name) found.push(manifest.name);
    } catch {
      // not a package, or no readable manifest
    }
  }
  return found.sort();
}
