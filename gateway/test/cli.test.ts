// The `sensegate` command as a field engineer uses it: the demo with `tail` watching it, `plan`,
// `schema`, and usage errors.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { probeVideo, waitFor } from '@sensegate/sdk/testing';
import { startCli } from './support/cli.js';
import { FeedConsumer } from './support/feed.js';

describe('sensegate command', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('demo runs a simulated site that `tail --json` can watch, with edge averages, the AQI, an alarm and a relayed camera', async (t) => {
    const demo = startCli(['demo', '--data', join(dir, 'demo'), '--mqtt-port', '0', '--duration', '150']);
    t.after(() => demo.stop()); // also when an assertion fails first
    const [, url] = await demo.waitForOutput(/forwarding to (mqtt:\/\/127\.0\.0\.1:\d+)/, 30_000);
    const feed = await FeedConsumer.connect(url!, 'demo-gw');
    await demo.waitForOutput(/npx sensegate tail --mqtt/);
    const tail = startCli(['tail', '--mqtt', url!, '--json', '--count', '400']);
    assert.equal(await tail.exited, 0, tail.stderr());
    const lines = tail.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 400);
    for (const r of lines) {
      assert.equal(r.gateway, 'demo-gw');
      assert.equal(typeof r.seq, 'number');
      // HJ 212 readings carry the station's data flag as their status.
      assert.equal(r.quality, 'good', JSON.stringify(r));
    }
    // Every kind of device of the site is in the feed: Modbus devices and the stations that dial in.
    const devices = new Set(lines.map((r) => r.device));
    for (const id of ['sonde-1', 'pump-1', 'air-1', 'water-1', 'rain-1']) assert.ok(devices.has(id), `${id} in ${[...devices].join()}`);
    const unit = (device: string, point: string) => lines.find((r) => r.device === device && r.point === point)?.unit;
    assert.equal(unit('sonde-1', 'ph'), 'pH');
    assert.equal(unit('air-1', 'pm25'), 'ug/m3');
    assert.equal(unit('water-1', 'cod'), 'mg/L');
    assert.equal(unit('rain-1', 'waterLevel'), 'm');

    // The gateway condenses the air station at the edge: 1-minute averages timed at the minute's
    // end, the AQI computed from them, and the PM10 alarm (the simulated PM10 starts above 50).
    const air = (point: string) => (r: { device: string; point: string }) => r.device === 'air-1' && r.point === point;
    const [avg] = await feed.waitForReadings('a 1-minute PM2.5 average', air('pm25.1m'), 1, 90_000);
    assert.equal(avg!.ts % 60_000, 0);
    assert.equal(avg!.start, avg!.ts - 60_000);
    assert.ok(avg!.count! >= 1 && avg!.count! <= 12, `5 s samples in a minute: ${avg!.count}`);
    const [aqi] = await feed.waitForReadings('the AQI', air('aqi'), 1, 30_000);
    assert.equal(typeof aqi!.value, 'number');
    await feed.waitForReadings('the primary pollutant', air('aqi.primary'), 1, 30_000);
    const alarm = await waitFor('the PM10 alarm', () => feed.events.flatMap((m) => m.payload.events ?? []).find((e) => e.type === 'alarm.raise' && e.point === 'pm10'), { timeout: 60_000 });
    assert.equal(alarm.device, 'air-1');

    // The camera (CI installs ffmpeg): online as a reading, and its stream at the printed HTTP-FLV URL.
    // (`online` is repeated at every check, every 10 s in the demo, so a late subscriber sees it too.)
    await feed.waitForReadings('the camera online', (r) => r.device === 'gate-cam' && r.point === 'online' && r.value === true, 1, 45_000);
    const [, flv] = await demo.waitForOutput(/relayed by the gateway: (http:\/\/127\.0\.0\.1:\d+\/gate-cam\/main\.flv)/);
    const probe = await probeVideo(flv!, { timeout: 30_000 });
    assert.deepEqual(probe.stream, { codec_name: 'h264', width: 640, height: 360 }, probe.stderr);
    await feed.close();
    assert.equal(await demo.stop(), 0, demo.stderr());
    assert.match(demo.stdout(), /status: \d+ entries journaled; platform connected.*; alarms: air-1\/pm10 high/);
  });

  it('plan prints each device\'s requests without connecting to it', async () => {
    const config = join(dir, 'plan.yaml');
    await writeFile(
      config,
      `gateway: { id: plan-test }
devices:
  - id: pump-1
    driver: modbus
    profile: pump-station
    connection: { host: 192.0.2.1, port: 502, unitId: 3 }
`,
    );
    const plan = startCli(['plan', '--config', config]);
    assert.equal(await plan.exited, 0, plan.stderr());
    assert.match(plan.stdout(), /device pump-1 \(modbus\): 13 point\(s\) in 4 request\(s\) per cycle/);
    assert.match(plan.stdout(), /unit 3 FC4 input 0\.\.16 \(17 registers\): pump1Speed/);
  });

  it('schema prints the configuration\'s JSON Schema', async () => {
    const schema = startCli(['schema']);
    assert.equal(await schema.exited, 0);
    const json = JSON.parse(schema.stdout()) as { $schema: string; properties: Record<string, unknown> };
    assert.match(json.$schema, /2020-12/);
    assert.deepEqual(Object.keys(json.properties).sort(), ['api', 'commands', 'devices', 'gateway', 'journal', 'log', 'sinks', 'video']);
  });

  it('run stays up until SIGTERM even with nothing configured yet, then exits 0', async () => {
    const config = join(dir, 'empty.yaml');
    await writeFile(config, 'gateway: { id: empty-site }\n');
    const run = startCli(['run', '--config', config, '--data', join(dir, 'empty-data'), '--log-format', 'json']);
    await run.waitForOutput(/gateway empty-site started/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(run.child.exitCode, null, 'still running');
    assert.equal(await run.stop(), 0, run.stderr());
    assert.match(run.stdout() + run.stderr(), /gateway empty-site stopped/);
  });

  it('refuses unknown commands and options with a usage error (exit 2)', async () => {
    const unknown = startCli(['fly']);
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.stderr(), /unknown command "fly"/);
    const option = startCli(['run', '--confg', 'x.yaml']);
    assert.equal(await option.exited, 2);
    assert.match(option.stderr(), /sensegate run: .*--confg/);
  });
});
