// A vendor's package, outside this repository, installs the SDK from its packed tarball (what the
// registry would serve) and compiles against the published type declarations, strictly. Nothing
// else in the repository compiles against dist/, so this is where a declaration that refers to a
// type it does not carry (the published types then degrade to `any`) is caught.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

const VENDOR_SOURCE = `import { defineDriver, isSensegateError, SensegateError, type DeviceRef, type ReadBatch } from '@sensegate/sdk';
import { parseSimulatorOptions, wholeNumberOption } from '@sensegate/sdk/simulate';
import { checkDriver, createTestContext, testDevice } from '@sensegate/sdk/testing';
import { z } from 'zod';

/** True only when T is \`any\`: published types that lost a declaration degrade to it. */
type IsAny<T> = 0 extends 1 & T ? true : false;
type Expect<T extends false> = T;

const connection = z.object({ host: z.string(), port: z.number().int().default(5020) }).strict();
const point = z.object({ register: z.number().int() }).strict();
type Connection = z.output<typeof connection>;
type Point = z.output<typeof point>;

async function read(device: DeviceRef<Connection, Point>, batch: ReadBatch<Point>): Promise<void> {
  batch.points.forEach((p, i) => (p.spec.register > 100 ? batch.fail(i, new SensegateError('SG_PROTOCOL_ERROR', \`no register \${p.spec.register} on \${device.connection.host}\`, { status: 'acme:no-register' })) : batch.good(i, p.spec.register)));
}

const driver = defineDriver({
  name: 'acme-meter',
  version: '1.0.0',
  description: 'A vendor meter.',
  connection,
  point,
  create() {
    return { addDevice() {}, removeDevice() {}, read, async stop() {} };
  },
});
export default driver;

export function simulatorPort(argv: string[]): number | undefined {
  const { values } = parseSimulatorOptions(argv, { port: { type: 'string' }, verbose: { type: 'boolean' } }, 'usage: acme-sim [--port N]');
  type _port = Expect<IsAny<typeof values.port>>;
  const port: string | undefined = values.port;
  const verbose: boolean | undefined = values.verbose;
  void verbose;
  return wholeNumberOption('--port', port, 1, 65535);
}

export async function selfTest(): Promise<string[]> {
  const device = testDevice(driver, { id: 'm1', connection: { host: '127.0.0.1' }, points: [{ id: 'flow', register: 1 }] });
  type _conn = Expect<IsAny<typeof device.connection>>;
  const problems = await checkDriver(driver, { device, instance: driver.create(createTestContext()) });
  return problems.map((p) => (isSensegateError(p) ? p.code : String(p)));
}
`;

describe('the SDK as a vendor installs it', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-vendor-types-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('installs from its packed tarball and compiles a driver against the published types, strictly', async () => {
    await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: join(REPO, 'sdk') });
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack made a tarball');
    const vendor = join(dir, 'acme-meter');
    await mkdir(join(vendor, 'src'), { recursive: true });
    await writeFile(
      join(vendor, 'package.json'),
      JSON.stringify({ name: 'acme-meter', version: '1.0.0', type: 'module', private: true, dependencies: { '@sensegate/sdk': `file:../${tarball}`, zod: '^4.1.0' } }),
    );
    await writeFile(
      join(vendor, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(REPO, 'node_modules', '@types')] }, include: ['src'] }),
    );
    await writeFile(join(vendor, 'src', 'index.ts'), VENDOR_SOURCE);
    // The optional ffmpeg binary download is not needed to compile.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', '--ignore-scripts', '--silent'], { cwd: vendor, timeout: 120_000 });
    const compiled = await run(process.execPath, [TSC, '-p', vendor], { cwd: vendor }).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
    );
    assert.equal(compiled.output.trim(), '', 'the vendor package compiles without a word');
    assert.equal(compiled.code, 0);
  });
});
