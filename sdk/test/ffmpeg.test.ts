import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveFfmpeg, SensegateError } from '../src/index.js';

let dir: string;
const fake = async (folder: string, name: string) => {
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  await writeFile(path, '#!/bin/sh\nexit 0\n');
  await chmod(path, 0o755);
  return path;
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-ffmpeg-'));
  await fake(join(dir, 'config'), 'ffmpeg');
  await fake(join(dir, 'config'), 'ffprobe');
  await fake(join(dir, 'env'), 'ffmpeg');
  await fake(join(dir, 'path'), 'ffmpeg');
  await fake(join(dir, 'path'), 'ffprobe');
  await writeFile(join(dir, 'not-executable'), 'x');
});
after(() => rm(dir, { recursive: true, force: true }));

test('ffmpeg resolves from the configuration, then FFMPEG_PATH, then PATH', () => {
  const env = { PATH: join(dir, 'path'), FFMPEG_PATH: join(dir, 'env', 'ffmpeg') };
  assert.deepEqual(resolveFfmpeg({ configured: join(dir, 'config', 'ffmpeg'), env }), { path: join(dir, 'config', 'ffmpeg'), source: 'config' });
  assert.deepEqual(resolveFfmpeg({ env }), { path: join(dir, 'env', 'ffmpeg'), source: 'FFMPEG_PATH' });
  assert.deepEqual(resolveFfmpeg({ env: { PATH: join(dir, 'path') } }), { path: join(dir, 'path', 'ffmpeg'), source: 'PATH' });
  // A bare name in the configuration is looked up on PATH.
  assert.deepEqual(resolveFfmpeg({ configured: 'ffmpeg', env: { PATH: join(dir, 'path') } }), { path: join(dir, 'path', 'ffmpeg'), source: 'config' });
});

test('ffprobe is found beside the chosen ffmpeg, or on PATH', () => {
  assert.equal(resolveFfmpeg({ configured: join(dir, 'config', 'ffmpeg'), env: { PATH: '' }, program: 'ffprobe' }).path, join(dir, 'config', 'ffprobe'));
  // FFMPEG_PATH has no ffprobe beside it: PATH's is used.
  assert.equal(resolveFfmpeg({ env: { PATH: join(dir, 'path'), FFMPEG_PATH: join(dir, 'env', 'ffmpeg') }, program: 'ffprobe' }).path, join(dir, 'path', 'ffprobe'));
});

test('a missing ffmpeg is one clear error naming every place tried', () => {
  assert.throws(
    () => resolveFfmpeg({ configured: join(dir, 'not-executable'), env: { PATH: join(dir, 'nowhere'), FFMPEG_PATH: join(dir, 'gone', 'ffmpeg') } }),
    (err: unknown) => {
      assert.ok(err instanceof SensegateError);
      assert.equal(err.code, 'SG_FFMPEG_MISSING');
      assert.match(err.message, /^no ffmpeg found; tried the configuration \(.*not-executable: not an executable file\), FFMPEG_PATH \(.*gone\/ffmpeg: not an executable file\), ffmpeg-static \(.*\), ffmpeg on PATH\. Install ffmpeg/);
      return true;
    },
  );
});
