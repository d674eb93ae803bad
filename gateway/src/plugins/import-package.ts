/**
 * Loads a package named in the configuration (a driver, a pipeline step) from the configuration
 * file's folder first, then the gateway's own installation, so a site can install its vendors'
 * packages next to its config without touching the gateway.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The package is not installed in any of the searched folders. */
export class PackageNotFound extends Error {
  constructor(
    readonly pkg: string,
    override readonly cause: unknown,
  ) {
    super(`package ${pkg} is not installed`);
  }
}

/** Imports `pkg`; rejects with PackageNotFound when it is not installed, or with the import's own error. */
export async function importPackage(pkg: string, searchFrom: readonly string[]): Promise<unknown> {
  for (const folder of searchFrom) {
    let resolved: string | undefined;
    try {
      resolved = createRequire(join(folder, 'noop.js')).resolve(pkg);
    } catch {
      continue;
    }
    return import(pathToFileURL(resolved).href);
  }
  try {
    return await import(pkg);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(pkg)) throw new PackageNotFound(pkg, err);
    throw err;
  }
}
