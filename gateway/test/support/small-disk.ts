/**
 * A small real file system for full-disk tests: a tmpfs of a few MiB (needs root), else a
 * loop-mounted ext4 image where tmpfs is refused, and a ballast file that fills it and is freed
 * again, as a log file or a backup would fill a gateway's disk. `smallDisk` says why it could not
 * mount one, so the test is skipped with that reason instead of silently passing.
 */
import { execFile, execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SmallDisk {
  dir: string;
  kind: 'tmpfs' | 'loop';
  /** Bytes free now. */
  free(): Promise<number>;
  /** Fills the disk with a ballast file until `leave` bytes are free (0: completely full). */
  fill(leave?: number): Promise<void>;
  /** Removes the ballast. */
  release(): Promise<void>;
  close(): Promise<void>;
}

/** Mounts a file system of `mib` MiB, or returns why it cannot (not root, mount refused). */
export async function smallDisk(mib: number): Promise<SmallDisk | string> {
  const base = await mkdtemp(join(tmpdir(), 'sensegate-small-disk-'));
  const dir = join(base, 'mnt');
  await run('mkdir', [dir]);
  let kind: SmallDisk['kind'];
  let tmpfsRefused = '';
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0755`, 'tmpfs', dir]);
    kind = 'tmpfs';
  } catch (err) {
    tmpfsRefused = (err as Error).message.trim();
    try {
      const image = join(base, 'disk.img');
      await run('truncate', ['-s', `${mib}M`, image]);
      await run('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
      await run('mount', ['-o', 'loop', image, dir]);
      kind = 'loop';
    } catch (loopErr) {
      await rm(base, { recursive: true, force: true });
      return `cannot mount a small file system (needs root): tmpfs: ${tmpfsRefused}; loop: ${(loopErr as Error).message.trim()}`;
    }
  }
  // A test file that times out never runs its `after` hooks: the mount goes with the process anyway.
  const unmountAtExit = () => {
    try {
      execFileSync('umount', ['-l', dir]);
      rmSync(base, { recursive: true, force: true });
    } catch {
      // already unmounted
    }
  };
  process.once('exit', unmountAtExit);
  const ballast = join(base, 'mnt', 'ballast');
  let n = 0;
  const free = async () => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    kind,
    free,
    async fill(leave = 0) {
      // Several files, so a later fill adds to an earlier one.
      const bytes = (await free()) - leave;
      if (bytes <= 0) return;
      await run('fallocate', ['-l', String(bytes), `${ballast}-${n++}`]).catch(async () => {
        await run('dd', ['if=/dev/zero', `of=${ballast}-${n++}`, 'bs=4096', `count=${Math.floor(bytes / 4096)}`]).catch(() => {});
      });
    },
    async release() {
      for (let i = 0; i < n; i++) await rm(`${ballast}-${i}`, { force: true });
      n = 0;
    },
    async close() {
      process.off('exit', unmountAtExit);
      await run('umount', ['-l', dir]).catch(() => {});
      await rm(base, { recursive: true, force: true });
    },
  };
}
