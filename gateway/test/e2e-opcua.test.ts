// An OPC UA water plant, signed and encrypted with a user login, read by the gateway and forwarded
// to the city's broker: subscribed values with source timestamps and status-derived quality, a
// polled point, and a plant restart that the feed rides through without the gateway restarting.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addTrustedCertificate, pkiFolder } from '@sensegate/driver-opcua';
import { silentLogger } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';
import { PLANT_NAMESPACE, startOpcuaSimulator, type OpcuaSimulator } from '@sensegate/sim-opcua';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';
import { FeedConsumer, feedSchemaProblems } from './support/feed.js';

const GATEWAY = `e2e-opcua-${process.pid}`;
const node = (id: string) => `'nsu=${PLANT_NAMESPACE};s=${id}'`;

describe('end to end: an OPC UA plant to the broker', () => {
  let dir: string;
  let broker: TestBroker;
  let consumer: FeedConsumer;
  let gateway: Gateway;
  let sim: OpcuaSimulator;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-opcua-'));
    broker = await testBroker();
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    sim = await startOpcuaSimulator({ port: 0, pkiDir: join(dir, 'server-pki'), tick: 250, seed: 3, allowAnonymous: false, users: [{ userName: 'operator', password: 'pw' }] });
    const dataDir = join(dir, 'data');
    addTrustedCertificate(pkiFolder(join(dataDir, 'drivers', 'opcua')), await readFile(sim.certificateFile), 'plant');
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: plant-1
    driver: opcua
    reconnect: { initialDelay: 200ms, maxDelay: 1s }
    connection:
      endpoint: ${sim.endpoint}
      securityMode: SignAndEncrypt
      user: { userName: operator, password: { env: SG_E2E_PLANT_PASSWORD } }
      publishingInterval: 250ms
      samplingInterval: 250ms
    points:
      - { id: speed, nodeId: ${node('Pump1.Speed')}, unit: '%' }
      - { id: level, nodeId: ${node('Tank1.Level')}, unit: m }
      - { id: chlorine, nodeId: ${node('Chlorine.Residual')}, unit: mg/L, scale: 1000, decimals: 0 }
      - { id: history, nodeId: ${node('Types.DoubleArray')} }
      - { id: clock, nodeId: 'i=2258', mode: poll, pollInterval: 1s }
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    const { config: loaded, drivers } = await loadConfigFile(config);
    gateway = await Gateway.start({ config: loaded, drivers, dataDir, log: silentLogger, env: { ...process.env, SG_E2E_PLANT_PASSWORD: 'pw' } });
  });

  after(async () => {
    await gateway?.stop();
    await sim?.close();
    await consumer?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers subscribed values with units and source timestamps', async () => {
    const [speed] = await consumer.waitForReadings('plant-1 speed', (r) => r.device === 'plant-1' && r.point === 'speed');
    assert.equal(speed!.quality, 'good');
    assert.equal(speed!.unit, '%');
    assert.equal(typeof speed!.value, 'number');
    assert.ok(speed!.received !== undefined && speed!.received >= speed!.ts, 'ts is the source timestamp, received the gateway time');
    // Scaling applies to subscribed values: mg/L to ug/L.
    const [chlorine] = await consumer.waitForReadings('plant-1 chlorine', (r) => r.device === 'plant-1' && r.point === 'chlorine');
    assert.ok(Number.isInteger(chlorine!.value) && (chlorine!.value as number) > 50, `chlorine ${chlorine!.value} ug/L`);
    // An array variable arrives as a JSON array.
    const [history] = await consumer.waitForReadings('plant-1 history', (r) => r.device === 'plant-1' && r.point === 'history');
    assert.ok(Array.isArray(history!.value) && history!.value.length === 5);
    // The polled server clock is an ISO time. (A poll before the session is up reads nothing: bad, null.)
    const [clock] = await consumer.waitForReadings('a good plant-1 clock', (r) => r.device === 'plant-1' && r.point === 'clock' && r.quality === 'good');
    assert.match(String(clock!.value), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(feedSchemaProblems([...consumer.data, ...consumer.events, ...consumer.status]), []);
  });

  it('carries a bad status from the plant as bad quality with the status name', async () => {
    sim.badStatus('Tank1.Level', 'BadSensorFailure');
    const [bad] = await consumer.waitForReadings('a bad level', (r) => r.device === 'plant-1' && r.point === 'level' && r.quality === 'bad');
    assert.equal(bad!.status, 'opcua:BadSensorFailure');
    assert.equal(bad!.value, null);
    sim.badStatus('Tank1.Level', undefined);
    await consumer.waitForReadings('a good level again', (r) => r.device === 'plant-1' && r.point === 'level' && r.quality === 'good' && r.seq > bad!.seq);
  });

  it('resumes within 10 s of a plant restart, without restarting the gateway and without duplicates', async () => {
    const last = Math.max(...consumer.seqs());
    const started = Date.now();
    await sim.restart({ downMs: 1000 });
    await consumer.waitForReadings('speed after the restart', (r) => r.device === 'plant-1' && r.point === 'speed' && r.seq > last && r.received! > started + 1000, 1, 10_000);
    await waitFor('one subscription on the plant', () => sim.stats().subscriptions === 1 && sim.stats().monitoredItems === 4, { timeout: 5000 });
    const device = gateway.status().devices.find((d) => d.id === 'plant-1');
    assert.equal(device?.state, 'online');
  });
});
