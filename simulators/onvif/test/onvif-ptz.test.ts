// A gateway moves a camera with the `onvif` client's PTZ methods: the camera reports MOVING, then
// IDLE where it was sent, and the simulator's own view of the position (services.ptz) agrees.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, connectCam, postSoap, securityHeader, soapEnvelope, startServices, type Cam } from './support/onvif-client.js';

interface Status {
  position: { x: number; y: number; zoom: number };
  moveStatus: { panTilt: string; zoom: string };
  utcTime: Date;
}

const status = (cam: Cam) => call<Status>(cam, 'getStatus');

/** Polls GetStatus until both pan-tilt and zoom are IDLE; fails after `ms`. */
async function idle(cam: Cam, ms = 10_000): Promise<Status> {
  const until = Date.now() + ms;
  for (;;) {
    const s = await status(cam);
    if (s.moveStatus.panTilt === 'IDLE' && s.moveStatus.zoom === 'IDLE') return s;
    if (Date.now() > until) assert.fail(`still moving after ${ms} ms: ${JSON.stringify(s)}`);
    await sleep(50);
  }
}

function near(actual: number, expected: number, what: string, tolerance = 1e-6): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected}`);
}

async function connected(t: Parameters<typeof startServices>[0]) {
  const services = await startServices(t);
  const cam = await connectCam(services.deviceServiceUrl('cam1'));
  return { services, cam };
}

describe('ONVIF PTZ with the onvif client', () => {
  it('has a PTZ configuration on the profile, a node and a configuration with the generic spaces', async (t) => {
    const { cam } = await connected(t);
    assert.deepEqual(cam.activeSource?.ptz, { name: 'PTZConfig', token: 'ptz_config' });
    const nodes = await call<Record<string, any>>(cam, 'getNodes');
    assert.deepEqual(Object.keys(nodes), ['ptz_node']);
    assert.equal(nodes['ptz_node'].maximumNumberOfPresets, 32);
    assert.equal(nodes['ptz_node'].supportedPTZSpaces.absolutePanTiltPositionSpace.URI, 'http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace');
    const configurations = await call<Record<string, any>>(cam, 'getConfigurations');
    assert.equal(configurations['PTZConfig'].token, 'ptz_config');
    assert.equal(configurations['PTZConfig'].nodeToken, 'ptz_node');
    assert.deepEqual(configurations['PTZConfig'].panTiltLimits.XRange, { min: '-1', max: '1' });
    const options = await call<any>(cam, 'getConfigurationOptions', 'ptz_config');
    assert.deepEqual(options.spaces.absolute.zoom, { min: 0, max: 1, uri: ['http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace'] });
    const first = await status(cam);
    assert.deepEqual(first.position, { x: 0, y: 0, zoom: 0 });
    assert.deepEqual(first.moveStatus, { panTilt: 'IDLE', zoom: 'IDLE' });
    assert.ok(Math.abs(first.utcTime.getTime() - Date.now()) < 2000, `UtcTime ${first.utcTime.toISOString()}`);
  });

  it('moves continuously until Stop, and the simulator reports the new position', async (t) => {
    const { services, cam } = await connected(t);
    await call(cam, 'continuousMove', { x: 0.5, y: -0.5, zoom: 0.25 });
    const moving = await status(cam);
    assert.deepEqual(moving.moveStatus, { panTilt: 'MOVING', zoom: 'MOVING' });
    assert.equal(services.ptz('cam1').moving, true);
    await sleep(300);
    await call(cam, 'stop');
    const stopped = await status(cam);
    assert.deepEqual(stopped.moveStatus, { panTilt: 'IDLE', zoom: 'IDLE' });
    // 0.5 units/s for 0.3 s and the requests' round trips.
    assert.ok(stopped.position.x > 0.1 && stopped.position.x < 0.4, `pan ${stopped.position.x}`);
    near(stopped.position.y, -stopped.position.x, 'tilt');
    near(stopped.position.zoom, stopped.position.x / 2, 'zoom');
    const sim = services.ptz('cam1');
    assert.equal(sim.moving, false);
    near(sim.pan, stopped.position.x, 'simulator pan');
    near(sim.tilt, stopped.position.y, 'simulator tilt');
    await sleep(100);
    assert.deepEqual((await status(cam)).position, stopped.position, 'a stopped camera stays where it is');
  });

  it('stops a continuous move by itself after its Timeout, and at the end of the range', async (t) => {
    const { services, cam } = await connected(t);
    // 1 s at a fifth of full speed: long enough that a loaded machine still sees it MOVING.
    await call(cam, 'continuousMove', { x: 0.2, timeout: 1000 });
    assert.equal((await status(cam)).moveStatus.panTilt, 'MOVING');
    await sleep(1300);
    const after = await status(cam);
    assert.equal(after.moveStatus.panTilt, 'IDLE');
    near(after.position.x, 0.2, 'pan after 1 s at a fifth of full speed');
    await call(cam, 'continuousMove', { x: 0, y: 0, zoom: 1 });
    await sleep(1100);
    const stopped = services.ptz('cam1');
    near(stopped.pan, after.position.x, 'pan kept', 1e-6);
    assert.deepEqual({ ...stopped, pan: 0 }, { pan: 0, tilt: 0, zoom: 1, moving: false }, 'zoom stops at 1 without a Stop');
  });

  it('moves to an absolute position, MOVING on the way and IDLE there', async (t) => {
    const { services, cam } = await connected(t);
    await call(cam, 'absoluteMove', { x: 0.6, y: -0.3, zoom: 0.4 });
    const start = await status(cam);
    assert.deepEqual(start.moveStatus, { panTilt: 'MOVING', zoom: 'MOVING' });
    assert.ok(start.position.x < 0.6, `pan on the way: ${start.position.x}`);
    const began = Date.now();
    const end = await idle(cam);
    assert.ok(Date.now() - began > 300, 'a 0.6 move at 1 unit/s takes about 0.6 s');
    assert.deepEqual(end.position, { x: 0.6, y: -0.3, zoom: 0.4 });
    assert.deepEqual(services.ptz('cam1'), { pan: 0.6, tilt: -0.3, zoom: 0.4, moving: false });

    // A slower speed takes longer: 0.2 at speed 0.1 is 2 s, so a loaded machine still sees it MOVING.
    await call(cam, 'absoluteMove', { x: 0.4, y: -0.3, zoom: 0.4, speed: { x: 0.1, y: 0.1, zoom: 0.1 } });
    await sleep(150);
    assert.equal((await status(cam)).moveStatus.panTilt, 'MOVING');
    assert.equal((await idle(cam, 10_000)).position.x, 0.4);
  });

  it('moves relative to where it is, stopping at the limits', async (t) => {
    const { services, cam } = await connected(t);
    await call(cam, 'relativeMove', { x: 0.2, y: 0.1, zoom: 0.3 });
    assert.deepEqual((await idle(cam)).position, { x: 0.2, y: 0.1, zoom: 0.3 });
    await call(cam, 'relativeMove', { x: -0.3, y: 0, zoom: -0.1 });
    const second = await idle(cam);
    near(second.position.x, -0.1, 'pan');
    near(second.position.zoom, 0.2, 'zoom');
    await call(cam, 'relativeMove', { x: 1.5, y: -1.5, zoom: -1 });
    assert.deepEqual((await idle(cam)).position, { x: 1, y: -1, zoom: 0 });
    assert.deepEqual(services.ptz('cam1'), { pan: 1, tilt: -1, zoom: 0, moving: false });
  });

  it('saves, lists, goes to and removes presets', async (t) => {
    const { services, cam } = await connected(t);
    await call(cam, 'absoluteMove', { x: 0.5, y: 0.25, zoom: 0.5 });
    await idle(cam);
    const gate = await call<any>(cam, 'setPreset', { presetName: 'gate' });
    const gateToken = gate[0].setPresetResponse[0].presetToken[0] as string;
    assert.equal(gateToken, 'preset_1');
    await call(cam, 'absoluteMove', { x: -0.5, y: -0.25, zoom: 0 });
    await idle(cam);
    const yard = await call<any>(cam, 'setPreset', { presetName: 'yard' });
    const yardToken = yard[0].setPresetResponse[0].presetToken[0] as string;

    const presets = await call<Record<string, any>>(cam, 'getPresets');
    assert.deepEqual(Object.keys(presets).sort(), ['gate', 'yard']);
    assert.equal(presets['gate'].$.token, gateToken);
    assert.deepEqual(presets['gate'].PTZPosition.panTilt.$, { x: 0.5, y: 0.25, space: 'http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace' });
    assert.equal(presets['yard'].PTZPosition.zoom.$.x, 0);
    await assert.rejects(call(cam, 'setPreset', { presetName: 'gate' }), /already called "gate"/);

    await call(cam, 'gotoPreset', { preset: gateToken });
    assert.equal((await status(cam)).moveStatus.panTilt, 'MOVING');
    assert.deepEqual((await idle(cam)).position, { x: 0.5, y: 0.25, zoom: 0.5 });
    assert.deepEqual(services.ptz('cam1'), { pan: 0.5, tilt: 0.25, zoom: 0.5, moving: false });

    // Saving over an existing token moves the preset to the current position.
    await call(cam, 'setPreset', { presetName: 'yard', presetToken: yardToken });
    assert.equal((await call<Record<string, any>>(cam, 'getPresets'))['yard'].PTZPosition.panTilt.$.x, 0.5);

    await call(cam, 'removePreset', { presetToken: yardToken });
    assert.deepEqual(Object.keys(await call(cam, 'getPresets')), ['gate']);
    await assert.rejects(call(cam, 'gotoPreset', { preset: yardToken }), /No preset "preset_2"/);
    await assert.rejects(call(cam, 'removePreset', { presetToken: yardToken }), /No preset "preset_2"/);
  });

  it('answers a move on an unknown profile, an out-of-range position or another space with a SOAP fault', async (t) => {
    const { services, cam } = await connected(t);
    await assert.rejects(call(cam, 'continuousMove', { profileToken: 'sub', x: 0.5 }), /No profile "sub"/);
    await assert.rejects(call(cam, 'absoluteMove', { profileToken: 'sub', x: 0.5 }), /No profile "sub"/);
    await assert.rejects(call(cam, 'getStatus', { profileToken: 'sub' }), /No profile "sub"/);
    await assert.rejects(call(cam, 'absoluteMove', { x: 1.5 }), /pan 1.5 is outside -1..1/);
    await assert.rejects(call(cam, 'continuousMove', { x: 2 }), /pan velocity 2 is outside -1..1/);
    await assert.rejects(call(cam, 'absoluteMove', { x: 0.5, y: 0, xyspace: 'http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalPositionSpaceDegrees' }), /space .* is not supported/);
    assert.deepEqual(services.ptz('cam1'), { pan: 0, tilt: 0, zoom: 0, moving: false }, 'refused moves do not move');

    const reply = await postSoap(
      services.deviceServiceUrl('cam1').replace('device_service', 'ptz_service'),
      soapEnvelope('<AbsoluteMove xmlns="http://www.onvif.org/ver20/ptz/wsdl"><ProfileToken>sub</ProfileToken><Position/></AbsoluteMove>', securityHeader('admin', 'admin', Date.now())),
    );
    assert.equal(reply.status, 400);
    assert.deepEqual([...reply.text.matchAll(/<env:Value>([^<]*)<\/env:Value>/g)].map((m) => m[1]), ['env:Sender', 'ter:InvalidArgVal', 'ter:NoProfile']);
  });
});
