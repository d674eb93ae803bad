// examples/driver-line-meter is the third-party driver a vendor would start from: exactly what
// `sensegate new driver sensegate-driver-line-meter` writes (so the example and the scaffold never
// drift apart), a workspace package here, so its own conformance tests run in `npm test`. From the
// repository, as from a site folder with the package installed, the CLI finds what it contributes:
// `sensegate drivers` lists it, `sensegate sim` runs its simulator and `sensegate <package> ping`
// runs its tool against that simulator.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO, runCli, startCli, type CliProcess } from './support/cli.js';

const PACKAGE = 'sensegate-driver-line-meter';
const EXAMPLE = join(REPO, 'examples', 'driver-line-meter');
/** What the build and an install add to the example's folder; the scaffold writes none of it. */
const GENERATED = new Set(['node_modules', 'dist']);

async function files(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (GENERATED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(root, path)));
    else out.push(relative(root, path));
  }
  return out.sort();
}

describe('the example third-party driver', () => {
  let dir: string;
  const running: CliProcess[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-example-line-meter-'));
  });
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('is what `sensegate new driver` writes, file for file', async () => {
    const made = await runCli(['new', 'driver', PACKAGE, '--dir', join(dir, 'made')]);
    assert.equal(made.code, 0, made.stderr);
    const expected = await files(join(dir, 'made'));
    assert.deepEqual(await files(EXAMPLE), expected, 'the same files');
    for (const file of expected) {
      assert.equal(
        await readFile(join(EXAMPLE, file), 'utf8'),
        await readFile(join(dir, 'made', file), 'utf8'),
        `examples/driver-line-meter/${file} differs from what the scaffold writes: regenerate the example (sensegate new driver ${PACKAGE} --dir examples/driver-line-meter, into an empty folder) or change the scaffold`,
      );
    }
  });

  it('contributes a simulator and a tool that work from the command line', async () => {
    const listed = await runCli(['drivers']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${PACKAGE} +0\\.1\\.0`, 'm'), 'sensegate drivers lists the example');
    assert.match(listed.stdout, new RegExp(`tools: +sensegate ${PACKAGE} ping`));

    const sim = startCli(['sim', PACKAGE, '--port', '0', '--model', 'EXAMPLE-1']);
    running.push(sim);
    const [, port] = await sim.waitForOutput(/simulator listening on 127\.0\.0\.1:(\d+)/);
    const ping = await runCli([PACKAGE, 'ping', '--port', port!]);
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, new RegExp(`^PONG EXAMPLE-1 from 127\\.0\\.0\\.1:${port}$`, 'm'));
  });
});
