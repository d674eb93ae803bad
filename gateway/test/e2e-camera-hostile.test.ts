// A field engineer adds a camera; what answers at its address is hostile (or spoofed): it reports
// its stream and its snapshot on another machine, the attacker's (127.0.0.2 here), hoping the
// gateway's relay and snapshots will log in there. The real gateway runs with the ONVIF driver,
// the relay and scheduled snapshots: the attacker's machine never sees a connection, the relay and
// snapshots go to the configured camera address instead, the log says so, and no password is
// printed. The hostile camera is the ONVIF driver's own test camera.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitFor } from '@sensegate/sdk/testing';
import { startHostileCamera, startRecorder, type HostileCamera, type Recorder } from '../../drivers/onvif/test/support/hostile-camera.js';
import { startCli, type CliProcess } from './support/cli.js';

const PASSWORD = 'Street-Cam-Secret-19';

describe('end to end: a camera that reports its stream and snapshot on another host', () => {
  let dir: string;
  let attacker: Recorder;
  let camera: HostileCamera;
  let gateway: CliProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-hostile-camera-'));
    attacker = await startRecorder('127.0.0.2');
    // The snapshot on the camera's own web server port (so, rewritten, it reaches the camera), the stream on the attacker's.
    camera = await startHostileCamera({ streamUri: `rtsp://127.0.0.2:${attacker.port}/live`, snapshotUri: `http://127.0.0.2:{port}/snapshot.jpg` });
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: e2e-hostile-${process.pid} }
devices:
  - id: street
    driver: onvif
    profile: camera
    timeout: 2s
    reconnect: { initialDelay: 200ms, maxDelay: 1s }
    connection:
      url: ${camera.url}
      user: operator
      password: { env: STREET_CAM_PASSWORD }
      events: { enabled: false }
video:
  relay: { httpPort: ${await freePort()}, rtmpPort: ${await freePort()} }
  snapshots: { every: 1s, timeout: 2s }
`,
    );
    gateway = startCli(['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json'], { env: { STREET_CAM_PASSWORD: PASSWORD } });
  });

  after(async () => {
    await gateway?.stop();
    await camera?.close();
    await attacker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends the account nowhere but the configured camera address, and says so', async () => {
    await gateway.waitForOutput(/reports its stream on host 127\.0\.0\.2; the configured host 127\.0\.0\.1 is used instead/, 30_000);
    await gateway.waitForOutput(/reports its snapshot on host 127\.0\.0\.2; the configured host 127\.0\.0\.1 is used instead/, 30_000);
    // Scheduled snapshots now go to the camera's own address, where they are asked for, several times.
    await waitFor('three snapshot requests at the configured camera', () => camera.requests.filter((r) => r.path === '/snapshot.jpg').length >= 3, { timeout: 30_000 });
    assert.equal(attacker.connections, 0, `the attacker's host got ${attacker.connections} connections: ${attacker.received.join(' | ').slice(0, 300)}`);
    const output = gateway.stdout() + gateway.stderr();
    assert.ok(!output.includes(PASSWORD), 'the password is never printed');
    assert.ok(!output.includes(Buffer.from(`operator:${PASSWORD}`).toString('base64')));
  });
});
