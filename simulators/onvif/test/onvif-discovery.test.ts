// WS-Discovery: a Probe (the very bytes the onvif package sends) gets one ProbeMatches per
// camera, with its urn:uuid, types, scopes and device service URL, back at the prober's port.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import onvif from 'onvif';
import { cameraSpec, newMessageId, onvifProbe, sendProbe, startServices } from './support/onvif-client.js';

const utils = createRequire(import.meta.url)('onvif/lib/utils.js') as {
  parseSOAPString(xml: string, callback: (err: Error | null, data: unknown) => void, statusCode: number): void;
  linerase(data: unknown): any;
};

function field(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

describe('WS-Discovery', () => {
  it('answers a unicast Probe with a ProbeMatch per camera', async (t) => {
    const services = await startServices(t, { cameras: [cameraSpec('cam1', { model: 'North-1', hardwareId: 'hw-n' }), cameraSpec('cam2', { model: 'South-2' })] });
    assert.ok(services.discoveryPort > 0);
    const messageId = newMessageId();
    const replies = await sendProbe('127.0.0.1', services.discoveryPort, onvifProbe(messageId), { expect: 2 });
    assert.equal(replies.length, 2);
    const byXAddr = new Map(replies.map((r) => [field(r, 'd:XAddrs'), r]));
    assert.deepEqual([...byXAddr.keys()].sort(), [services.deviceServiceUrl('cam1'), services.deviceServiceUrl('cam2')].sort());
    const cam1 = byXAddr.get(services.deviceServiceUrl('cam1'))!;
    assert.equal(field(cam1, 'wsa:RelatesTo'), messageId);
    assert.equal(field(cam1, 'wsa:Action'), 'http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches');
    assert.match(field(cam1, 'wsa:Address') ?? '', /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(field(cam1, 'd:Types') ?? '', /\bdn:NetworkVideoTransmitter\b/);
    const scopes = (field(cam1, 'd:Scopes') ?? '').split(' ');
    for (const s of ['type/video_encoder', 'name/North-1', 'hardware/hw-n', 'location/city']) assert.ok(scopes.includes(`onvif://www.onvif.org/${s}`), `scope ${s} in ${scopes.join(' ')}`);
    const addresses = new Set(replies.map((r) => field(r, 'wsa:Address')));
    assert.equal(addresses.size, 2, 'each camera its own endpoint reference');

    const again = await sendProbe('127.0.0.1', services.discoveryPort, onvifProbe(newMessageId()), { expect: 2 });
    assert.deepEqual(new Set(again.map((r) => field(r, 'wsa:Address'))), addresses, 'endpoint references are stable');
  });

  it('the onvif client parses the ProbeMatches into a camera at the device service URL', async (t) => {
    const services = await startServices(t);
    const [reply] = await sendProbe('127.0.0.1', services.discoveryPort, onvifProbe(newMessageId()), { expect: 1 });
    // Discovery.probe()'s own parse (lib/discovery.js): parseSOAPString then linerase.
    const data = await new Promise<any>((resolve, reject) => utils.parseSOAPString(reply!, (err, d) => (err ? reject(err) : resolve(utils.linerase(d))), 200));
    assert.equal(data.probeMatches.probeMatch.XAddrs, services.deviceServiceUrl('cam1'));
    assert.match(data.probeMatches.probeMatch.endpointReference.address, /^urn:uuid:/);
  });

  it('ignores probes for other device types, other scopes and garbage', async (t) => {
    const services = await startServices(t, { cameras: [cameraSpec('cam1', { location: 'harbour' })] });
    const other = onvifProbe(newMessageId()).toString().replace('dn:NetworkVideoTransmitter', 'pr:Printer');
    assert.deepEqual(await sendProbe('127.0.0.1', services.discoveryPort, Buffer.from(other), { waitMs: 150 }), []);
    const scoped = (scope: string) => Buffer.from(onvifProbe(newMessageId()).toString().replace('<Scopes />', `<Scopes>${scope}</Scopes>`));
    assert.equal((await sendProbe('127.0.0.1', services.discoveryPort, scoped('onvif://www.onvif.org/location/harbour'), { expect: 1 })).length, 1);
    assert.equal((await sendProbe('127.0.0.1', services.discoveryPort, scoped('onvif://www.onvif.org/location/airport'), { waitMs: 150 })).length, 0);
    assert.deepEqual(await sendProbe('127.0.0.1', services.discoveryPort, Buffer.from('<<not xml'), { waitMs: 150 }), []);
    assert.equal((await sendProbe('127.0.0.1', services.discoveryPort, onvifProbe(newMessageId()), { expect: 1 })).length, 1, 'still answering');
  });

  it('answers the onvif package\'s multicast Discovery.probe() when this machine routes multicast', async (t) => {
    const services = await startServices(t, { discovery: { multicast: true, unicastPort: 0 } });
    if (!services.multicast) return t.skip('cannot join 239.255.255.250 on this machine');
    const found = await new Promise<any[]>((resolve) => onvif.Discovery.probe({ timeout: 1000, resolve: false }, (_err, cams) => resolve((cams ?? []) as any[])));
    const ours = found.filter((c) => c.probeMatches?.probeMatch?.XAddrs === services.deviceServiceUrl('cam1'));
    if (ours.length === 0) return t.skip(`multicast probes do not loop back on this machine (${found.length} other devices answered)`);
    assert.equal(ours.length, 1);
  });
});
