// A field engineer looks for cameras: a unicast probe to the simulator's discovery port (or to
// every address of a small range) finds each camera once, with its service address and scopes,
// and a connection block the driver accepts. Ranges too big to probe are refused clearly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SensegateError } from '@sensegate/sdk';
import { createTestContext } from '@sensegate/sdk/testing';
import onvif, { connectionSchema, discoverOnvif, expandRange, readProbeMatches } from '../src/index.js';
import { SMALL, startSim } from './support/rig.js';

describe('discovery', () => {
  it('finds every camera of the simulator by unicast, once each', async (t) => {
    const sim = await startSim({ cameras: [{ id: 'north', ...SMALL, location: 'harbour' }, { id: 'south', ...SMALL }] });
    t.after(() => sim.close());
    const { cameras, devices } = await discoverOnvif({ range: '127.0.0.1', port: sim.discoveryPort, timeout: 1500 });
    assert.equal(cameras.length, 2, JSON.stringify(cameras));
    assert.deepEqual(cameras.map((c) => c.xaddrs[0]).sort(), sim.cameras.map((c) => c.deviceServiceUrl).sort());
    const north = devices.find((d) => d.connection['url'] === sim.cameras[0]!.deviceServiceUrl)!;
    assert.equal(north.info?.['location'], 'harbour');
    assert.ok(Array.isArray(north.info?.['scopes']));
    assert.ok(connectionSchema.safeParse(north.connection).success);
    assert.equal(new Set(devices.map((d) => d.id)).size, 2);
  });

  it('probes a small range through the driver instance and de-duplicates', async (t) => {
    const sim = await startSim();
    t.after(() => sim.close());
    const instance = onvif.create(createTestContext({ driver: 'onvif' }));
    const found = await instance.discover!({ range: '127.0.0.1/30', port: sim.discoveryPort, timeout: 1500 }, AbortSignal.timeout(30_000));
    assert.equal(found.length, 1);
    assert.equal(found[0]!.connection['url'], sim.cameras[0]!.deviceServiceUrl);
    await instance.stop();
  });

  it('reads every ProbeMatch of one reply', () => {
    const match = (uuid: string, port: number) =>
      `<d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:${uuid}</wsa:Address></wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>` +
      `<d:Scopes>onvif://www.onvif.org/name/Gate%20A onvif://www.onvif.org/hardware/X1</d:Scopes><d:XAddrs>http://10.0.0.5:${port}/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch>`;
    const reply = `<env:Envelope><env:Body><d:ProbeMatches>${match('a', 80)}${match('b', 8080)}</d:ProbeMatches></env:Body></env:Envelope>`;
    const matches = readProbeMatches(reply);
    assert.deepEqual(matches.map((m) => [m.endpointReference, m.xaddrs[0]]), [
      ['urn:uuid:a', 'http://10.0.0.5:80/onvif/device_service'],
      ['urn:uuid:b', 'http://10.0.0.5:8080/onvif/device_service'],
    ]);
    assert.deepEqual(readProbeMatches('<Envelope><Body><Probe/></Body></Envelope>'), []);
  });

  it('expands ranges and refuses ones too large to probe', () => {
    assert.deepEqual(expandRange('192.168.1.8/30'), ['192.168.1.9', '192.168.1.10']);
    assert.deepEqual(expandRange('10.0.0.7'), ['10.0.0.7']);
    assert.equal(expandRange('10.1.0.0/22').length, 1022);
    assert.throws(() => expandRange('10.0.0.0/16'), (err: SensegateError) => err.code === 'SG_CONFIG_INVALID' && /has 65534 addresses; discovery probes at most 1024/.test(err.message));
    assert.throws(() => expandRange('cam.local/24'), /needs an IPv4 address/);
  });
});
