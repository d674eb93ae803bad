// Write-only points: a relay that cannot be read back is written through commands and never polled.
// A real Modbus simulator for a pump station with one run coil made write-only, and a second one for
// a relay panel whose points are all write-only; the feed is watched on a real broker. A horn whose
// address has nothing listening shows what a failed write does to a device that is never read.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { testBroker } from './support/broker.js';
import { runCli, startCli, type CliProcess } from './support/cli.js';
import { FeedConsumer, feedSchemaProblems } from './support/feed.js';
import { waitFor } from '@sensegate/sdk/testing';

const GATEWAY = `e2e-write-only-${process.pid}`;
const PROFILE = fileURLToPath(new URL('../../drivers/modbus/profiles/pump-station.yaml', import.meta.url));

describe('end to end: write-only points', () => {
  let dir: string;
  let lift: ModbusSimulator;
  let panel: ModbusSimulator;
  let broker: { url: string; close(): Promise<void> };
  let consumer: FeedConsumer;
  let gateway: CliProcess;
  let config: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-write-only-'));
    broker = await testBroker();
    lift = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    panel = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    const silent = await closedPort();
    config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: lift-1
    driver: modbus
    profile: pump-station
    pollInterval: 200ms
    connection: { host: 127.0.0.1, port: ${lift.port}, unitId: 1 }
    points:
      - { id: pump1Running, table: coil, address: 0, direction: write }
  - id: relays
    driver: modbus
    pollInterval: 200ms
    connection: { host: 127.0.0.1, port: ${panel.port}, unitId: 1 }
    points:
      - { id: siren, table: coil, address: 0, direction: write }
      - { id: beacon, table: coil, address: 1, direction: write }
  - id: horn
    driver: modbus
    timeout: 500ms
    connection: { host: 127.0.0.1, port: ${silent}, unitId: 1 }
    points:
      - { id: sound, table: coil, address: 0, direction: write }
commands:
  allow: ['lift-1/pump1Running', 'relays/*', 'horn/*']
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    gateway = startCli(['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json']);
    // Enough polls of the lift that a write-only point, if it were polled, would have shown up.
    await consumer.waitForReadings('five polls of the lift', (r) => r.device === 'lift-1' && r.point === 'pump2Running', 5);
  });

  after(async () => {
    await gateway?.stop();
    await consumer?.close();
    await lift?.close();
    await panel?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('announces a write-only point as writable, with direction write and no poll interval', async () => {
    const birth = (await consumer.waitForStatus('birth')).payload as { devices: Array<{ id: string; points: Array<Record<string, unknown>> }> };
    const point = (device: string, id: string) => birth.devices.find((d) => d.id === device)?.points.find((p) => p.id === id);
    for (const [device, id] of [['lift-1', 'pump1Running'], ['relays', 'siren']] as const) {
      const p = point(device, id);
      assert.equal(p?.writable, true, `${device}/${id}`);
      assert.equal(p?.direction, 'write', `${device}/${id}`);
      assert.equal('pollInterval' in p!, false, `${device}/${id} has no poll interval`);
    }
    assert.equal(point('lift-1', 'pump2Running')?.direction, 'readwrite');
    assert.equal(point('lift-1', 'pump2Running')?.pollInterval, 200);
    assert.equal(point('lift-1', 'flow')?.direction, 'read');
  });

  it('never polls a write-only point, nor a device whose points are all write-only', () => {
    const readings = consumer.readings();
    assert.deepEqual(readings.filter((r) => r.point === 'pump1Running' || r.device === 'relays'), []);
    assert.equal(panel.stats().requests, 0, 'the relay panel was never asked for anything');
  });

  it('writes a write-only point through a command', async () => {
    const ack = await consumer.command({ id: 'siren-on', device: 'relays', point: 'siren', value: true });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal(panel.value(1, 'pump1Running'), true); // coil 0 of the panel
    assert.equal(panel.stats().byFunction['1'], undefined, 'written, never read');
    const lifted = await consumer.command({ id: 'pump-on', device: 'lift-1', point: 'pump1Running', value: true });
    assert.equal(lifted.ok, true, JSON.stringify(lifted));
    assert.equal(lift.value(1, 'pump1Running'), true);
  });

  it('takes the state of a device that is never read from its writes', async () => {
    const states = (device: string) =>
      consumer
        .allEvents()
        .filter((e) => e.type === 'device.state' && e.device === device)
        .map((e) => e.data as { state: string; previous: string; reason?: string; code?: string });
    // The siren was written in the test before: the panel went from starting to online with it.
    await waitFor('the relay panel online', () => states('relays').find((s) => s.state === 'online'));
    assert.deepEqual(states('relays')[0], { state: 'online', previous: 'starting' }, 'online from its first write on');
    // A value the coil cannot take never reaches the panel: it says nothing about the panel.
    const refused = await consumer.command({ id: 'siren-loud', device: 'relays', point: 'siren', value: 'loud' });
    assert.equal((refused.error as { code: string }).code, 'SG_WRITE_REJECTED');

    const ack = await consumer.command({ id: 'horn-on', device: 'horn', point: 'sound', value: true });
    assert.equal(ack.ok, false, JSON.stringify(ack));
    const hornOffline = await waitFor('the horn offline', () => states('horn').find((s) => s.state === 'offline'));
    assert.equal(hornOffline.previous, 'starting');
    assert.equal(hornOffline.code, (ack.error as { code: string }).code);
    assert.match(hornOffline.reason ?? '', /127\.0\.0\.1/, 'the reason names where it tried');
    assert.deepEqual(states('relays').map((s) => s.state), ['online'], 'the refused value left the panel online');
  });

  it('keeps the feed within its published schema', () => {
    assert.deepEqual(feedSchemaProblems([...consumer.data, ...consumer.status]), []);
  });

  it('leaves write-only points out of the read plan', async () => {
    const plan = await runCli(['plan', '--config', config]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.doesNotMatch(plan.stdout, /pump1Running|siren|beacon/);
    assert.match(plan.stdout, /pump2Running/);
  });

  it('refuses a point whose writable and direction contradict, saying what to write', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      `gateway: { id: bad }
devices:
  - id: relays
    driver: modbus
    connection: { host: 127.0.0.1, port: ${panel.port}, unitId: 1 }
    points:
      - { id: siren, table: coil, address: 0, direction: write, writable: false }
      - { id: level, table: input, address: 16, direction: read, writable: true }
`,
    );
    const result = await runCli(['validate', '--config', bad]);
    assert.notEqual(result.code, 0);
    const out = result.stdout + result.stderr;
    assert.match(out, /bad\.yaml:7:.*devices\[0\]\.points\[0\]\.writable.*`writable: false` contradicts `direction: write`: leave `writable` out/);
    assert.match(out, /bad\.yaml:8:.*devices\[0\]\.points\[1\]\.writable.*write `direction: readwrite`/);
  });
});

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
