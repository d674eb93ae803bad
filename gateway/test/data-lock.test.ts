// One gateway per data folder: the lock refuses a second holder, names the first, and dies with its process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SensegateError } from '@sensegate/sdk';
import { DataFolderLock, HOLDER_FILE, LOCK_FILE } from '../src/data-lock.js';

describe('data folder lock', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-lock-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second holder at once, naming the process that holds the folder', async () => {
    const first = await DataFolderLock.acquire(dir, { gateway: 'pump-7' });
    try {
      const holder = JSON.parse(await readFile(join(dir, HOLDER_FILE), 'utf8'));
      assert.equal(holder.pid, process.pid);
      assert.equal((await stat(join(dir, LOCK_FILE))).mode & 0o777, 0o600);
      const refused = await DataFolderLock.acquire(dir).then(
        () => assert.fail('a second lock was granted'),
        (err: unknown) => err,
      );
      assert.ok(refused instanceof SensegateError);
      assert.equal(refused.code, 'SG_DATA_FOLDER_IN_USE');
      assert.match(refused.message, new RegExp(`in use by process ${process.pid} \\(gateway pump-7, running since `));
      assert.match(refused.message, /--data/);
    } finally {
      await first.release();
    }
    const again = await DataFolderLock.acquire(dir);
    await again.release();
  });

  it('is released by the operating system when its process is killed with SIGKILL', async () => {
    // A separate process takes the lock and stays; kill -9 must leave nothing stale behind.
    const script = `
      import { DataFolderLock } from ${JSON.stringify(new URL('../src/data-lock.ts', import.meta.url).pathname)};
      await DataFolderLock.acquire(${JSON.stringify(dir)}, { gateway: 'other' });
      console.log('locked');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
        child.on('exit', (code) => reject(new Error(`the locking process exited with ${code}`)));
      });
      const refused = await DataFolderLock.acquire(dir).then(
        () => undefined,
        (err: SensegateError) => err,
      );
      assert.match(String(refused?.message), new RegExp(`in use by process ${child.pid} \\(gateway other`));
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const lock = await DataFolderLock.acquire(dir);
    await lock.release();
  });
});
