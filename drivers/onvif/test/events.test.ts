// An operator watches for motion: the camera's events arrive as camera.* events with the camera's
// time, and keep arriving when the subscription expires, when it must be renewed often, and after
// the camera restarts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { startOnvifSimulator } from '@sensegate/sim-onvif';
import { SMALL, startRig, type Rig } from './support/rig.js';

const motionEvents = (rig: Rig, state: boolean, from = 0) => rig.context.events.slice(from).filter((e) => e.type === 'camera.motion' && e.data?.['state'] === state);

async function online(rig: Rig, device = 'cam1', from = 0) {
  await waitFor(`${device} online`, () => rig.context.healthChanges.slice(from).some((h) => h.device === device && h.state === 'online'));
}

/** Motion until an event for it arrives: the subscription may be in the middle of being re-created. */
async function motionArrives(rig: Rig, what: string) {
  const from = rig.context.events.length;
  await waitFor(what, () => {
    if (motionEvents(rig, true, from).length) return true;
    rig.sim.motion('cam1', true);
    rig.sim.motion('cam1', false);
    return false;
  }, { timeout: 30_000, interval: 1000 });
}

describe('camera events', () => {
  it('turns motion into camera.motion with state and camera time, and publishes motion and last-event', async (t) => {
    const rig = await startRig();
    t.after(() => rig.close());
    await rig.run(rig.device({}));
    await online(rig);
    await waitFor('the subscription', () => rig.sim.services.subscriptions('cam1') === 1);
    await waitFor('the Initialized motion state', () => rig.values('cam1', 'motion').length > 0);
    assert.equal(motionEvents(rig, false).length, 0, 'an Initialized "no motion" is no event');
    const before = Date.now();
    rig.sim.motion('cam1', true);
    const started = await waitFor('motion started', () => motionEvents(rig, true)[0]);
    assert.equal(started.device, 'cam1');
    assert.equal(started.severity, 'warning');
    assert.equal(started.data?.['topic'], 'tns1:RuleEngine/CellMotionDetector/Motion');
    assert.equal(started.data?.['operation'], 'Changed');
    assert.deepEqual(started.data?.['source'], { VideoSourceConfigurationToken: 'video_source_config', VideoAnalyticsConfigurationToken: 'VideoAnalyticsConfig', Rule: 'MyMotionDetectorRule' });
    assert.ok(started.ts >= before - 2000 && started.ts <= Date.now() + 2000, 'the camera\'s UtcTime');
    assert.match(started.message, /cam1: motion started/);
    await waitFor('motion point true', () => rig.values('cam1', 'motion').at(-1)?.value === true);
    assert.equal(rig.values('cam1', 'last-event').at(-1)?.value, new Date(started.ts).toISOString());
    rig.sim.motion('cam1', false);
    await waitFor('motion ended', () => motionEvents(rig, false)[0]);
    rig.sim.services.tamper('cam1');
    const tamper = await waitFor('tamper', () => rig.context.events.find((e) => e.type === 'camera.tamper' && e.data?.['state'] === true));
    assert.equal(tamper.severity, 'critical');
    await waitFor('tamper point', () => rig.values('cam1', 'tamper').at(-1)?.value === true);
  });

  it('subscribes again when the camera expires the subscription', async (t) => {
    const rig = await startRig();
    t.after(() => rig.close());
    await rig.run(rig.device({}));
    await online(rig);
    await waitFor('the subscription', () => rig.sim.services.subscriptions('cam1') === 1);
    assert.ok(rig.sim.expireSubscriptions('cam1') >= 1);
    await motionArrives(rig, 'motion after the expiry');
    assert.ok(rig.sim.services.subscriptions('cam1') <= 1, 'no subscription left behind');
    assert.ok(rig.context.healthChanges.filter((h) => h.state === 'offline').length === 0, 'an expired subscription is not an outage');
  });

  it('renews a short subscription before it expires', async (t) => {
    const rig = await startRig();
    t.after(() => rig.close());
    await rig.run(rig.device({ connection: { events: { termination: '2s', pullTimeout: '1s' } } }));
    await online(rig);
    await waitFor('the subscription', () => rig.sim.services.subscriptions('cam1') === 1);
    // Several lifetimes pass; the one subscription stays alive through renewals.
    await new Promise((r) => setTimeout(r, 5000));
    await motionArrives(rig, 'motion after several lifetimes');
    assert.equal(rig.sim.services.subscriptions('cam1'), 1);
    const stats = rig.instance.stats('cam1');
    assert.ok(stats.renewals >= 2, `renewals ${stats.renewals}`);
    assert.equal(stats.subscriptions, 1, 'renewed, not re-created');
    await rig.instance.stop();
    assert.equal(rig.sim.services.subscriptions('cam1'), 0, 'stop unsubscribes');
  });

  it('comes back online and resumes events after the camera restarts', async (t) => {
    const rig = await startRig();
    let sim = rig.sim;
    t.after(async () => {
      await rig.instance.stop();
      await sim.close();
    });
    await rig.run(rig.device({}));
    await online(rig);
    const ports = {
      port: Number(new URL(sim.cameras[0]!.deviceServiceUrl).port),
      rtspPort: Number(new URL(sim.cameras[0]!.rtspUrl).port),
      httpPort: Number(new URL(sim.cameras[0]!.snapshotUrl).port),
    };
    await sim.close();
    await waitFor('cam1 offline', () => rig.context.healthChanges.some((h) => h.state === 'offline'), { timeout: 30_000 });
    const mark = rig.context.healthChanges.length;
    sim = await startOnvifSimulator({ cameras: [{ id: 'cam1', ...SMALL }], discovery: { multicast: false, unicastPort: 0 }, ...ports });
    (rig as { sim: typeof sim }).sim = sim;
    await online(rig, 'cam1', mark);
    await motionArrives(rig, 'motion after the restart');
  });
});
