/**
 * `sensegate demo`: a whole site on one machine with no setup. Two Modbus simulators (a water-quality
 * sonde and a pump station), an OPC UA water plant (signed and encrypted, with a user login), two
 * HJ 212 monitoring stations (air quality and surface water) and an SL 651 rain and river-level
 * station dialling in, a PTZ camera (ONVIF, with a real H.264 stream the gateway relays, when ffmpeg
 * is installed), an embedded MQTT broker on loopback (unless
 * --mqtt names one), and the gateway reading them all into the journal and the broker. The configuration it runs is written to the
 * data folder, so it can be read, copied and edited.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { addTrustedCertificate, pkiFolder } from '@sensegate/driver-opcua';
import { routeLibraryLogs } from '@sensegate/driver-opcua/client';
import { startHj212Station } from '@sensegate/sim-hj212';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { resolveFfmpeg, isSensegateError } from '@sensegate/sdk';
import { startOnvifSimulator, type OnvifSimulator } from '@sensegate/sim-onvif';
import { PLANT_NAMESPACE, startOpcuaSimulator } from '@sensegate/sim-opcua';
import { startSl651Station } from '@sensegate/sim-sl651';
import { startEmbeddedBroker } from '../broker/embedded.js';
import { loadConfigFile, profilePath } from '../config/load.js';
import { DriverRegistry } from '../drivers/registry.js';
import { createLogger } from '../log.js';
import { Gateway } from '../runtime/gateway.js';
import { parseOptions, positiveInt } from './args.js';
import { untilSignal } from './signals.js';

export const demoHelp = `Usage: sensegate demo [--data DIR] [--mqtt URL] [--mqtt-port N] [--duration SECONDS]

Runs a demo site: Modbus simulators for a water-quality sonde and a pump station, an OPC UA water
plant (SignAndEncrypt, user login), HJ 212 air-quality and surface-water stations, an SL 651 rain and river-level station,
an ONVIF PTZ camera with a real H.264 stream (needs ffmpeg; left out with a notice without it), an embedded MQTT broker on
127.0.0.1 (port 1883, or a free port if 1883 is taken), and the gateway, which relays the camera's stream on
127.0.0.1 (HTTP-FLV port 8000, RTMP 1935, or free ports if taken). Stop with Ctrl-C.

  --data DIR        journal and state (default .sensegate/demo); a restart with the same folder resumes
  --mqtt URL        forward to this broker instead of starting one
  --mqtt-port N     port of the embedded broker (default 1883)
  --duration S      stop by itself after S seconds
  --log-level L     trace, debug, info (default), warn, error`;

const GATEWAY_ID = 'demo-gw';
const AIR_MN = '44030000000000DEMOAIR001';
const WATER_MN = '44030000000000DEMOWAT001';
const SL651_ADDRESS = '0044030001';

/** `wanted` if it is free on loopback, else a free port (0: any). */
async function freePort(wanted = 0): Promise<number> {
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject).listen(port, '127.0.0.1', () => {
        const bound = (server.address() as { port: number }).port;
        server.close(() => resolve(bound));
      });
    });
  return wanted ? listen(wanted).catch(() => listen(0)) : listen(0);
}

interface DemoCamera {
  sim: OnvifSimulator;
  url: string;
  user: string;
  password: string;
  httpPort: number;
  rtmpPort: number;
}

/** The demo's PTZ camera; left out, with the reason, when ffmpeg cannot be found. */
async function startCamera(out: NodeJS.WritableStream): Promise<DemoCamera | undefined> {
  try {
    resolveFfmpeg();
  } catch (err) {
    if (!isSensegateError(err) || err.code !== 'SG_FFMPEG_MISSING') throw err;
    out.write(`the demo camera is left out: ${err.message}\n`);
    return undefined;
  }
  const credentials = { user: 'operator', password: 'demo-camera' };
  const sim = await startOnvifSimulator({
    cameras: [{ id: 'gate-cam', width: 640, height: 360, fps: 10, manufacturer: 'Sensegate', model: 'Demo PTZ camera', serial: 'DEMO-0001', motionEveryMs: 60_000 }],
    credentials,
    discovery: { multicast: false, unicastPort: 0 },
  });
  return { sim, url: sim.cameras[0]!.deviceServiceUrl, ...credentials, httpPort: await freePort(8000), rtmpPort: await freePort(1935) };
}

export async function runDemo(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseOptions('demo', argv, {
    data: { type: 'string' },
    mqtt: { type: 'string' },
    'mqtt-port': { type: 'string' },
    duration: { type: 'string' },
    'log-level': { type: 'string' },
  });
  if (values.help) {
    out.write(demoHelp + '\n');
    return 0;
  }
  const dataDir = join(values.data ?? '.sensegate/demo');
  const duration = positiveInt('demo', 'duration', values.duration);
  const log = createLogger({ level: (values['log-level'] as 'info' | undefined) ?? 'info' });
  routeLibraryLogs(log); // the OPC UA simulator and driver log through ours, not the console
  await mkdir(dataDir, { recursive: true });

  const cleanup: Array<() => Promise<void>> = [];
  try {
    let mqttUrl: string;
    if (values.mqtt) {
      mqttUrl = values.mqtt;
    } else {
      const wanted = positiveInt('demo', 'mqtt-port', values['mqtt-port']) ?? 1883;
      const broker = await startEmbeddedBroker({ port: wanted }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE') throw err;
        out.write(`port ${wanted} is taken (another broker?); the embedded broker takes a free port instead\n`);
        return startEmbeddedBroker({ port: 0 });
      });
      cleanup.unshift(() => broker.close());
      mqttUrl = broker.url;
    }

    const driver = await new DriverRegistry().load('modbus');
    const sims: Record<string, ModbusSimulator> = {};
    for (const [name, profile] of [
      ['sonde', 'water-sonde'],
      ['pump', 'pump-station'],
    ] as const) {
      const sim = await startModbusSimulator({
        port: 0,
        units: [{ unitId: 1, profile: loadProfile(profilePath(profile, driver, dataDir)!) }],
      });
      cleanup.unshift(() => sim.close());
      sims[name] = sim;
    }

    // The water plant's OPC UA server, with its own PKI; the gateway trusts its certificate from the
    // start, as a field engineer would after checking it (sensegate opcua certs).
    const plant = await startOpcuaSimulator({ port: 0, pkiDir: join(dataDir, 'sim-opcua-pki'), trustAllClients: true });
    cleanup.unshift(() => plant.close());
    addTrustedCertificate(pkiFolder(join(dataDir, 'drivers', 'opcua')), await readFile(plant.certificateFile), 'demo-water-plant');

    const camera = await startCamera(out);
    if (camera) cleanup.unshift(() => camera.sim.close());

    // Stations dial in to the gateway, so it listens; the stations start once it does.
    const ports = { sonde: sims.sonde!.port, pump: sims.pump!.port, hj212: await freePort(), sl651: await freePort(), opcua: plant.endpoint };
    const configFile = join(dataDir, 'demo.yaml');
    await writeFile(configFile, demoConfig(mqttUrl, ports, camera));
    const { config, drivers } = await loadConfigFile(configFile);
    const gateway = await Gateway.start({ config, drivers, dataDir, log });
    cleanup.unshift(() => gateway.stop());
    for (const [mn, kind, password] of [
      [AIR_MN, 'air', '123456'],
      [WATER_MN, 'water', '654321'],
    ] as const) {
      const station = await startHj212Station({ port: ports.hj212, mn, kind, password, realtimeInterval: 5000, minuteInterval: 60_000 });
      cleanup.unshift(() => station.close());
    }
    const rain = startSl651Station({ port: ports.sl651, address: SL651_ADDRESS, password: '1234', interval: 5000 });
    cleanup.unshift(() => rain.stop());
    rain.sendTimedReport(); // one at once (sent as soon as it is connected), then every 5 s

    out.write(
      [
        '',
        `sensegate demo is running: gateway "${GATEWAY_ID}", ${camera ? 7 : 6} simulated devices, forwarding to ${mqttUrl}`,
        `  water-quality sonde  modbus tcp 127.0.0.1:${ports.sonde}  (profile water-sonde)`,
        `  pump station         modbus tcp 127.0.0.1:${ports.pump}  (profile pump-station)`,
        `  water plant          OPC UA ${plant.endpoint}  (SignAndEncrypt, user operator; subscribed)`,
        `                       browse it: npx sensegate browse opcua ${plant.endpoint}`,
        `  air-quality station  HJ 212, dials in to 127.0.0.1:${ports.hj212}  (MN ${AIR_MN}; real-time every 5 s, minute averages every minute)`,
        `                       the gateway adds 1-minute averages (pm25.1m, ...), the AQI (aqi, aqi.primary, aqi.level) and a PM10 alarm`,
        `  surface-water station HJ 212, dials in to 127.0.0.1:${ports.hj212}  (MN ${WATER_MN})`,
        `  rain and river level SL 651, dials in to 127.0.0.1:${ports.sl651}  (station ${SL651_ADDRESS}; timed report every 5 s)`,
        ...(camera
          ? [
              `  PTZ camera           ONVIF ${camera.url}  (user ${camera.user}; motion every minute)`,
              `                       its stream, relayed by the gateway: ${gateway.streamUrls('gate-cam')?.flv ?? `http://127.0.0.1:${camera.httpPort}/gate-cam/main.flv`}`,
              `                       play it: ffplay ${gateway.streamUrls('gate-cam')?.flv ?? `http://127.0.0.1:${camera.httpPort}/gate-cam/main.flv`}`,
              `                       find it: npx sensegate discover onvif --range 127.0.0.1 --port ${camera.sim.discoveryPort}`,
              `                       turn it: mosquitto_pub -L '${mqttUrl}/sensegate/v1/${GATEWAY_ID}/commands' -m '{"id":"1","device":"gate-cam","command":"ptz.absolute","args":{"pan":0.5,"tilt":0}}'`,
              `                       snapshots of its motion events: ${join(dataDir, 'snapshots', 'gate-cam')}`,
            ]
          : []),
        `  configuration        ${configFile}`,
        `  journal and state    ${dataDir}`,
        '',
        'Watch the feed in another terminal:',
        `  npx sensegate tail --mqtt ${mqttUrl} --events`,
        `  mosquitto_sub -L '${mqttUrl}/sensegate/v1/#' -v`,
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );

    const summary = setInterval(() => out.write(statusLine(gateway) + '\n'), 10_000);
    cleanup.unshift(async () => clearInterval(summary));
    if (duration !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      // A signal before the duration ends stops the demo at once: the timer must not keep it alive.
      await Promise.race([untilSignal(), new Promise((r) => (timer = setTimeout(r, duration * 1000)))]);
      clearTimeout(timer);
    } else {
      await untilSignal();
    }
    out.write(statusLine(gateway) + '\n');
    return 0;
  } finally {
    for (const step of cleanup) await step().catch(() => {});
  }
}

function statusLine(gateway: Gateway): string {
  const s = gateway.status();
  const devices = s.devices.map((d) => `${d.id} ${d.state}`).join(', ');
  const sinks = s.sinks.map((k) => `${k.name} ${k.connected ? 'connected' : 'DISCONNECTED'} (delivered up to seq ${k.cursor})`).join(', ');
  const alarms = s.alarms.length ? `; alarms: ${s.alarms.map((a) => `${a.device}/${a.point} ${String(a.alarm)}`).join(', ')}` : '';
  const d = s.journal.disk;
  const disk = d.full
    ? `; journal DISK FULL${d.readOnly ? ' (read-only)' : ''}: ${((d.freeBytes ?? 0) / 1048576).toFixed(1)} MiB free, ${(d.reserveBytes / 1048576).toFixed(1)} MiB kept free, entries wait in memory`
    : '';
  return `status: ${s.journal.lastSeq} entries journaled${disk}; ${sinks}; ${devices}${alarms}`;
}

function demoConfig(mqttUrl: string, ports: { sonde: number; pump: number; hj212: number; sl651: number; opcua: string }, camera?: DemoCamera): string {
  const node = (id: string) => `'nsu=${PLANT_NAMESPACE};s=${id}'`;
  return `# Written by \`sensegate demo\`; run it yourself with: sensegate run --config <this file>
gateway:
  id: ${GATEWAY_ID}
  name: Demo site (simulated devices)
  tags:
    site: demo

devices:
  - id: sonde-1
    name: River intake water-quality sonde
    driver: modbus
    profile: water-sonde
    pollInterval: 1s
    timeout: 3s               # generous: the demo shares its machine with whatever else runs there
    connection:
      transport: tcp
      host: 127.0.0.1
      port: ${ports.sonde}
      unitId: 1

  - id: pump-1
    name: Intake pump station
    driver: modbus
    profile: pump-station
    pollInterval: 1s
    timeout: 3s               # generous: the demo shares its machine with whatever else runs there
    connection:
      transport: tcp
      host: 127.0.0.1
      port: ${ports.pump}
      unitId: 1

  # An OPC UA server: the gateway subscribes, so the plant sends each change with its own timestamp.
  # Node ids name the namespace by URI, so they survive a server that renumbers its namespaces.
  - id: plant-1
    name: Water treatment plant (OPC UA)
    driver: opcua
    timeout: 5s
    connection:
      endpoint: ${ports.opcua}
      securityMode: SignAndEncrypt
      securityPolicy: Basic256Sha256
      user: { userName: operator, password: operator }   # demo only: in production write { env: PLANT_PASSWORD }
      publishingInterval: 1s
      samplingInterval: 1s
    points:
      - { id: pump1.running, name: Intake pump 1 running, nodeId: ${node('Pump1.Running')} }
      - { id: pump1.speed, name: Intake pump 1 speed, nodeId: ${node('Pump1.Speed')}, unit: '%', decimals: 1, deadband: { absolute: 0.5 } }
      - { id: pump1.current, name: Intake pump 1 current, nodeId: ${node('Pump1.Current')}, unit: A, decimals: 1 }
      - { id: pump1.setpoint, name: Intake pump 1 speed setpoint, nodeId: ${node('Pump1.SpeedSetpoint')}, unit: '%', writable: true }
      - { id: tank1.level, name: Clear-water tank 1 level, nodeId: ${node('Tank1.Level')}, unit: m, decimals: 3 }
      - { id: intake.flow, name: Intake flow, nodeId: ${node('Intake.Flow')}, unit: m3/h, decimals: 1 }
      - { id: outlet.flow, name: Outlet flow, nodeId: ${node('Outlet.Flow')}, unit: m3/h, decimals: 1 }
      - { id: chlorine, name: Chlorine residual, nodeId: ${node('Chlorine.Residual')}, unit: mg/L, decimals: 2 }
      - { id: turbidity, name: Turbidity, nodeId: ${node('Turbidity')}, unit: NTU, decimals: 2 }
      # Polled instead of subscribed: the server's clock, every 10 s.
      - { id: server.time, name: Server clock, nodeId: 'i=2258', mode: poll, pollInterval: 10s }

  # Monitoring stations dial in: the gateway listens on the port, and knows each station by its MN
  # (HJ 212) or address (SL 651) and password.
  - id: air-1
    name: Ambient air-quality station
    driver: hj212
    profile: hj212-air-station
    connection: { host: 127.0.0.1, port: ${ports.hj212}, mn: ${AIR_MN}, password: '123456' }
    points:
      # The profile's PM10 point, with an alarm added: above 50 ug/m3 (the Grade I 24-hour limit)
      # for 10 s raises it, back to 45 clears it.
      - id: pm10
        name: PM10
        code: a34002
        data: realtime
        unit: ug/m3
        pipeline:
          - alarm: { above: 50, hysteresis: 5, onDelay: 10s, severity: warning }
    # Condensed at the edge: 1-minute averages of the six pollutants from the 5 s real-time data,
    # and the air quality index (HJ 633-2012) computed from them.
    derived:
      - { id: pm25.1m, name: 'PM2.5, 1-minute average', from: pm25, unit: ug/m3, decimals: 1, pipeline: [ { range: { min: 0, max: 1000 } }, { window: { size: 1m } } ] }
      - { id: pm10.1m, name: 'PM10, 1-minute average', from: pm10, unit: ug/m3, decimals: 1, pipeline: [ { range: { min: 0, max: 2000 } }, { window: { size: 1m } } ] }
      - { id: so2.1m, name: 'SO2, 1-minute average', from: so2, unit: ug/m3, decimals: 1, pipeline: [ { window: { size: 1m } } ] }
      - { id: no2.1m, name: 'NO2, 1-minute average', from: no2, unit: ug/m3, decimals: 1, pipeline: [ { window: { size: 1m } } ] }
      - { id: co.1m, name: 'CO, 1-minute average', from: co, unit: mg/m3, decimals: 3, pipeline: [ { window: { size: 1m } } ] }
      - { id: o3.1m, name: 'O3, 1-minute average', from: o3, unit: ug/m3, decimals: 1, pipeline: [ { window: { size: 1m } } ] }
      - id: aqi
        name: Air quality index (HJ 633-2012, from the 1-minute averages)
        aqi: { pm25: pm25.1m, pm10: pm10.1m, so2: so2.1m, no2: no2.1m, co: co.1m, o3: o3.1m }

  - id: water-1
    name: River surface-water station
    driver: hj212
    profile: hj212-water-station
    connection: { host: 127.0.0.1, port: ${ports.hj212}, mn: ${WATER_MN}, password: '654321' }

  - id: rain-1
    name: Rain and river-level telemetry station
    driver: sl651
    profile: sl651-rain-level-station
    connection: { host: 127.0.0.1, port: ${ports.sl651}, address: '${SL651_ADDRESS}', password: '1234' }

${camera ? cameraConfig(camera) : ''}
sinks:
  - type: mqtt
    name: platform
    url: ${mqttUrl}
`;
}

function cameraConfig(camera: DemoCamera): string {
  return `
  # An ONVIF camera: its identity goes into the birth message, its health, motion, PTZ position and
  # relayed stream state are readings, its motion events come with a snapshot, and the gateway
  # serves its stream (video: below). PTZ moves come from the platform as commands (commands: below).
  - id: gate-cam
    name: Intake gate PTZ camera
    driver: onvif
    profile: camera
    timeout: 5s
    connection:
      url: ${camera.url}
      user: ${camera.user}
      password: ${camera.password}   # demo only: in production write { env: GATE_CAM_PASSWORD }
      checkInterval: 10s      # online, clock offset and PTZ position every 10 s

video:
  relay: { host: 127.0.0.1, httpPort: ${camera.httpPort}, rtmpPort: ${camera.rtmpPort} }
  snapshots: { on: [camera.motion, camera.tamper], maxBytes: 100MB, maxAge: 1d }

commands:
  allow: ['gate-cam:ptz.*', pump-1/speedSetpoint]
`;
}
