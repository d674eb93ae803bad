// Simulator -> gateway (the built CLI, in its own process) -> broker -> a platform consumer.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { testBroker } from './support/broker.js';
import { startCli, type CliProcess } from './support/cli.js';
import { FeedConsumer, feedSchemaProblems } from './support/feed.js';

const PROFILE = fileURLToPath(new URL('./fixtures/test-meter.yaml', import.meta.url));
const GATEWAY = `e2e-feed-${process.pid}`;

describe('end to end: simulator to broker', () => {
  let dir: string;
  let sim: ModbusSimulator;
  let broker: { url: string; close(): Promise<void> };
  let consumer: FeedConsumer;
  let gateway: CliProcess;
  const started = Date.now();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-e2e-'));
    broker = await testBroker();
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }, { unitId: 2, profile: loadProfile(PROFILE) }] });
    // unit 2 answers "illegal data address" for the flow register, as a misconfigured map would
    sim.faults.exception(2, { unitId: 2, table: 'holding', address: 10 });
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway:
  id: ${GATEWAY}
  tags: { site: e2e }
devices:
  - id: meter-1
    name: Intake meter
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 300ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
  - id: meter-2
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 300ms
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 2, maxGap: 0 }
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    gateway = startCli(['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json']);
  });

  after(async () => {
    await gateway?.stop();
    await consumer?.close();
    await sim?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers scaled values with units, good quality and poll timestamps', async () => {
    const of = (point: string) => consumer.waitForReadings(`meter-1/${point}`, (r) => r.device === 'meter-1' && r.point === point);
    const [temperature] = await of('temperature');
    assert.deepEqual({ value: temperature!.value, unit: temperature!.unit, quality: temperature!.quality }, { value: 21.5, unit: 'degC', quality: 'good' });
    assert.deepEqual((await of('flow'))[0]!.value, 123.45);
    assert.equal((await of('running'))[0]!.value, true);
    assert.equal((await of('alarm'))[0]!.value, false);
    assert.equal((await of('status'))[0]!.value, true);
    assert.equal((await of('serial'))[0]!.value, 'SG-0042');
    const total = (await of('total'))[0]!;
    assert.equal(total.unit, 'm3');
    assert.ok(typeof total.value === 'number' && total.value >= 1000);
    // ts is the poll time: after the test started, not in the future, no separate `received`
    for (const r of consumer.readings().filter((r) => r.device === 'meter-1')) {
      assert.ok(r.ts >= started && r.ts <= Date.now(), `ts ${r.ts}`);
      assert.equal(r.received, undefined);
    }
  });

  it('turns a Modbus exception into bad quality carrying the exception code, for those points only', async () => {
    const [flow] = await consumer.waitForReadings('meter-2/flow bad', (r) => r.device === 'meter-2' && r.point === 'flow');
    assert.equal(flow!.quality, 'bad');
    assert.equal(flow!.value, null);
    assert.equal(flow!.status, 'modbus:exception:2');
    const [temperature] = await consumer.waitForReadings('meter-2/temperature', (r) => r.device === 'meter-2' && r.point === 'temperature');
    assert.equal(temperature!.quality, 'good');
  });

  it('announces itself with a retained birth listing devices and points', async () => {
    // A platform that subscribes later still learns the gateway's devices: the birth is retained.
    const late = await FeedConsumer.connect(broker.url, GATEWAY);
    const birth = await late.waitForStatus('birth').finally(() => late.close());
    assert.equal(birth.retain, true);
    assert.deepEqual(birth.payload.tags, { site: 'e2e' });
    const devices = birth.payload.devices as Array<{ id: string; points: Array<{ id: string; unit?: string }> }>;
    assert.deepEqual(devices.map((d) => d.id), ['meter-1', 'meter-2']);
    assert.equal(devices[0]!.points.find((p) => p.id === 'flow')!.unit, 'm3/h');
  });

  it('numbers every entry with a gap-free sequence and reports device state changes as events', async () => {
    await consumer.waitForReadings('a few polls', (r) => r.device === 'meter-1' && r.point === 'temperature', 5);
    const seqs = [...new Set(consumer.seqs())];
    assert.equal(seqs[0], 1, 'a fresh journal starts at 1');
    assert.equal(seqs.length, seqs[seqs.length - 1], 'no gap');
    const online = consumer.events.flatMap((m) => m.payload.events ?? []).filter((e) => e.type === 'device.state');
    assert.ok(online.some((e) => e.device === 'meter-1' && (e.data as { state: string }).state === 'online'));
    assert.ok(online.some((e) => e.device === 'meter-2' && (e.data as { state: string }).state === 'degraded'));
    assert.ok(consumer.data.every((m) => m.payload.historical === false), 'nothing was replayed');
  });

  it('sends only messages that validate against the published feed schema', () => {
    assert.deepEqual(feedSchemaProblems([...consumer.data, ...consumer.events, ...consumer.status]), []);
  });

  it('announces its death when stopped', async () => {
    const stoppedAt = Date.now();
    assert.equal(await gateway.stop(), 0, gateway.stderr());
    const death = await consumer.waitForStatus('death', stoppedAt);
    assert.equal(death.payload.reason, 'shutdown');
    // ...and it stays on the status topic for whoever subscribes next.
    const late = await FeedConsumer.connect(broker.url, GATEWAY);
    const retained = await late.waitForStatus('death').finally(() => late.close());
    assert.equal(retained.retain, true);
    assert.equal(retained.payload.session, death.payload.session);
  });
});
