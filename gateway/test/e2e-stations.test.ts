// Monitoring stations dial in to the gateway, which forwards what they report to the city's broker:
// an HJ 212 air station (its hourly statistics), an HJ 212 water station, and an SL 651 rain and
// water-level station; and a connection that sends nothing but junk costs the others nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatDataTime, parseDataTime } from '@sensegate/driver-hj212/protocol';
import { silentLogger } from '@sensegate/sdk';
import { freePort, waitFor } from '@sensegate/sdk/testing';
import { startHj212Station, type Hj212Station } from '@sensegate/sim-hj212';
import { startSl651Station, type Sl651Station } from '@sensegate/sim-sl651';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';
import { FeedConsumer, feedSchemaProblems } from './support/feed.js';

const GATEWAY = `e2e-stations-${process.pid}`;
const AIR_MN = '44030000000000AIR0000001';
const WATER_MN = '44030000000000WAT0000001';
const SL_ADDRESS = '0012345678';
const ZONE = 'Asia/Shanghai';
const HOUR = 3_600_000;


describe('end to end: monitoring stations to broker', () => {
  let dir: string;
  let broker: TestBroker;
  let consumer: FeedConsumer;
  let gateway: Gateway;
  let air: Hj212Station;
  let water: Hj212Station;
  let rain: Sl651Station;
  let hjPort: number;
  // The air station's clock starts 50 s before a full hour, two hours ago, and runs 20 times
  // faster than real time, so the statistics of the hour that began at `hourStart` arrive after
  // about 3 s (HJ 212 times them by the start of their period).
  const hourStart = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
  const airStart = hourStart + HOUR - 50_000;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-stations-'));
    broker = await testBroker();
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    hjPort = await freePort();
    const slPort = await freePort();
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: air-1
    driver: hj212
    profile: hj212-air-station
    connection: { host: 127.0.0.1, port: ${hjPort}, mn: ${AIR_MN}, password: '123456' }
    points:
      - { id: clock, name: Set the logger clock, command: set-time, writable: true }
  - id: water-1
    driver: hj212
    profile: hj212-water-station
    connection: { host: 127.0.0.1, port: ${hjPort}, mn: ${WATER_MN}, password: '654321' }
  - id: rain-1
    driver: sl651
    profile: sl651-rain-level-station
    connection: { host: 127.0.0.1, port: ${slPort}, address: '${SL_ADDRESS}', password: '1234' }
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    const { config: loaded, drivers } = await loadConfigFile(config);
    gateway = await Gateway.start({ config: loaded, drivers, dataDir: join(dir, 'data'), log: silentLogger });
    air = await startHj212Station({
      port: hjPort,
      mn: AIR_MN,
      kind: 'air',
      password: '123456',
      realtimeInterval: 10_000,
      minuteInterval: 600_000,
      startTime: airStart,
      timeScale: 20,
      flags: { a34002: 'M' },
    });
    water = await startHj212Station({ port: hjPort, mn: WATER_MN, kind: 'water', password: '654321', realtimeInterval: 1000 });
    rain = startSl651Station({ port: slPort, address: SL_ADDRESS, password: '1234', interval: 1000, keepAlive: 0 });
  });

  after(async () => {
    await Promise.all([air?.close(), water?.close(), rain?.stop()]);
    await gateway?.stop();
    await consumer?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('announces a command point as write-only: it carries no data', async () => {
    const birth = (await consumer.waitForStatus('birth')).payload as { devices: Array<{ id: string; points: Array<Record<string, unknown>> }> };
    const points = birth.devices.find((d) => d.id === 'air-1')?.points ?? [];
    const clock = points.find((p) => p.id === 'clock');
    assert.equal(clock?.direction, 'write', JSON.stringify(clock));
    assert.equal(clock?.writable, true);
    assert.equal(points.find((p) => p.id === 'pm25')?.direction, 'read');
  });

  it('delivers the air station\'s hourly statistics with units, flags and the hour\'s start as the time', async () => {
    const [avg] = await consumer.waitForReadings('air-1 pm25.hour.avg', (r) => r.device === 'air-1' && r.point === 'pm25.hour.avg', 1, 30_000);
    assert.equal(avg!.ts, hourStart, `DataTime ${formatDataTime(avg!.ts, ZONE)} is the start of the hour`);
    assert.equal(avg!.unit, 'ug/m3');
    assert.equal(avg!.quality, 'good');
    assert.equal(avg!.status, 'hj212:flag:N');
    assert.ok(avg!.received !== undefined && avg!.received > avg!.ts, 'received later than measured');
    // The hour's average, minimum and maximum agree with the real-time samples of that hour.
    const samples = consumer
      .readings()
      .filter((r) => r.device === 'air-1' && r.point === 'pm25' && r.ts >= hourStart && r.ts < hourStart + HOUR)
      .map((r) => r.value as number);
    assert.ok(samples.length >= 3, `real-time samples of the hour: ${samples.length}`);
    const of = async (point: string) => (await consumer.waitForReadings(`air-1 ${point}`, (r) => r.device === 'air-1' && r.point === point && r.ts === hourStart))[0]!;
    assert.equal((await of('pm25.hour.min')).value, Math.min(...samples));
    assert.equal((await of('pm25.hour.max')).value, Math.max(...samples));
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    assert.ok(Math.abs((avg!.value as number) - mean) < 0.051, `average ${avg!.value} of samples averaging ${mean}`);
    // PM10 is flagged M (maintenance) by the station: uncertain, with the flag kept.
    const pm10 = await of('pm10.hour.avg');
    assert.deepEqual([pm10.quality, pm10.status, pm10.unit], ['uncertain', 'hj212:flag:M', 'ug/m3']);
    // CO is in mg/m3, the wind direction in degrees.
    assert.equal((await of('co.hour.avg')).unit, 'mg/m3');
  });

  it('delivers the water station\'s real-time values with their units, timed by DataTime', async () => {
    const units: Record<string, string> = { ph: 'pH', dissolvedOxygen: 'mg/L', cod: 'mg/L', nh3n: 'mg/L', conductivity: 'uS/cm', waterTemperature: 'degC' };
    for (const [point, unit] of Object.entries(units)) {
      const [r] = await consumer.waitForReadings(`water-1 ${point}`, (r) => r.device === 'water-1' && r.point === point);
      assert.equal(r!.unit, unit, point);
      assert.equal(typeof r!.value, 'number', point);
      assert.equal(r!.ts % 1000, 0, 'DataTime has whole seconds');
      assert.equal(formatDataTime(r!.ts, ZONE), formatDataTime(parseDataTime(formatDataTime(r!.ts, ZONE), ZONE), ZONE));
    }
  });

  it('delivers the SL 651 station\'s water level and rainfall with the observation time', async () => {
    const [level] = await consumer.waitForReadings('rain-1 waterLevel', (r) => r.device === 'rain-1' && r.point === 'waterLevel');
    assert.equal(level!.unit, 'm');
    assert.equal(level!.quality, 'good');
    assert.ok(Math.abs((level!.value as number) - rain.value('waterLevel')!) < 0.5);
    // SL 651 observation times have whole minutes.
    assert.equal(level!.ts % 60_000, 0);
    const [total] = await consumer.waitForReadings('rain-1 rainTotal', (r) => r.device === 'rain-1' && r.point === 'rainTotal');
    assert.equal(total!.unit, 'mm');
  });

  it('a connection that sends only junk costs the other stations nothing', async () => {
    const before = water.stats().realtimeSent;
    const junk = connect({ host: '127.0.0.1', port: hjPort });
    junk.on('error', () => {});
    const fuzz = setInterval(() => {
      const bytes = Buffer.alloc(200 + Math.floor(Math.random() * 800));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
      // Now and then something that looks like a frame start, with a lying length.
      if (Math.random() < 0.3) bytes.write('##9999QN=', 0, 'latin1');
      if (!junk.destroyed) junk.write(bytes);
    }, 20);
    await waitFor('5 more real-time packets from the water station', () => water.stats().realtimeSent >= before + 5, { timeout: 20_000 });
    clearInterval(fuzz);
    junk.destroy();
    // The junk is counted in the gateway's metrics, under the driver that saw it.
    const malformed = gateway.metrics.snapshot().sensegate_listener_frames_malformed_total ?? [];
    assert.ok(malformed.some((series) => series.labels.driver === 'hj212' && series.value > 0), JSON.stringify(malformed));
    const sentUpTo = water.stats().realtimeSent;
    // Every real-time packet the water station sent reaches the broker: one pH reading each.
    await waitFor('every water packet on the broker', () => consumer.readings().filter((r) => r.device === 'water-1' && r.point === 'ph').length >= sentUpTo, {
      timeout: 20_000,
    });
    const seqs = consumer.seqs();
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i), 'no gap in the feed');
    assert.deepEqual(feedSchemaProblems([...consumer.data, ...consumer.events, ...consumer.status]), []);
  });
});
