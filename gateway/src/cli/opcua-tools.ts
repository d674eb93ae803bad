/**
 * What `sensegate browse opcua` and `sensegate opcua certs` share: the PKI folder of the gateway
 * they act for, found from --data, --config or $SENSEGATE_DATA, so that a certificate trusted here
 * is the one the running gateway trusts.
 */
import { join, resolve } from 'node:path';
import { pkiFolder } from '@sensegate/driver-opcua';
import { loadConfigFile } from '../config/load.js';
import { dataDirFor } from './data-dir.js';

/** The OPC UA driver's data folder inside a gateway data folder (as the gateway names it). */
export function opcuaDataDir(dataDir: string): string {
  return join(dataDir, 'drivers', 'opcua');
}

export async function pkiFor(values: { data?: string | undefined; config?: string | undefined }, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (values.data) return pkiFolder(opcuaDataDir(resolve(values.data)));
  if (values.config) {
    const { config } = await loadConfigFile(values.config);
    return pkiFolder(opcuaDataDir(dataDirFor(undefined, config.gateway.id, env)));
  }
  return pkiFolder(opcuaDataDir(dataDirFor(undefined, 'default', env)));
}

export const PKI_OPTIONS_HELP = `  --data DIR        the gateway's data folder, whose drivers/opcua/pki holds its certificates
  --config FILE     or: the gateway's configuration (its data folder, as \`sensegate run\` uses it)
                    neither: $SENSEGATE_DATA, else .sensegate/default`;
