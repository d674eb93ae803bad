// Commands from the platform through a real broker: a setpoint written to a real Modbus device,
// and every way a request can be refused, each acknowledged and audited in the feed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ModbusSimulator } from '@sensegate/sim-modbus';
import { waitFor } from '@sensegate/sdk/testing';
import { testBroker } from './support/broker.js';
import { startCli, type CliProcess } from './support/cli.js';
import { feedSchemaProblems, type FeedConsumer } from './support/feed.js';
import { pumpStation, type PumpStation } from './support/pump-station.js';

const GATEWAY = `e2e-commands-${process.pid}`;

describe('end to end: commands from the platform', () => {
  let dir: string;
  let sim: ModbusSimulator;
  let broker: { url: string; close(): Promise<void> };
  let consumer: FeedConsumer;
  let gateway: CliProcess;
  let station: PumpStation;

  before(async () => {
    broker = await testBroker();
    station = await pumpStation({ gateway: GATEWAY, brokerUrl: broker.url, commands: `  allow: [lift-1/speedSetpoint, lift-1/pump2Running, 'lift-1/pump1*', 'lift-1:*']` });
    ({ dir, sim, consumer } = station);
    const config = station.config;
    gateway = startCli(['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json']);
    await consumer.waitForReadings('first readings', (r) => r.device === 'lift-1' && r.quality === 'good');
  });

  after(async () => {
    await gateway?.stop();
    await station?.close();
    await broker?.close();
  });

  it('a write on the allow-list reaches the device, is acknowledged, and the new value comes back in the feed', async () => {
    const ack = await consumer.command({ id: 'w-1', device: 'lift-1', point: 'speedSetpoint', value: 42.5 });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal(ack.gateway, GATEWAY);
    assert.equal(ack.point, 'speedSetpoint');
    assert.equal(sim.value(1, 'speedSetpoint'), 42.5);
    const since = ack.ts as number;
    await consumer.waitForReadings('the written setpoint read back', (r) => r.point === 'speedSetpoint' && r.ts > since && r.value === 42.5);
    const audit = await waitFor('an audit event', () => consumer.allEvents().find((e) => e.type === 'command.done' && (e.data as { id?: string }).id === 'w-1'));
    assert.equal(audit.device, 'lift-1');
    assert.equal(audit.point, 'speedSetpoint');
    assert.equal((audit.data as { value: unknown }).value, 42.5);
  });

  it('refuses, with a reason, what is not allowed, unknown, read-only or malformed, and the device keeps running', async () => {
    const cases: Array<[string, Record<string, unknown> | string, RegExp]> = [
      ['a point not on the allow-list', { id: 'r-1', device: 'lift-1', point: 'wetWellLevel', value: 1 }, /not on the gateway's commands\.allow list/],
      ['an unknown device', { id: 'r-2', device: 'nope', point: 'speedSetpoint', value: 1 }, /not on the gateway's commands\.allow list/],
      ['a point that is not writable', { id: 'r-3', device: 'lift-1', point: 'pump1Fault', value: true }, /not writable/],
      ['a command the driver does not have', { id: 'r-4', device: 'lift-1', command: 'reboot' }, /has no command "reboot"/],
      ['a write without a value', { id: 'r-5', device: 'lift-1', point: 'speedSetpoint' }, /needs a `value`/],
      ['both a command and a point', { id: 'r-6', device: 'lift-1', point: 'speedSetpoint', value: 1, command: 'x' }, /either `command`/],
      ['not JSON', '{"id": "r-7", oops', /must be a JSON object/],
    ];
    for (const [what, request, reason] of cases) {
      const ack = await consumer.command(request);
      assert.equal(ack.ok, false, `${what}: ${JSON.stringify(ack)}`);
      const error = ack.error as { code: string; message: string };
      assert.equal(error.code, 'SG_COMMAND_REJECTED', what);
      assert.match(error.message, reason, what);
    }
    const refused = await waitFor('audit events of the refusals', () => {
      const found = consumer.allEvents().filter((e) => e.type === 'command.refused');
      return found.length >= cases.length ? found : undefined;
    });
    assert.ok(refused.every((e) => e.severity === 'warning'));
    // the refusals changed nothing and stopped nothing
    const since = Date.now();
    await consumer.waitForReadings('readings after the refusals', (r) => r.device === 'lift-1' && r.ts > since && r.quality === 'good');
  });

  it('a value the point cannot take is refused by the driver and acknowledged as failed', async () => {
    const ack = await consumer.command({ id: 'f-1', device: 'lift-1', point: 'pump2Running', value: 'maybe' });
    assert.equal(ack.ok, false);
    assert.equal((ack.error as { code: string }).code, 'SG_WRITE_REJECTED');
    await waitFor('a command.failed audit event', () => consumer.allEvents().find((e) => e.type === 'command.failed' && (e.data as { id?: string }).id === 'f-1'));
  });

  it('everything on the feed topics still matches the published schema', () => {
    const problems = feedSchemaProblems([...consumer.data, ...consumer.events, ...consumer.status]);
    assert.deepEqual(problems, []);
  });
});
