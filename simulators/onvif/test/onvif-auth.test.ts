// WS-UsernameToken and HTTP Digest as cameras enforce them: wrong passwords fail at connect,
// `failAuth` refuses everyone, and a camera with a wrong clock still admits a client that
// corrected for it (as the onvif client does from GetSystemDateAndTime), but not one that did not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, cameraSpec, connectCam, postSoap, securityHeader, soapEnvelope, startServices } from './support/onvif-client.js';

const GET_INFO = '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>';

describe('ONVIF authentication', () => {
  it('refuses a wrong password at connect and counts the failure', async (t) => {
    const services = await startServices(t);
    await assert.rejects(connectCam(services.deviceServiceUrl('cam1'), 'admin', 'wrong'), /Sender not authorized/);
    assert.ok(services.stats('cam1').authFailures >= 1, `authFailures ${services.stats('cam1').authFailures}`);
    await assert.rejects(connectCam(services.deviceServiceUrl('cam1'), 'intruder', 'admin'), /Sender not authorized/);
  });

  it('uses the configured credentials', async (t) => {
    const services = await startServices(t, { credentials: { user: 'operator', password: 's3cret!' } });
    const cam = await connectCam(services.deviceServiceUrl('cam1'), 'operator', 's3cret!');
    assert.equal((await call(cam, 'getDeviceInformation')).model, 'SG-CAM-S1');
    await assert.rejects(connectCam(services.deviceServiceUrl('cam1')), /Sender not authorized/);
  });

  it('failAuth makes a good password fail until it is turned off', async (t) => {
    const services = await startServices(t);
    const url = services.deviceServiceUrl('cam1');
    const cam = await connectCam(url);
    services.failAuth('cam1', true);
    const before = services.stats('cam1').authFailures;
    await assert.rejects(call(cam, 'getDeviceInformation'), /Sender not authorized/);
    await assert.rejects(connectCam(url), /Sender not authorized/);
    assert.ok(services.stats('cam1').authFailures > before);
    services.failAuth('cam1', false);
    assert.equal((await call(cam, 'getDeviceInformation')).serialNumber, 'SG-cam1');
  });

  it('answers GetSystemDateAndTime without credentials and nothing else', async (t) => {
    const services = await startServices(t);
    const url = services.deviceServiceUrl('cam1');
    const time = await postSoap(url, soapEnvelope('<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>'));
    assert.equal(time.status, 200);
    assert.match(time.text, /<tt:UTCDateTime>/);
    const info = await postSoap(url, soapEnvelope(GET_INFO));
    assert.equal(info.status, 401, 'no credentials: a Digest challenge');
    const challenge = info.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Digest /);
    for (const param of [/realm="sensegate-onvif"/, /qop="auth"/, /nonce="[0-9a-f]+"/, /algorithm=MD5/]) assert.match(challenge, param);
    assert.match(info.text, /ter:NotAuthorized/);
    assert.equal(services.stats('cam1').authFailures, 0, 'a challenge is not a failure');
  });

  it('a camera whose clock is an hour ahead still admits the onvif client, which corrects for it', async (t) => {
    const services = await startServices(t, { cameras: [cameraSpec('cam1', { clockOffsetMs: 3_600_000 })] });
    const cam = await connectCam(services.deviceServiceUrl('cam1'));
    const time = await call<Date>(cam, 'getSystemDateAndTime');
    assert.ok(Math.abs(time.getTime() - Date.now() - 3_600_000) < 2000, `camera time ${time.toISOString()}`);
    assert.equal((await call(cam, 'getDeviceInformation')).model, 'SG-CAM-S1');
    assert.equal(services.stats('cam1').authFailures, 0);
  });

  it('refuses a client that did not correct for the camera clock, and admits it once it does', async (t) => {
    const services = await startServices(t, { cameras: [cameraSpec('cam1', { clockOffsetMs: 3_600_000 })] });
    const url = services.deviceServiceUrl('cam1');
    const uncorrected = await postSoap(url, soapEnvelope(GET_INFO, securityHeader('admin', 'admin', Date.now())));
    assert.equal(uncorrected.status, 400);
    assert.match(uncorrected.text, /ter:NotAuthorized/);
    assert.equal(services.stats('cam1').authFailures, 1);
    const corrected = await postSoap(url, soapEnvelope(GET_INFO, securityHeader('admin', 'admin', Date.now() + 3_600_000)));
    assert.equal(corrected.status, 200);

    services.setClockOffset('cam1', 0);
    assert.equal((await postSoap(url, soapEnvelope(GET_INFO, securityHeader('admin', 'admin', Date.now())))).status, 200, 'setClockOffset moves the clock auth checks against');
  });

  it('refuses a replayed UsernameToken and accepts PasswordText', async (t) => {
    const services = await startServices(t);
    const url = services.deviceServiceUrl('cam1');
    const request = soapEnvelope(GET_INFO, securityHeader('admin', 'admin', Date.now()));
    assert.equal((await postSoap(url, request)).status, 200);
    assert.equal((await postSoap(url, request)).status, 400, 'the same nonce again');
    const text =
      '<Security xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken><Username>admin</Username>' +
      '<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">admin</Password></UsernameToken></Security>';
    assert.equal((await postSoap(url, soapEnvelope(GET_INFO, text))).status, 200);
  });

  it('supports HTTP Digest for clients without WS-Security', async (t) => {
    const services = await startServices(t);
    const url = services.deviceServiceUrl('cam1');
    const cam = await connectCam(url, 'admin', 'admin', { useWSSecurity: false });
    assert.equal((await call(cam, 'getDeviceInformation')).manufacturer, 'Sensegate');
    assert.equal((await call(cam, 'getStreamUri', { protocol: 'RTSP' })).uri, 'rtsp://127.0.0.1:8554/cam1/main');
    await assert.rejects(connectCam(url, 'admin', 'nope', { useWSSecurity: false }), /Digest authentication failed 401/);
    assert.ok(services.stats('cam1').authFailures >= 1);
  });
});
