/**
 * Who may read the gateway's data folder: the journal holds every reading and event, snapshots are
 * pictures of the site, the state says who the gateway is. By default only the gateway's own user
 * (folders 0700, files 0600); with `gateway.dataGroup`, also that operating-system group (0750 and
 * 0640, group-owned), for a monitoring agent or a backup job. An existing data folder with looser
 * permissions is tightened at start, and the log says so: the folder's own mode is what guards
 * every file inside it, including files an older version created readable by all.
 */
import { readFileSync } from 'node:fs';
import { chmod, chown, mkdir, open, stat } from 'node:fs/promises';
import { SensegateError, type Logger } from '@sensegate/sdk';

export interface FileAccess {
  /** Mode of folders the gateway creates. */
  dir: number;
  /** Mode of files the gateway creates. */
  file: number;
  /** Group that owns them, when one is configured. */
  gid?: number;
}

export const PRIVATE: FileAccess = { dir: 0o700, file: 0o600 };

/** The process umask that makes files created by libraries (SQLite's WAL, ffmpeg, certificates) as private. */
export function umaskFor(access: FileAccess): number {
  return access.gid === undefined ? 0o077 : 0o027;
}

/** The access for a configured group (a name from /etc/group, or a number), or the private default. */
export function accessFor(group: string | number | undefined, groupFile = '/etc/group'): FileAccess {
  if (group === undefined) return PRIVATE;
  const gid = typeof group === 'number' ? group : lookupGroup(group, groupFile);
  return { dir: 0o750, file: 0o640, gid };
}

function lookupGroup(name: string, groupFile: string): number {
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch (err) {
    throw new SensegateError('SG_CONFIG_INVALID', `gateway.dataGroup: cannot read ${groupFile} to find group "${name}": ${(err as Error).message}; give the group's number instead`);
  }
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new SensegateError('SG_CONFIG_INVALID', `gateway.dataGroup: there is no group "${name}" on this machine (${groupFile}); create it or give another`);
}

/** A folder of the gateway's (the data folder, a driver's, the snapshots'), created or tightened. */
export async function ensureFolder(dir: string, access: FileAccess, log?: Logger): Promise<void> {
  await mkdir(dir, { recursive: true, mode: access.dir });
  await tighten(dir, access.dir, access, log);
}

/**
 * Makes sure a file the gateway owns exists with the right mode before anything writes to it; SQLite
 * creates its WAL and shared-memory files with the mode of the database file.
 */
export async function ensureFile(path: string, access: FileAccess, log?: Logger): Promise<void> {
  const handle = await open(path, 'a', access.file);
  await handle.close();
  await tighten(path, access.file, access, log);
}

/** Sets a path's mode (and group): tightened when it allows more than `mode`; with a group, set exactly. */
export async function tighten(path: string, mode: number, access: FileAccess, log?: Logger): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const current = info.mode & 0o777;
  if (access.gid === undefined ? (current & ~mode) !== 0 : current !== mode) {
    await chmod(path, mode);
    log?.info({ path, from: current.toString(8), to: mode.toString(8) }, `permissions of ${path} set from ${current.toString(8)} to ${mode.toString(8)}`);
  }
  if (access.gid !== undefined && info.gid !== access.gid) {
    try {
      await chown(path, -1, access.gid);
    } catch (err) {
      log?.warn(
        { path, gid: access.gid },
        `cannot give ${path} to group ${access.gid} (gateway.dataGroup): ${(err as Error).message}; run the gateway as a member of that group, or chgrp the data folder once as root`,
      );
    }
  }
}
