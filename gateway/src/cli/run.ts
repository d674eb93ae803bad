/** `sensegate run --config FILE [--data DIR]`: the gateway, until SIGINT or SIGTERM. */
import { ApiServer } from '../api/server.js';
import { loadConfigFile } from '../config/load.js';
import { accessFor, umaskFor } from '../data-folder.js';
import { createLogger } from '../log.js';
import { Gateway } from '../runtime/gateway.js';
import { parseOptions, required } from './args.js';
import { dataDirFor } from './data-dir.js';
import { runUntilSignal } from './signals.js';

export const runHelp = `Usage: sensegate run --config FILE [--data DIR] [--log-level LEVEL] [--log-format text|json]

Runs the gateway described by FILE until SIGINT or SIGTERM, then stops polling, commits the journal,
waits for in-flight deliveries and announces its death. Serves the HTTP API, /metrics, /healthz and
/readyz on 127.0.0.1:8780 unless the file's api: block says otherwise (docs/api.md).

  --data DIR     journal and state (default: $SENSEGATE_DATA, else .sensegate/<gateway id> in the
                 current folder). Restarting with the same folder resumes where the gateway stopped.
  --log-level    trace, debug, info (default), warn, error; overrides the file's log.level.
  --log-format   text or json; overrides the file's log.format.`;

export async function runRun(argv: string[]): Promise<number> {
  const { values } = parseOptions('run', argv, {
    config: { type: 'string', short: 'c' },
    data: { type: 'string' },
    'log-level': { type: 'string' },
    'log-format': { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(runHelp + '\n');
    return 0;
  }
  const { config, drivers } = await loadConfigFile(required('run', 'config', values.config));
  const log = createLogger({
    ...config.log,
    ...(values['log-level'] ? { level: values['log-level'] as typeof config.log.level } : {}),
    ...(values['log-format'] ? { format: values['log-format'] as 'text' | 'json' } : {}),
  });
  const dataDir = dataDirFor(values.data, config.gateway.id);
  // Files that libraries create in the data folder (SQLite's WAL, certificates, grabbed frames) are as private as the gateway's own.
  process.umask(umaskFor(accessFor(config.gateway.dataGroup)));
  const gateway = await Gateway.start({ config, drivers, dataDir, log });
  log.info({ data: dataDir }, `journal and state in ${dataDir}`);
  let api: ApiServer | undefined;
  try {
    if (config.api.enabled) api = await ApiServer.start(gateway, { config: config.api, log: log.child({ component: 'api' }) });
  } catch (err) {
    await gateway.stop();
    throw err;
  }
  await runUntilSignal();
  await api?.stop();
  await gateway.stop();
  return 0;
}
