/**
 * The gateway's small state file in the data folder: a session counter that increments at every
 * start, so consumers can tell a birth from the previous run's (the journal keeps the sequence).
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SensegateError } from '@sensegate/sdk';
import { PRIVATE, ensureFolder, tighten, type FileAccess } from '../data-folder.js';

interface StateFile {
  gateway: string;
  session: number;
}

/**
 * The session number of this run, saved. On a full disk (ENOSPC, EDQUOT) the number is returned
 * unsaved with `save`, to be called again once there is room: the gateway still starts, and a
 * restart before it is saved gives the next run the same session number.
 */
export async function nextSession(dataDir: string, gateway: string, access: FileAccess = PRIVATE): Promise<{ session: number; save?: () => Promise<void> }> {
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
  const save = async () => {
    const tmp = `${path}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(next, null, 2) + '\n', { mode: access.file });
      await tighten(tmp, access.file, access);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {});
      throw err;
    }
  };
  try {
    await save();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'EDQUOT') throw err;
    return { session: next.session, save };
  }
  return { session: next.session };
}
