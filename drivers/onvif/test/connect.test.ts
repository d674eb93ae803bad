// A field engineer adds a camera: the gateway learns what it is, where its stream is (credentials
// carried apart from the URL), and that it is online; a wrong password is named as such and never
// printed; a camera whose clock is two hours off still lets the gateway in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SensegateError } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { startRig } from './support/rig.js';

describe('connecting to a camera', () => {
  it('announces identity and media without credentials in URLs, and goes online', async (t) => {
    const rig = await startRig({ cameras: [{ id: 'cam1', width: 320, height: 240, fps: 5, serial: '000123', manufacturer: 'Acme' }], credentials: { user: 'operator', password: 'pa55:w/rd@x' } });
    t.after(() => rig.close());
    const device = rig.device({});
    await rig.run(device);
    await waitFor('cam1 online', () => rig.context.healthChanges.some((h) => h.device === 'cam1' && h.state === 'online'));
    const info = rig.context.infos.get('cam1')!;
    assert.equal(info['manufacturer'], 'Acme');
    assert.equal(info['model'], 'SG-CAM-S1');
    assert.equal(info['serialNumber'], '000123', 'a numeric-looking serial stays text, leading zeros kept');
    assert.equal(typeof info['firmware'], 'string');
    assert.ok(info['hardwareId']);
    const [main, ...more] = rig.context.mediaSources.get('cam1')!;
    assert.equal(more.length, 0);
    assert.equal(main!.id, 'main');
    assert.equal(main!.url, rig.sim.cameras[0]!.rtspUrl);
    assert.doesNotMatch(main!.url, /@/);
    assert.equal(main!.snapshotUrl, rig.sim.cameras[0]!.snapshotUrl);
    assert.deepEqual(main!.auth, { user: 'operator', password: 'pa55:w/rd@x' });
    assert.deepEqual([main!.codec, main!.width, main!.height, main!.fps], ['h264', 320, 240, 5]);
    await waitFor('online point', () => rig.values('cam1', 'online').at(-1)?.value === true);
    assert.ok(Math.abs(Number(rig.values('cam1', 'clock-offset').at(-1)?.value)) <= 2);
    assert.ok(!JSON.stringify(rig.context.logs).includes('pa55'), 'the password is never logged');
  });

  it('names a wrong password SG_AUTH_FAILED, stays offline, keeps trying, and never logs it', async (t) => {
    const rig = await startRig();
    t.after(() => rig.close());
    await rig.run(rig.device({ connection: { password: 'Wr0ngSecret' } }));
    const offline = await waitFor('cam1 offline', () => rig.context.healthChanges.find((h) => h.device === 'cam1' && h.state === 'offline'));
    assert.ok(offline.reason instanceof SensegateError);
    assert.equal(offline.reason.code, 'SG_AUTH_FAILED');
    assert.match(offline.reason.message, /cam1/);
    assert.match(offline.reason.message, /user name or password/);
    await waitFor('a second attempt', () => rig.context.healthChanges.filter((h) => h.device === 'cam1' && h.state === 'offline').length >= 2);
    assert.ok(!rig.context.healthChanges.some((h) => h.device === 'cam1' && h.state === 'online'));
    assert.equal(rig.values('cam1', 'online').at(-1)?.value, false);
    const logs = JSON.stringify(rig.context.logs);
    assert.match(logs, /SG_AUTH_FAILED/);
    assert.ok(!logs.includes('Wr0ngSecret'));
    assert.ok(!JSON.stringify(rig.context.healthChanges.map((h) => String(h.reason))).includes('Wr0ngSecret'));
  });

  it('one failing camera does not affect another', async (t) => {
    const rig = await startRig({ cameras: [{ id: 'cam1', width: 320, height: 240, fps: 5 }, { id: 'cam2', width: 320, height: 240, fps: 5 }] });
    t.after(() => rig.close());
    await rig.run(rig.device({ camera: 'cam1', connection: { password: 'nope' } }));
    await rig.run(rig.device({ camera: 'cam2' }));
    await waitFor('cam2 online', () => rig.context.healthChanges.some((h) => h.device === 'cam2' && h.state === 'online'));
    await waitFor('cam1 offline', () => rig.context.healthChanges.some((h) => h.device === 'cam1' && h.state === 'offline'));
  });

  it('connects to a camera whose clock is two hours ahead and reports clock-offset', async (t) => {
    const rig = await startRig({ cameras: [{ id: 'cam1', width: 320, height: 240, fps: 5, clockOffsetMs: 2 * 3600_000 }] });
    t.after(() => rig.close());
    await rig.run(rig.device({ connection: { checkInterval: 1000 } }));
    await waitFor('cam1 online', () => rig.context.healthChanges.some((h) => h.device === 'cam1' && h.state === 'online'));
    const offset = Number(rig.values('cam1', 'clock-offset').at(-1)?.value);
    assert.ok(Math.abs(offset - 7200) <= 2, `clock-offset ${offset}`);
    // Every check repeats the health reading, for platforms that subscribe late.
    await waitFor('online repeated by the checks', () => rig.values('cam1', 'online').filter((p) => p.value === true).length >= 3, { timeout: 15_000 });
    assert.equal(rig.sim.services.stats('cam1').authFailures, 0);
  });

  it('logs in with HTTP Digest alone (`auth: digest`), whatever the camera\'s clock, and names a wrong password', async (t) => {
    const rig = await startRig({ cameras: [{ id: 'cam1', width: 320, height: 240, fps: 5, clockOffsetMs: -3 * 3600_000 }] });
    t.after(() => rig.close());
    // Without a UsernameToken, the simulated camera answers 401 with a Digest challenge, and admits
    // only a request whose Digest response is right.
    await rig.run(rig.device({ connection: { auth: 'digest' } }));
    await waitFor('cam1 online', () => rig.context.healthChanges.some((h) => h.device === 'cam1' && h.state === 'online'));
    assert.equal(rig.context.infos.get('cam1')!['model'], 'SG-CAM-S1');
    assert.equal(rig.sim.services.stats('cam1').authFailures, 0);
    await rig.run(rig.device({ id: 'cam1-wrong', camera: 'cam1', connection: { auth: 'digest', password: 'Wr0ngDigest' } }));
    const offline = await waitFor('cam1-wrong offline', () => rig.context.healthChanges.find((h) => h.device === 'cam1-wrong' && h.state === 'offline'));
    assert.equal((offline.reason as SensegateError).code, 'SG_AUTH_FAILED');
    assert.ok(!JSON.stringify(rig.context.logs).includes('Wr0ngDigest'));
  });

  it('refuses a point whose id is no source, and a media profile the camera lacks', async (t) => {
    const rig = await startRig();
    t.after(() => rig.close());
    await assert.rejects(rig.instance.addDevice(rig.device({ id: 'x', points: [{ id: 'speed' }] })), /point speed needs a `source`/);
    await rig.run(rig.device({ connection: { profile: 'NoSuchProfile' } }));
    const offline = await waitFor('offline', () => rig.context.healthChanges.find((h) => h.state === 'offline'));
    assert.match(String((offline.reason as Error).message), /has no media profile "NoSuchProfile".*it offers: /);
  });
});
