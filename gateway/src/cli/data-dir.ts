/**
 * Where the journal and state live: `--data DIR`, else `$SENSEGATE_DATA`, else `.sensegate/<gateway id>`
 * under the current folder. Restarting with the same folder resumes where the gateway stopped. The
 * rule is the SDK's, so a driver's tools find the same folder.
 */
import { gatewayDataDir } from '@sensegate/sdk';

export function dataDirFor(flag: string | undefined, gatewayId: string, env: NodeJS.ProcessEnv = process.env): string {
  return gatewayDataDir(flag, gatewayId, env);
}
