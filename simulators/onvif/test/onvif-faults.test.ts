// Whatever a client sends, a camera answers with a SOAP 1.2 fault and keeps serving: garbage,
// operations it does not know, services that come later (events), wrong profile tokens.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { call, connectCam, postSoap, securityHeader, soapEnvelope, startServices } from './support/onvif-client.js';

const auth = () => securityHeader('admin', 'admin', Date.now());

function faultOf(text: string): { code?: string; subcodes: string[]; reason?: string } {
  const values = [...text.matchAll(/<env:Value>([^<]*)<\/env:Value>/g)].map((m) => m[1]!);
  return { code: values[0], subcodes: values.slice(1), reason: /<env:Text xml:lang="en">([^<]*)</.exec(text)?.[1] };
}

describe('ONVIF faults', () => {
  it('answers garbage with a 400 WellFormed fault and keeps serving', async (t) => {
    const services = await startServices(t);
    const url = services.deviceServiceUrl('cam1');
    for (const body of ['', 'hello', '<s:Envelope><s:Body>', '<a></b>', '<s:Envelope xmlns:s="x"><s:Body/></s:Envelope>', '\u0000\u00ff<<>>', '<Envelope><Body><X a=1/></Body></Envelope>']) {
      const reply = await postSoap(url, body);
      assert.equal(reply.status, 400, `status for ${JSON.stringify(body)}`);
      const f = faultOf(reply.text);
      assert.equal(f.code, 'env:Sender');
      assert.deepEqual(f.subcodes, ['ter:WellFormed'], `fault for ${JSON.stringify(body)}: ${reply.text}`);
    }
    const cam = await connectCam(url);
    assert.equal((await call(cam, 'getDeviceInformation')).model, 'SG-CAM-S1');
    assert.ok(services.stats('cam1').requests >= 7);
  });

  it('answers unknown operations with env:Receiver / ter:ActionNotSupported', async (t) => {
    const services = await startServices(t);
    const device = services.deviceServiceUrl('cam1');
    const reply = await postSoap(device, soapEnvelope('<SystemReboot xmlns="http://www.onvif.org/ver10/device/wsdl"/>', auth()));
    assert.equal(reply.status, 500);
    assert.deepEqual(faultOf(reply.text), { code: 'env:Receiver', subcodes: ['ter:ActionNotSupported'], reason: 'Optional action SystemReboot not implemented' });

    const ptz = await postSoap(device.replace('device_service', 'ptz_service'), soapEnvelope('<SendAuxiliaryCommand xmlns="http://www.onvif.org/ver20/ptz/wsdl"/>', auth()));
    assert.deepEqual(faultOf(ptz.text).subcodes, ['ter:ActionNotSupported']);
    const events = await postSoap(device.replace('device_service', 'events_service'), soapEnvelope('<AddEventBroker xmlns="http://www.onvif.org/ver10/events/wsdl"/>', auth()));
    assert.deepEqual(faultOf(events.text).subcodes, ['ter:ActionNotSupported']);
    const cam = await connectCam(device);
    assert.equal((await call(cam, 'getStreamUri', { protocol: 'RTSP' })).uri, 'rtsp://127.0.0.1:8554/cam1/main');
  });

  it('refuses an unknown profile token, RTP multicast, and unknown paths', async (t) => {
    const services = await startServices(t);
    const cam = await connectCam(services.deviceServiceUrl('cam1'));
    await assert.rejects(call(cam, 'getStreamUri', { protocol: 'RTSP', profileToken: 'sub' }), /No profile "sub"/);
    await assert.rejects(call(cam, 'getSnapshotUri', { profileToken: 'sub' }), /No profile "sub"/);
    await assert.rejects(call(cam, 'getStreamUri', { protocol: 'UDP', stream: 'RTP-Multicast' }), /RTP multicast is not supported/);
    const notFound = await fetch(services.deviceServiceUrl('cam1').replace('device_service', 'nothing'), { method: 'POST', body: '' });
    assert.equal(notFound.status, 404);
    const get = await fetch(services.deviceServiceUrl('cam1'));
    assert.equal(get.status, 405);
  });

  it('rejects bad camera specs at start, naming the camera', async () => {
    const { startOnvifServices } = await import('../src/onvif/index.js');
    await assert.rejects(startOnvifServices({ cameras: [] }), /at least one camera/);
    await assert.rejects(startOnvifServices({ cameras: [{ id: 'cam1', rtspUrl: 'rtsp://x/1', snapshotUrl: '' }] }), /camera "cam1" needs snapshotUrl/);
    await assert.rejects(startOnvifServices({ cameras: [{ id: 'cam1', rtspUrl: 'rtsp://x/1', snapshotUrl: 'http://x/1', width: 0 }] }), /width must be a positive integer in camera "cam1"/);
    const twice = { id: 'cam1', rtspUrl: 'rtsp://x/1', snapshotUrl: 'http://x/1' };
    await assert.rejects(startOnvifServices({ cameras: [twice, twice] }), /camera id "cam1" is used twice/);
  });
});
