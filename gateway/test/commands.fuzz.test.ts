// Fuzzing the commands topic: random, mutated and malicious requests into a running gateway through
// a real broker, while it polls a real Modbus device. Whatever arrives, the process stays up, its
// memory and event loop stay within bounds, every request that names an id is answered, the
// device is written only by requests that are allowed and valid, and the log stays readable.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import type { ModbusSimulator } from '@sensegate/sim-modbus';
import type { Logger } from '@sensegate/sdk';
import { fuzzBudget, fuzzFor, mutate, watchProcess, waitFor, type FuzzRandom } from '@sensegate/sdk/testing';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';
import type { FeedConsumer } from './support/feed.js';
import { pumpStation, type PumpStation } from './support/pump-station.js';

const GATEWAY = `fuzz-commands-${process.pid}`;

/** A logger that counts lines and keeps the last few, to bound what an attacker can make it write. */
function countingLogger(): Logger & { count: number; recent: string[] } {
  const state = { count: 0, recent: [] as string[] };
  const at = () => (a: unknown, b?: string) => {
    state.count++;
    state.recent.push(typeof a === 'string' ? a : (b ?? ''));
    if (state.recent.length > 50) state.recent.shift();
  };
  const log = Object.assign(state, { trace: () => {}, debug: () => {}, info: at(), warn: at(), error: at(), child: () => log }) as Logger & typeof state;
  return log;
}

const VALID: ReadonlyArray<Record<string, unknown>> = [
  { id: 'w', device: 'lift-1', point: 'speedSetpoint', value: 12.5 },
  { id: 'c', device: 'lift-1', command: 'reboot', args: { now: true } },
  { id: 'r', device: 'lift-1', point: 'pump1Fault', value: true },
  { id: 't', device: 'lift-1', point: 'speedSetpoint', value: 1, ts: Date.now(), expires: Date.now() + 60_000, timeout: 500 },
];

/** One request a hostile or broken platform might send. */
function request(random: FuzzRandom, index: number): string | Buffer {
  const id = `f-${index}`;
  switch (random.int(9)) {
    case 0:
      return random.bytes(random.int(512));
    case 1: // a valid request, damaged
      return mutate(random, Buffer.from(JSON.stringify({ ...random.pick(VALID), id })), 8192);
    case 2: // nested deeper than any parser should follow
      return `{"id":"${id}","device":"lift-1","point":"speedSetpoint","value":${'['.repeat(2000 + random.int(20_000))}1${']'.repeat(2000)}`;
    case 3: // prototype keys and odd types where strings belong
      return JSON.stringify({ id, device: 'lift-1', command: random.pick(['__proto__', 'constructor', 'toString']), args: JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}') });
    case 4: // wrong types everywhere
      return JSON.stringify({ id: random.pick([1, null, [], {}, true, id]), device: random.pick([1, 'lift-1', '../../etc', '']), point: random.pick([{}, 'speedSetpoint', 'x'.repeat(300)]), value: random.pick([NaN, 'x', [], { a: 1 }, 1e308]) });
    case 5: // large arguments, under the size bound
      return JSON.stringify({ id, device: 'lift-1', command: 'reboot', args: { blob: random.text(1000 + random.int(30_000)) } });
    case 6: // over the size bound
      return Buffer.alloc(64 * 1024 + 1 + random.int(4096), 0x20);
    case 7: // control characters and escapes in every text field
      return JSON.stringify({ id: `${id}\n\u001b[2J\u2028`, device: 'lift-1\r\nERROR forged', command: 'x\u0000y', args: {} });
    default: // the same id again and again
      return JSON.stringify({ id: 'again', device: 'lift-1', point: 'speedSetpoint', value: 12.5 });
  }
}

describe('fuzzing the commands topic', () => {
  let station: PumpStation;
  let broker: TestBroker;
  let sim: ModbusSimulator;
  let gateway: Gateway;
  let consumer: FeedConsumer;
  let log: ReturnType<typeof countingLogger>;

  before(async () => {
    broker = await testBroker();
    station = await pumpStation({ gateway: GATEWAY, brokerUrl: broker.url, pollInterval: '200ms', commands: `  allow: [lift-1/speedSetpoint, 'lift-1:*']\n  rate: 200` });
    ({ sim, consumer } = station);
    const { config, drivers } = await loadConfigFile(station.config);
    log = countingLogger();
    gateway = await Gateway.start({ config, drivers, dataDir: join(station.dir, 'data'), log });
    await consumer.waitForReadings('first readings', (r) => r.device === 'lift-1' && r.quality === 'good');
  });

  after(async () => {
    await gateway?.stop();
    await station?.close();
    await broker?.close();
  });

  it('survives whatever arrives on the commands topic, within bounds', async () => {
    const publisher = await mqtt.connectAsync(broker.url, { clientId: `fuzz-publisher-${process.pid}` });
    const budget = fuzzBudget(3);
    const watch = watchProcess();
    const linesBefore = log.count;
    const started = Date.now();
    const rounds = await fuzzFor(budget, async (random, index) => {
      await publisher.publishAsync(`sensegate/v1/${GATEWAY}/commands`, request(random, index), { qos: 1 });
      if (index % 50 === 49) await new Promise((r) => setTimeout(r, 5)); // let the gateway breathe, as a broker would
    });
    const elapsedMinutes = (Date.now() - started) / 60_000;
    await publisher.endAsync();
    const seen = watch.stop();

    // Still polling and still taking good commands.
    const since = Date.now();
    await consumer.waitForReadings('readings after the fuzzing', (r) => r.device === 'lift-1' && r.ts > since && r.quality === 'good');
    const ack = await waitFor('room for a good command after the flood', async () => {
      const answer = await consumer.command({ id: `good-${Date.now()}`, device: 'lift-1', point: 'speedSetpoint', value: 42 });
      return answer.ok === true ? answer : undefined;
    }, { timeout: 20_000 });
    assert.equal(ack.ok, true);
    assert.equal(sim.value(1, 'speedSetpoint'), 42);

    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
    assert.ok(rounds > 50, `only ${rounds} requests sent`);
    assert.ok(seen.maxStallMs < 1000, `the event loop stalled ${Math.round(seen.maxStallMs)} ms`);
    assert.ok(seen.peakRssBytes - seen.startRssBytes < 300 * 1024 * 1024, `memory grew by ${Math.round((seen.peakRssBytes - seen.startRssBytes) / 1048576)} MB`);
    // At most 20 lines per kind (done, refused, failed) and minute, and a summary, whatever the flood.
    const lines = log.count - linesBefore;
    const allowed = (Math.ceil(elapsedMinutes) + 1) * 64;
    assert.ok(lines <= allowed, `${lines} log lines from ${rounds} requests in ${Math.round(elapsedMinutes * 60)} s; last: ${log.recent.slice(-3).join(' | ')}`);
    for (const line of log.recent) assert.ok(!/[\n\r\u001b\u2028]/.test(line), `a log message with a raw control character: ${JSON.stringify(line)}`);
  });
});
