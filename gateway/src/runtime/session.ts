/**
 * The gateway's small state file in the data folder: a session counter that increments at every
 * start, so consumers can tell a birth from the previous run's (the journal keeps the sequence).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SensegateError } from '@sensegate/sdk';
import { PRIVATE, ensureFolder, tighten, type FileAccess } from '../data-folder.js';

interface StateFile {
  gateway: string;
  session: number;
}

export async function nextSession(dataDir: string, gateway: string, access: FileAccess = PRIVATE): Promise<number> {
  const path = join(dataDir, 'gateway.json');
  let state: StateFile | undefined;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as StateFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SensegateError('SG_JOURNAL_IO', `cannot read ${path}: ${(err as Error).message}`, { source: path, cause: err });
    }
  }
  if (state && state.gateway !== gateway) {
    throw new SensegateError(
      'SG_JOURNAL_IO',
      `data folder ${dataDir} belongs to gateway "${state.gateway}", not "${gateway}"; give each gateway its own --data folder`,
      { source: path },
    );
  }
  const next: StateFile = { gateway, session: (state?.session ?? 0) + 1 };
  await ensureFolder(dataDir, access);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(next, null, 2) + '\n', { mode: access.file });
  await tighten(tmp, access.file, access);
  await rename(tmp, path);
  return next.session;
}
