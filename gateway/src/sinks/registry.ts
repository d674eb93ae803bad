/**
 * Finds sinks. Built-in sinks are npm packages too, named by the distribution's table
 * (plugins/builtins.ts: `mqtt` is `@sensegate/sink-mqtt`, `hj212` the relay the HJ 212 driver ships,
 * in the `sensegate` package); any other `type:` is the package name of a third-party sink,
 * loaded the same way as a driver: from the configuration file's folder first.
 */
import { join } from 'node:path';
import { isSink, SensegateError, SINK_CONTRACT, type Sink } from '@sensegate/sdk';
import { builtins } from '../plugins/builtins.js';
import { importPackage, PackageNotFound } from '../plugins/import-package.js';

export class SinkRegistry {
  private readonly loaded = new Map<string, Promise<Sink>>();

  /**
   * @param searchFrom folders whose node_modules are searched, in order, before the built-ins' folders
   * (the distribution's) and the gateway's own.
   */
  constructor(private readonly searchFrom: string[] = [process.cwd()]) {}

  /** The package a `type:` value refers to. */
  static packageName(type: string): string {
    return builtins().sinks[type] ?? type;
  }

  /** Every built-in sink, for the JSON Schema and the configuration reference. */
  builtins(): Promise<Sink[]> {
    return Promise.all(Object.keys(builtins().sinks).map((type) => this.load(type)));
  }

  load(type: string): Promise<Sink> {
    let pending = this.loaded.get(type);
    if (!pending) {
      pending = this.import(type);
      this.loaded.set(type, pending);
      // A failed load is retried next time (the operator may install the package meanwhile).
      pending.catch(() => this.loaded.delete(type));
    }
    return pending;
  }

  private async import(type: string): Promise<Sink> {
    const pkg = SinkRegistry.packageName(type);
    const mod = await this.importPackage(pkg, type);
    const definition = (mod as { default?: unknown }).default;
    if (!isSink(definition)) {
      throw new SensegateError('SG_SINK_INVALID', `package "${pkg}" does not default-export a sink made with defineSink() from @sensegate/sdk`, {
        source: `sink type ${type}`,
      });
    }
    if (definition.contract !== SINK_CONTRACT) {
      throw new SensegateError(
        'SG_SINK_INVALID',
        `sink "${type}" (${pkg} ${definition.version}) was built for sink contract ${definition.contract} (the @sensegate/sdk it was built with), ` +
          `and this gateway speaks sink contract ${SINK_CONTRACT}: install a version of the sink built for contract ${SINK_CONTRACT}, ` +
          `or a gateway that speaks contract ${definition.contract}`,
        { source: `sink type ${type}` },
      );
    }
    return definition;
  }

  private async importPackage(pkg: string, type: string): Promise<unknown> {
    try {
      return await importPackage(pkg, [...this.searchFrom, ...builtins().searchFrom]);
    } catch (err) {
      if (err instanceof PackageNotFound) {
        const table = builtins().sinks;
        const builtin = table[type] !== undefined;
        const known = Object.keys(table).length ? `a built-in sink (${Object.keys(table).join(', ')})` : 'a built-in sink (this gateway has none: name sinks by package)';
        throw new SensegateError(
          'SG_SINK_NOT_FOUND',
          builtin
            ? `built-in sink "${type}" (${pkg}) is not installed; reinstall the gateway`
            : `sink type "${type}" is not ${known} and no npm package of that name is installed in ${this.searchFrom.map((f) => join(f, 'node_modules')).join(' or ')}`,
          { source: `sink type ${type}`, cause: err.cause },
        );
      }
      throw new SensegateError('SG_SINK_INVALID', `sink "${type}" (${pkg}) failed to load: ${(err as Error).message}`, {
        source: `sink type ${type}`,
        cause: err,
      });
    }
  }
}
