// The gateway's ONVIF client (the `onvif` package) connects to simulated cameras the way it
// connects to real ones: clock, services, profiles, then device information and media URIs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, cameraSpec, connectCam, startServices } from './support/onvif-client.js';

describe('ONVIF services with the onvif client', () => {
  it('connects, reads device information, profiles and the stream and snapshot URIs', async (t) => {
    const spec = cameraSpec('cam1', { manufacturer: 'Acme & Sons', model: 'AC-4000', firmware: 'fw-5.7.3', serial: 'SN-0042', hardwareId: 'hw-7', width: 1920, height: 1080, fps: 25 });
    const services = await startServices(t, { cameras: [spec] });
    const url = services.deviceServiceUrl('cam1');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/onvif\/device_service$/);

    const cam = await connectCam(url);
    assert.deepEqual(Object.keys(cam.uri ?? {}).sort(), ['device', 'events', 'media', 'ptz']);
    assert.equal(cam.media2Support, false, 'Profile S: the client stays on Media ver10');

    const info = await call(cam, 'getDeviceInformation');
    assert.deepEqual(info, { manufacturer: 'Acme & Sons', model: 'AC-4000', firmwareVersion: 'fw-5.7.3', serialNumber: 'SN-0042', hardwareId: 'hw-7' });

    assert.equal(cam.profiles?.length, 1);
    const profile = cam.profiles![0] as any;
    assert.equal(profile.$.token, 'main');
    assert.equal(profile.videoEncoderConfiguration.encoding, 'H264');
    assert.deepEqual(profile.videoEncoderConfiguration.resolution, { width: 1920, height: 1080 });
    assert.equal(profile.videoEncoderConfiguration.rateControl.frameRateLimit, 25);
    assert.equal(profile.videoSourceConfiguration.bounds.$.width, 1920);
    assert.deepEqual(cam.activeSource && { w: cam.activeSource.width, h: cam.activeSource.height, fps: cam.activeSource.fps }, { w: 1920, h: 1080, fps: 25 });

    assert.equal((await call(cam, 'getStreamUri', { protocol: 'RTSP' })).uri, spec.rtspUrl);
    assert.equal((await call(cam, 'getSnapshotUri')).uri, spec.snapshotUrl);
    const encoders = await call<any[]>(cam, 'getVideoEncoderConfigurations');
    assert.equal(encoders[0].resolution.width, 1920);
  });

  it('gives the stream URI without credentials even when the video part put them in', async (t) => {
    const services = await startServices(t, { cameras: [cameraSpec('cam1', { rtspUrl: 'rtsp://admin:secret@127.0.0.1:8554/cam1/main' })] });
    const cam = await connectCam(services.deviceServiceUrl('cam1'));
    assert.equal((await call(cam, 'getStreamUri', { protocol: 'RTSP' })).uri, 'rtsp://127.0.0.1:8554/cam1/main');
  });

  it('reports the defaults (1280x720 at 15 fps), scopes, hostname and the camera clock', async (t) => {
    const services = await startServices(t, { cameras: [cameraSpec('cam1', { model: 'Street Cam', location: 'harbour' })] });
    const cam = await connectCam(services.deviceServiceUrl('cam1'));
    assert.deepEqual(cam.activeSource && [cam.activeSource.width, cam.activeSource.height, cam.activeSource.fps], [1280, 720, 15]);
    const scopes = (await call<any[]>(cam, 'getScopes')).map((s) => s.scopeItem);
    assert.ok(scopes.includes('onvif://www.onvif.org/type/video_encoder'));
    assert.ok(scopes.includes('onvif://www.onvif.org/name/Street%20Cam'));
    assert.ok(scopes.includes('onvif://www.onvif.org/location/harbour'));
    assert.equal((await call(cam, 'getHostname')).name, 'cam1');
    const time = await call<Date>(cam, 'getSystemDateAndTime');
    assert.ok(Math.abs(time.getTime() - Date.now()) < 2000, `camera time ${time.toISOString()}`);
  });

  it('serves two cameras in one process, each with its own device service and information', async (t) => {
    const services = await startServices(t, { cameras: [cameraSpec('cam1', { model: 'North-1', serial: 'N1' }), cameraSpec('cam2', { model: 'South-2', serial: 'S2', width: 640, height: 480 })] });
    const [url1, url2] = [services.deviceServiceUrl('cam1'), services.deviceServiceUrl('cam2')];
    assert.notEqual(url1, url2);
    const [cam1, cam2] = await Promise.all([connectCam(url1), connectCam(url2)]);
    assert.equal((await call(cam1, 'getDeviceInformation')).model, 'North-1');
    assert.equal((await call(cam2, 'getDeviceInformation')).model, 'South-2');
    assert.equal(cam2.activeSource?.width, 640);
    assert.equal((await call(cam2, 'getStreamUri', { protocol: 'RTSP' })).uri, 'rtsp://127.0.0.1:8554/cam2/main');
    assert.ok(services.stats('cam1').requests > 0 && services.stats('cam2').requests > 0);
    assert.throws(() => services.stats('cam9'), /no ONVIF camera "cam9"; the cameras are cam1, cam2/);
  });

  it('falls back cleanly: the client can also use GetCapabilities', async (t) => {
    const services = await startServices(t);
    const cam = await connectCam(services.deviceServiceUrl('cam1'));
    const caps = await call(cam, 'getCapabilities');
    assert.equal(caps.media.XAddr, services.deviceServiceUrl('cam1').replace('device_service', 'media_service'));
    assert.equal(caps.PTZ.XAddr, services.deviceServiceUrl('cam1').replace('device_service', 'ptz_service'));
    assert.equal(caps.events.XAddr, services.deviceServiceUrl('cam1').replace('device_service', 'events_service'));
  });
});
