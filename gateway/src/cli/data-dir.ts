/**
 * Where the journal and state live: `--data DIR`, else `$SENSEGATE_DATA`, else `.sensegate/<gateway id>`
 * under the current folder. Restarting with the same folder resumes where the gateway stopped.
 */
import { resolve } from 'node:path';

export function dataDirFor(flag: string | undefined, gatewayId: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.SENSEGATE_DATA ?? `.sensegate/${gatewayId}`);
}
