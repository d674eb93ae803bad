/**
 * Where a driver keeps its own files (certificates, state) under the gateway's data folder:
 * `<data folder>/drivers/<driver>`, with `@` and `/` of a scoped package name turned into `_`, so
 * `@acme/meter` is one folder (`_acme_meter`). The gateway creates it, readable by its own user only,
 * and hands it to the driver as `context.dataDir`; a tool acting for a gateway (a certificate
 * command) finds the same folder with `driverDataDir`, so that what it changes is what the running
 * gateway uses.
 */
import { join, resolve } from 'node:path';

/**
 * A gateway's data folder, as `sensegate run` finds it: `--data DIR`, else `$SENSEGATE_DATA`, else
 * `.sensegate/<gateway id>` under the current folder.
 */
export function gatewayDataDir(flag: string | undefined, gatewayId: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, flag ?? env['SENSEGATE_DATA'] ?? join('.sensegate', gatewayId));
}

/** The folder under `gatewayDataDir` that holds the files of driver `driver`. */
export function driverDataDir(gatewayDataDir: string, driver: string): string {
  return join(gatewayDataDir, 'drivers', driver.replace(/[@/]/g, '_'));
}
