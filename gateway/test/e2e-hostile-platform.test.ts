// A platform that is compromised or misconfigured, as the gateway sees it on its commands topic:
// a request just under the broker's packet limit, the same request again and again, a retained
// request, stale and expired requests, and ids and names built to forge log lines. The gateway runs
// as a user runs it (the built CLI, text logs) against a private Mosquitto with `max_packet_size`.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import type { ModbusSimulator } from '@sensegate/sim-modbus';
import { waitFor } from '@sensegate/sdk/testing';
import { findMosquitto, privateMosquitto, type StoppableBroker } from './support/broker.js';
import { startCli, type CliProcess } from './support/cli.js';
import { feedSchemaProblems, type FeedConsumer } from './support/feed.js';
import { pumpStation, type PumpStation } from './support/pump-station.js';

const skip = findMosquitto() ? false : 'Mosquitto is not installed (apt-get install mosquitto)';
const GATEWAY = `e2e-hostile-${process.pid}`;
const BROKER_LIMIT = 65_536;

describe('end to end: a hostile or careless platform', { skip }, () => {
  let station: PumpStation;
  let sim: ModbusSimulator;
  let broker: StoppableBroker;
  let consumer: FeedConsumer;
  let gateway: CliProcess;

  const lossesOfConnection = () => (gateway.stderr().match(/sink mqtt: connection to .* lost/g) ?? []).length;

  before(async () => {
    broker = (await privateMosquitto(`listener {port} 127.0.0.1\nallow_anonymous true\nmax_packet_size ${BROKER_LIMIT}\n`))!;
    // A retained request waits on the broker before the gateway ever starts: every start would see it.
    const publisher = await mqtt.connectAsync(broker.url);
    await publisher.publishAsync(
      `sensegate/v1/${GATEWAY}/commands`,
      JSON.stringify({ id: 'retained-1', device: 'lift-1', point: 'speedSetpoint', value: 33 }),
      { qos: 1, retain: true },
    );
    await publisher.endAsync();
    station = await pumpStation({
      gateway: GATEWAY,
      brokerUrl: broker.url,
      commands: `  allow: [lift-1/speedSetpoint, 'lift-1:*']\n  maxAge: 1m`,
      sink: `    reconnect: { initialDelay: 200ms, maxDelay: 1s }\n`,
    });
    ({ sim, consumer } = station);
    gateway = startCli(['run', '--config', station.config, '--data', join(station.dir, 'data'), '--log-format', 'text']);
    await consumer.waitForReadings('first readings', (r) => r.device === 'lift-1' && r.quality === 'good');
  });

  after(async () => {
    await gateway?.stop();
    const publisher = await mqtt.connectAsync(broker.url).catch(() => undefined);
    await publisher?.publishAsync(`sensegate/v1/${GATEWAY}/commands`, '', { qos: 1, retain: true });
    await publisher?.endAsync();
    await station?.close();
    await broker?.close();
  });

  it('never runs a retained request, and says why', async () => {
    const ack = await waitFor('the retained request\'s acknowledgement', () => consumer.acks.find((a) => a.payload.id === 'retained-1'));
    assert.equal(ack.payload.ok, false);
    assert.match(String((ack.payload.error as { message: string }).message), /retained request is never run/);
    assert.notEqual(sim.value(1, 'speedSetpoint'), 33);
    const audit = await waitFor('its audit', () => consumer.allEvents().find((e) => (e.data as { id?: string }).id === 'retained-1'));
    assert.equal(audit.type, 'command.refused');
    assert.equal((audit.data as { retained?: boolean }).retained, true);
  });

  it('a request just under the broker\'s packet limit is refused and audited in a few hundred bytes, and the feed goes on', async () => {
    const blob = 'A'.repeat(BROKER_LIMIT - 400);
    const request = { id: 'big-1', device: 'lift-1', command: 'reboot', args: { blob } };
    const ack = await consumer.command(request);
    assert.equal(ack.ok, false);
    const audit = await waitFor('the audit of the big request', () => consumer.allEvents().find((e) => (e.data as { id?: string }).id === 'big-1'));
    const data = audit.data as Record<string, unknown>;
    assert.equal(data.args, undefined, 'the arguments are not carried whole');
    assert.equal(data.argsBytes, JSON.stringify({ blob }).length);
    assert.equal(data.argsSha256, createHash('sha256').update(JSON.stringify({ blob })).digest('hex'));
    assert.ok(String(data.argsExcerpt).length < 300);
    assert.ok(JSON.stringify(audit).length < 2048, `audit event of ${JSON.stringify(audit).length} bytes`);
    // Data keeps arriving after the command, on the same connection.
    const since = Date.now();
    await consumer.waitForReadings('readings after the big request', (r) => r.device === 'lift-1' && r.ts > since + 1000, 1, 20_000);
    assert.equal(lossesOfConnection(), 0, gateway.stderr());
  });

  it('the same id sent three times runs once; the other two get the first answer again', async () => {
    const request = { id: 'dup-1', device: 'lift-1', point: 'speedSetpoint', value: 41 };
    const first = await consumer.command(request);
    assert.equal(first.ok, true, JSON.stringify(first));
    assert.equal(sim.value(1, 'speedSetpoint'), 41);
    sim.set(1, 'speedSetpoint', 12); // a person changed it at the panel meanwhile
    const second = await consumer.command(request);
    const third = await consumer.command(request);
    assert.equal(sim.value(1, 'speedSetpoint'), 12, 'the replayed request did not write the PLC again');
    for (const again of [second, third]) {
      assert.equal(again.duplicate, true);
      assert.equal(again.ok, true);
      assert.equal(again.ts, first.ts, 'the first answer, again');
    }
    const audits = consumer.allEvents().filter((e) => (e.data as { id?: string }).id === 'dup-1');
    assert.equal(audits.length, 1, 'audited once: it ran once');
  });

  it('refuses expired and stale requests without touching the device', async () => {
    const before = sim.value(1, 'speedSetpoint');
    const expired = await consumer.command({ id: 'exp-1', device: 'lift-1', point: 'speedSetpoint', value: 77, expires: Date.now() - 1000 });
    assert.equal(expired.ok, false);
    assert.match(String((expired.error as { message: string }).message), /expired/);
    const stale = await consumer.command({ id: 'old-1', device: 'lift-1', point: 'speedSetpoint', value: 78, ts: Date.now() - 5 * 60_000 });
    assert.equal(stale.ok, false);
    assert.match(String((stale.error as { message: string }).message), /more than commands\.maxAge \(60000 ms\)/);
    assert.equal(sim.value(1, 'speedSetpoint'), before);
    const fresh = await consumer.command({ id: 'new-1', device: 'lift-1', point: 'speedSetpoint', value: 79, ts: Date.now(), expires: Date.now() + 60_000 });
    assert.equal(fresh.ok, true, JSON.stringify(fresh));
  });

  it('ids and names from the platform cannot forge log lines', async () => {
    const forged = '12:00:00.000 ERROR  forged by the platform';
    await consumer.command({ id: `x\n${forged}`, device: 'lift-1', command: `reboot\r\n${forged}\u001b[2J` });
    await consumer.command(`{"id":"y\\u2028${forged}","device":"lift-1","point":"nope\\n${forged}","value":1}`);
    await waitFor('both refusals in the log', () => (gateway.stderr().match(/refused/g) ?? []).length >= 2);
    const lines = gateway.stderr().split('\n').filter(Boolean);
    for (const line of lines) assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /, `a line that is not the gateway's own: ${JSON.stringify(line)}`);
    assert.ok(!gateway.stderr().includes('\u001b'), 'no terminal escape reaches the terminal');
  });

  it('publishes only what the feed schema allows, throughout', () => {
    assert.deepEqual(feedSchemaProblems([...consumer.data, ...consumer.events, ...consumer.status]), []);
  });
});
