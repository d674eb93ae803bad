// The edge pipeline end to end: an HJ 212 air station sends real-time data every second (of its
// own clock, which runs 20 times faster than real time so minutes pass in seconds). The gateway
// condenses PM2.5 into 1-minute averages, computes the air quality index from the six pollutants'
// averages, and raises and clears an alarm when the station reports an excursion. The test
// watches the broker, as a platform would.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger, type Reading } from '@sensegate/sdk';
import { freePort, waitFor } from '@sensegate/sdk/testing';
import { startHj212Station, type Hj212Station } from '@sensegate/sim-hj212';
import { loadConfigFile } from '../src/config/load.js';
import { hourlyAqi } from '../src/pipeline/aqi.js';
import { Gateway } from '../src/runtime/gateway.js';
import { testBroker, type TestBroker } from './support/broker.js';
import { FeedConsumer, feedSchemaProblems } from './support/feed.js';

const GATEWAY = `e2e-pipeline-${process.pid}`;
const MN = '44030000000000PIPE000001';
const MINUTE = 60_000;
const POLLUTANTS = ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3'] as const;

describe('end to end: edge pipeline', () => {
  let dir: string;
  let broker: TestBroker;
  let consumer: FeedConsumer;
  let gateway: Gateway;
  let station: Hj212Station;
  // The station's clock starts 40 s before a whole minute, an hour ago.
  const start = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE - 40_000;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-e2e-pipeline-'));
    broker = await testBroker();
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    const port = await freePort();
    const minuteAverage = (p: string) => `      - id: ${p}.1m
        from: ${p}
        decimals: 2
        pipeline: [ { window: { size: 1m, function: avg } } ]`;
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: air-1
    driver: hj212
    profile: hj212-air-station
    connection: { host: 127.0.0.1, port: ${port}, mn: ${MN}, password: '123456' }
    derived:
${POLLUTANTS.filter((p) => p !== 'pm25').map(minuteAverage).join('\n')}
      - id: pm25.1m
        name: PM2.5, 1-minute average
        from: pm25
        unit: ug/m3
        decimals: 2
        pipeline:
          - range: { min: 0, max: 1000 }
          - window: { size: 1m, function: avg }
          - alarm: { above: 150, hysteresis: 30, severity: critical }
      - id: aqi
        name: Air quality index from the 1-minute averages
        aqi: { pm25: pm25.1m, pm10: pm10.1m, so2: so2.1m, no2: no2.1m, co: co.1m, o3: o3.1m }
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    const { config: loaded, drivers } = await loadConfigFile(config);
    gateway = await Gateway.start({ config: loaded, drivers, dataDir: join(dir, 'data'), log: silentLogger });
    station = await startHj212Station({ port, mn: MN, kind: 'air', password: '123456', realtimeInterval: 1000, minuteInterval: MINUTE, hourly: false, startTime: start, timeScale: 20 });
  });

  after(async () => {
    await station?.close();
    await gateway?.stop();
    await consumer?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const of = (point: string) => (r: Reading) => r.device === 'air-1' && r.point === point;

  it('condenses 1 s samples into 1-minute averages timed at the minute\'s end, with their counts', async () => {
    // The first minute the gateway sees is partial; the three after it are whole.
    const averages = await consumer.waitForReadings('four 1-minute PM2.5 averages', of('pm25.1m'), 4, 60_000);
    const raw = consumer.readings().filter(of('pm25'));
    for (const avg of averages.slice(1, 4)) {
      assert.equal(avg.ts % MINUTE, 0, 'ts is a whole minute');
      assert.equal(avg.start, avg.ts - MINUTE, 'start is the minute before ts');
      const samples = raw.filter((r) => r.ts >= avg.start! && r.ts < avg.ts).map((r) => r.value as number);
      assert.equal(avg.count, samples.length, 'count is the number of samples of the minute');
      assert.ok(samples.length >= 55 && samples.length <= 60, `about 60 samples of 1 s in a minute, got ${samples.length}`);
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      assert.equal(avg.value, Math.round(mean * 100) / 100, 'the average of the minute\'s samples');
      assert.equal(avg.unit, 'ug/m3');
      assert.equal(avg.quality, 'good');
      // The station's own minute statistics (HJ 212 CN 2051, stamped with the minute's start) agree.
      const [own] = await consumer.waitForReadings('the station\'s own minute average', (r) => of('pm25.minute.avg')(r) && r.ts === avg.start, 1, 30_000);
      assert.ok(Math.abs((own!.value as number) - (avg.value as number)) <= 0.51, `station ${own!.value}, gateway ${avg.value}`);
    }
    // The windows' counts are in the metrics: samples in, averages out, the rest held in windows.
    const metric = (name: string) => gateway.metrics.get(name)?.value({ device: 'air-1', step: 'window' }) ?? 0;
    const [taken, passed, held] = ['in', 'out', 'dropped'].map((k) => metric(`sensegate_pipeline_${k}_total`));
    assert.ok(passed >= 4 * POLLUTANTS.length, `averages out: ${passed}`);
    assert.ok(taken >= 60 * passed * 0.9, `about 60 samples in per average out: ${taken} in, ${passed} out`);
    assert.ok(held > 50 * passed * 0.9, `samples held in windows: ${held}`);
  });

  it('computes the air quality index from the six 1-minute averages, with the primary pollutant', async () => {
    const [aqi] = await consumer.waitForReadings('an AQI from complete minutes', (r) => of('aqi')(r) && r.quality === 'good', 1, 30_000);
    const inputs = Object.fromEntries(
      POLLUTANTS.map((p) => [p, consumer.readings().find((r) => of(`${p}.1m`)(r) && r.ts === aqi!.ts)?.value as number]),
    );
    const expected = hourlyAqi(inputs);
    assert.equal(aqi!.value, expected.aqi, `AQI of ${JSON.stringify(inputs)}`);
    const [primary] = await consumer.waitForReadings('aqi.primary', (r) => of('aqi.primary')(r) && r.ts === aqi!.ts);
    assert.equal(primary!.value, expected.primary.join(','));
    const [level] = await consumer.waitForReadings('aqi.level', (r) => of('aqi.level')(r) && r.ts === aqi!.ts);
    assert.equal(level!.value, expected.level);
  });

  it('raises a critical alarm when PM2.5 averages above 150 and clears it when it falls back', async () => {
    const events = () => consumer.events.flatMap((m) => m.payload.events ?? []) as Array<{ type: string; point?: string; severity: string; data?: Record<string, unknown>; ts: number }>;
    const alarms = () => events().filter((e) => e.point === 'pm25.1m');
    assert.deepEqual(alarms(), [], 'no alarm before the excursion');
    station.setValue('a34004', 400); // the analyser reads 400 ug/m3: a pollution episode
    const [raise] = await waitFor('alarm.raise', () => (alarms().length >= 1 ? alarms() : undefined), { timeout: 30_000 });
    assert.equal(raise!.type, 'alarm.raise');
    assert.equal(raise!.severity, 'critical');
    assert.ok((raise!.data!.value as number) > 150);
    assert.equal(gateway.status().alarms.length, 1, 'the active alarm is in the status');
    station.setValue('a34004', undefined); // back to ordinary values (about 35 ug/m3)
    const all = await waitFor('alarm.clear', () => (alarms().length >= 2 ? alarms() : undefined), { timeout: 30_000 });
    assert.deepEqual(all.map((e) => e.type), ['alarm.raise', 'alarm.clear']);
    assert.ok(all[1]!.ts > raise!.ts);
    assert.equal(gateway.status().alarms.length, 0);
    assert.deepEqual(feedSchemaProblems([...consumer.data, ...consumer.events, ...consumer.status]), []);
  });
});
