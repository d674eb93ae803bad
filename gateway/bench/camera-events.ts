/**
 * Camera events end to end: the time from a camera's motion to the stored snapshot and to the event,
 * with its snapshot reference, on the broker. Simulated cameras (640x360, 10 fps), the gateway in
 * this process (ONVIF driver, snapshots, journal with `sync: full`, MQTT sink), Mosquitto, and a
 * subscriber timing arrivals.
 *
 * Raw limit, in the same run: a bare ONVIF driver instance against the same cameras, timing the
 * same motion to the driver's event (pull-point delivery alone: no snapshot, no journal, no broker).
 * The difference is what the gateway adds: the picture, the commit and the delivery.
 *
 * Usage: node --import tsx --conditions=source gateway/bench/camera-events.ts [--cameras N] [--events N]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import onvif from '@sensegate/driver-onvif';
import { silentLogger, type DeviceEvent } from '@sensegate/sdk';
import { createTestContext, testDevice } from '@sensegate/sdk/testing';
import { startOnvifSimulator } from '@sensegate/sim-onvif';
import { loadConfigFile } from '../src/config/load.js';
import { Gateway } from '../src/runtime/gateway.js';
import { brokerUrl, sleep } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CAMERAS = arg('--cameras', 4);
const EVENTS = arg('--events', 20);
const GATEWAY = `bench-camera-${process.pid}`;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
const summary = (values: number[]) => `median ${quantile(values, 0.5).toFixed(0)} ms, p95 ${quantile(values, 0.95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms (${values.length} events)`;

const children: ChildProcess[] = [];
const url = await brokerUrl(children);
const dir = await mkdtemp(join(tmpdir(), 'sensegate-bench-camera-'));
const ids = Array.from({ length: CAMERAS }, (_, i) => `cam${i + 1}`);
const sim = await startOnvifSimulator({
  cameras: ids.map((id) => ({ id, width: 640, height: 360, fps: 10 })),
  discovery: { multicast: false, unicastPort: 0 },
});

/** Motion on every camera at once, EVENTS times, and when each started; `arrived` resolves per event. */
async function drive(arrived: (camera: string, since: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < Math.ceil(EVENTS / CAMERAS); round++) {
    const since = Date.now();
    await Promise.all(ids.map((id) => {
      sim.motion(id, true);
      return arrived(id, since);
    }));
    for (const id of ids) sim.motion(id, false);
    await sleep(1500); // let the motion end before the next start
  }
}

try {
  // 1. Raw limit: the driver alone.
  const context = createTestContext({ driver: 'onvif' });
  const instance = onvif.create(context);
  for (const [i, id] of ids.entries()) {
    const device = testDevice(onvif, {
      id,
      timeout: 5000,
      points: [{ id: 'online' }],
      connection: { url: sim.cameras[i]!.deviceServiceUrl, user: sim.credentials.user, password: sim.credentials.password },
    });
    await instance.addDevice(device);
    await instance.startDevice!(device);
  }
  const waitEvent = async (events: DeviceEvent[], camera: string, since: number, timeout = 20_000) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = events.find((e) => e.device === camera && e.type === 'camera.motion' && (e.data as { state?: boolean }).state === true && (e as { seen?: number }).seen! >= since);
      if (found) return (found as { seen?: number }).seen!;
      if (Date.now() > deadline) throw new Error(`no motion event from ${camera}`);
      await sleep(2);
    }
  };
  const seenEvents: DeviceEvent[] = [];
  const original = context.event.bind(context);
  context.event = (e) => {
    seenEvents.push(Object.assign(e, { seen: Date.now() }));
    original(e);
  };
  await sleep(3000); // subscriptions up
  const raw: number[] = [];
  await drive(async (camera, since) => {
    raw.push((await waitEvent(seenEvents, camera, since)) - since);
  });
  await instance.stop();

  // 2. The gateway.
  const config = join(dir, 'site.yaml');
  await writeFile(
    config,
    `gateway: { id: ${GATEWAY} }
journal: { sync: full }
devices:
${ids
  .map(
    (id, i) => `  - id: ${id}
    driver: onvif
    profile: camera
    timeout: 5s
    connection: { url: '${sim.cameras[i]!.deviceServiceUrl}', user: ${sim.credentials.user}, password: ${sim.credentials.password} }`,
  )
  .join('\n')}
video:
  snapshots: { on: [camera.motion] }
sinks:
  - type: mqtt
    url: ${url}
`,
  );
  const { config: loaded, drivers } = await loadConfigFile(config);
  const gateway = await Gateway.start({ config: loaded, drivers, dataDir: join(dir, 'data'), log: silentLogger });
  const client = await mqtt.connectAsync(url, { clean: true });
  const arrivals: Array<{ device: string; at: number; snapshotTs?: number; error?: unknown }> = [];
  client.on('message', (_topic, payload) => {
    const at = Date.now();
    for (const e of (JSON.parse(payload.toString()) as { events: Array<DeviceEvent> }).events) {
      const data = e.data as { state?: boolean; snapshot?: { ts: number }; snapshotError?: unknown };
      if (e.type === 'camera.motion' && data.state === true) arrivals.push({ device: e.device!, at, ...(data.snapshot ? { snapshotTs: data.snapshot.ts } : {}), ...(data.snapshotError ? { error: data.snapshotError } : {}) });
    }
  });
  await client.subscribeAsync(`sensegate/v1/${GATEWAY}/events`, { qos: 1 });
  await sleep(4000); // cameras online, subscriptions up
  const toBroker: number[] = [];
  const toSnapshot: number[] = [];
  let failed = 0;
  await drive(async (camera, since) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const a = arrivals.find((x) => x.device === camera && x.at >= since);
      if (a) {
        toBroker.push(a.at - since);
        if (a.snapshotTs !== undefined) toSnapshot.push(a.snapshotTs - since);
        else failed++;
        return;
      }
      if (Date.now() > deadline) throw new Error(`no motion event from ${camera} on the broker`);
      await sleep(2);
    }
  });
  await client.endAsync();
  await gateway.stop();

  console.log(`${CAMERAS} cameras (640x360, 10 fps), motion on all of them at once, ${EVENTS} events in all`);
  console.log(`raw limit, motion -> the driver's event (pull-point only): ${summary(raw)}`);
  console.log(`gateway, motion -> snapshot stored:                      ${summary(toSnapshot)}${failed ? `; ${failed} without a snapshot` : ''}`);
  console.log(`gateway, motion -> event with its snapshot on the broker: ${summary(toBroker)}`);
  console.log(`ratio to the raw limit (medians): ${(quantile(toBroker, 0.5) / quantile(raw, 0.5)).toFixed(2)}x`);
} finally {
  await sim.close();
  for (const c of children) c.kill();
  await rm(dir, { recursive: true, force: true });
}
