// Devices fail the way field devices do: one restarts, one unit on a shared RS-485 bus dies. The
// gateway keeps every other device reading and recovers on its own.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { testBroker } from './support/broker.js';
import { startCli, type CliProcess } from './support/cli.js';
import { FeedConsumer } from './support/feed.js';
import { delay, waitFor } from '@sensegate/sdk/testing';

const PROFILE = fileURLToPath(new URL('./fixtures/test-meter.yaml', import.meta.url));
const GATEWAY = `e2e-devices-${process.pid}`;

describe('end to end: device failures', () => {
  let dir: string;
  let tcpSim: ModbusSimulator;
  let bus: ModbusSimulator;
  let broker: { url: string; close(): Promise<void> };
  let consumer: FeedConsumer;
  let gateway: CliProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-devices-'));
    broker = await testBroker();
    const profile = loadProfile(PROFILE);
    tcpSim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile }] });
    // an RS-485 bus with three units behind a serial server (RTU frames over TCP)
    bus = await startModbusSimulator({ port: 0, framing: 'rtu-over-tcp', units: [1, 2, 3].map((unitId) => ({ unitId, profile })) });
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    const busDevice = (unit: number) => `
  - id: bus-${unit}
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 500ms
    timeout: 300ms
    connection: { transport: rtu-over-tcp, host: 127.0.0.1, port: ${bus.port}, unitId: ${unit} }`;
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: plc
    driver: modbus
    profile: ${PROFILE}
    pollInterval: 200ms
    timeout: 300ms
    reconnect: { initialDelay: 100ms, maxDelay: 500ms }
    connection: { host: 127.0.0.1, port: ${tcpSim.port}, unitId: 1 }
${[1, 2, 3].map(busDevice).join('\n')}
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    gateway = startCli(['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json']);
    await consumer.waitForReadings('first readings', (r) => r.device === 'bus-3' && r.quality === 'good');
  });

  after(async () => {
    await gateway?.stop();
    await consumer?.close();
    await tcpSim?.close();
    await bus?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a device that restarts is reported offline, then recovers on its own', async () => {
    await tcpSim.stop();
    const stoppedAt = Date.now();
    const [bad] = await consumer.waitForReadings('bad readings while the PLC is down', (r) => r.device === 'plc' && r.ts > stoppedAt && r.quality === 'bad');
    assert.match(bad!.status!, /^SG_(CONNECTION_LOST|CONNECT_REFUSED|NOT_CONNECTED|REQUEST_TIMEOUT)$/);
    const offline = await waitFor('an offline event', () =>
      consumer.events.flatMap((m) => m.payload.events ?? []).find((e) => e.device === 'plc' && (e.data as { state: string }).state === 'offline'),
    );
    assert.equal(offline.severity, 'warning');

    await delay(1000);
    await tcpSim.start();
    const restartedAt = Date.now();
    await consumer.waitForReadings('good readings after the PLC is back', (r) => r.device === 'plc' && r.ts > restartedAt && r.quality === 'good', 3);
    await waitFor('an online event', () =>
      consumer.events
        .flatMap((m) => m.payload.events ?? [])
        .find((e) => e.device === 'plc' && (e.data as { state: string }).state === 'online' && (e.ts as number) > restartedAt),
    );
  });

  it('a dead unit on a shared bus costs its neighbours no more than its timeout', async () => {
    const window = async (ms: number) => {
      const from = Date.now();
      await delay(ms);
      const to = Date.now();
      const count = (device: string, quality: string) =>
        consumer.readings().filter((r) => r.device === device && r.point === 'temperature' && r.quality === quality && r.ts >= from && r.ts < to).length;
      return { neighbours: count('bus-1', 'good') + count('bus-3', 'good'), dead: count('bus-2', 'bad') };
    };
    const healthy = await window(3000);
    bus.faults.silence(2, true);
    await consumer.waitForReadings('unit 2 timing out', (r) => r.device === 'bus-2' && r.quality === 'bad');
    const degraded = await window(3000);
    bus.faults.silence(2, false);

    const [timeout] = await consumer.waitForReadings('a timeout reading', (r) => r.device === 'bus-2' && r.status === 'SG_REQUEST_TIMEOUT');
    assert.equal(timeout!.value, null);
    assert.ok(degraded.dead > 0, 'the dead unit is reported with bad quality');
    // Each 500 ms poll cycle of the bus loses at most one 300 ms timeout to unit 2, so the
    // neighbours keep polling at their rate: nearly as many good readings as before.
    assert.ok(
      degraded.neighbours >= healthy.neighbours * 0.7,
      `neighbours read ${degraded.neighbours} times with unit 2 dead vs ${healthy.neighbours} before`,
    );
    await consumer.waitForReadings('unit 2 back', (r) => r.device === 'bus-2' && r.quality === 'good' && r.ts > Date.now() - 1000);
  });
});
