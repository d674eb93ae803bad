/**
 * Loads a package named in the configuration (a driver, a pipeline step) from the configuration
 * file's folder first, then the gateway's own installation, so a site can install its vendors'
 * packages next to its config without touching the gateway.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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

/**
 * The folder of the installed package `pkg` (the one holding its package.json), searched like
 * importPackage: the given folders' node_modules, then the gateway's own. Undefined if not installed.
 */
export function packageFolder(pkg: string, searchFrom: readonly string[]): string | undefined {
  const resolvers = [...searchFrom.map((f) => createRequire(join(f, 'noop.js'))), createRequire(import.meta.url)];
  for (const req of resolvers) {
    let entry: string;
    try {
      entry = req.resolve(pkg);
    } catch {
      continue;
    }
    for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) return dir;
    }
  }
  return undefined;
}
