/**
 * A vendor's package outside this repository: the SDK packed into a tarball (what the registry would
 * serve), installed into a fresh package in a temporary folder, and TypeScript run over its sources
 * strictly, with skipLibCheck false, so that the published declarations are compiled too. Used by
 * the published-types test and by the test that compiles the guides' samples.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

export interface VendorPackage {
  /** The package's folder; sources go under `src/` and `test/`. */
  readonly dir: string;
  /** Writes a file at `path` in the package (`src/index.ts`). */
  write(path: string, text: string): Promise<void>;
  /** Runs tsc over `src/` and `test/`; `output` is what it printed (empty when the package compiles). */
  compile(): Promise<{ code: number; output: string }>;
  /** Removes the temporary folder. */
  remove(): Promise<void>;
}

/** Packs the SDK (build it first), and installs the tarball and zod into a new package named `name`. */
export async function vendorPackage(name: string): Promise<VendorPackage> {
  const root = await mkdtemp(join(tmpdir(), 'sensegate-vendor-'));
  await run('npm', ['pack', '--pack-destination', root, '--silent'], { cwd: join(REPO, 'sdk') });
  const tarball = (await readdir(root)).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack made a tarball');
  const dir = join(root, name);
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', type: 'module', private: true, dependencies: { '@sensegate/sdk': `file:../${tarball}`, zod: '^4.1.0' } }),
  );
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(REPO, 'node_modules', '@types')] },
      include: ['src', 'test'],
    }),
  );
  // The optional ffmpeg binary download is not needed to compile.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', '--ignore-scripts', '--silent'], { cwd: dir, timeout: 120_000 });
  return {
    dir,
    async write(path, text) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    },
    compile: () =>
      run(process.execPath, [TSC, '-p', dir], { cwd: dir }).then(
        (r) => ({ code: 0, output: r.stdout + r.stderr }),
        (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
      ),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
