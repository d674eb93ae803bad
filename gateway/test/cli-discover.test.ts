// A field engineer at a new site: `sensegate discover onvif --range` finds the simulated cameras,
// prints them, and writes a devices: block with profile: camera that `sensegate validate` accepts.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOnvifSimulator, type OnvifSimulator } from '@sensegate/sim-onvif';
import { runDiscover } from '../src/cli/discover.js';
import { runValidate } from '../src/cli/validate.js';
import { capture } from './support/cli.js';

describe('sensegate discover onvif', () => {
  let dir: string;
  let sim: OnvifSimulator;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-discover-'));
    sim = await startOnvifSimulator({
      cameras: [
        { id: 'north', width: 320, height: 240, fps: 5, location: 'harbour' },
        { id: 'south', width: 320, height: 240, fps: 5 },
      ],
      discovery: { multicast: false, unicastPort: 0 },
    });
  });
  after(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the cameras of a small range and prints a devices: block', async () => {
    const out = capture();
    assert.equal(await runDiscover(['onvif', '--range', '127.0.0.1/30', '--port', String(sim.discoveryPort), '--timeout', '1500'], out), 0);
    const text = out.text();
    assert.match(text, /^ID +NAME +ADDRESS +DEVICE SERVICE +HARDWARE +LOCATION$/m);
    for (const camera of sim.cameras) assert.ok(text.includes(camera.deviceServiceUrl), text);
    assert.match(text, /harbour/);
    assert.match(text, /^devices:$/m);
    assert.equal(text.match(/ {4}profile: camera/g)?.length, 2);
  });

  it('writes a configuration that validates', async () => {
    const file = join(dir, 'cameras.yaml');
    const out = capture();
    await runDiscover(['onvif', '--range', '127.0.0.1', '--port', String(sim.discoveryPort), '--timeout', '1500', '--out', file, '--user', 'operator', '--password-env', 'CAMS_PASSWORD'], out);
    assert.match(out.text(), /wrote 2 cameras to /);
    const yaml = await readFile(file, 'utf8');
    assert.match(yaml, /driver: onvif\n {4}profile: camera/);
    assert.match(yaml, /password: \{ env: CAMS_PASSWORD \}/);
    await writeFile(file, `gateway: { id: discover-check }\n${yaml}sinks:\n  - { type: mqtt, url: 'mqtt://127.0.0.1:1' }\n`);
    process.env['CAMS_PASSWORD'] = 'admin';
    const check = capture();
    try {
      assert.equal(await runValidate(['--config', file], check), 0, check.text());
    } finally {
      delete process.env['CAMS_PASSWORD'];
    }
  });

  it('refuses a range too large, and a missing protocol', async () => {
    await assert.rejects(runDiscover(['onvif', '--range', '10.0.0.0/8'], capture()), /SG_USAGE|discovery probes at most 1024/);
    await assert.rejects(runDiscover([], capture()), /give the protocol/);
  });
});
