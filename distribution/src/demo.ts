/**
 * `sensegate demo`: a whole site on one machine with no setup. Two Modbus simulators (a water-quality
 * sonde and a pump station), an OPC UA water plant (signed and encrypted, with a user login), two
 * HJ 212 monitoring stations (air quality and surface water) and an SL 651 rain and river-level
 * station dialling in, a PTZ camera (ONVIF, with a real H.264 stream the gateway relays, when ffmpeg
 * is installed), an embedded MQTT broker on loopback (unless
 * --mqtt names one), and the gateway reading them all into the journal and the broker. The site is
 * demo/site.yaml, a configuration as a user writes it; the demo points its devices at the simulators'
 * ports and writes the result to the data folder, so it can be read, copied and edited.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { addTrustedCertificate, pkiFolder } from '@sensegate/driver-opcua';
import { routeLibraryLogs } from '@sensegate/driver-opcua/client';
import { startHj212Station } from '@sensegate/sim-hj212';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { resolveFfmpeg, isSensegateError } from '@sensegate/sdk';
import { startOnvifSimulator, type OnvifSimulator } from '@sensegate/sim-onvif';
import { startOpcuaSimulator } from '@sensegate/sim-opcua';
import { startSl651Station } from '@sensegate/sim-sl651';
import { ApiServer, createLogger, DEFAULT_API_PORT, DriverRegistry, Gateway, loadConfigFile, profilePath, startEmbeddedBroker } from '@sensegate/gateway';
import { parseOptions, positiveInt, untilSignal } from '@sensegate/gateway/cli';
import { parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';

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

/** The demo's site configuration, shipped in this package. */
const SITE_FILE = fileURLToPath(new URL('../demo/site.yaml', import.meta.url));

/** The site file, and what the simulators must match in it: the stations' identities and passwords, the camera's login. */
class DemoSite {
  readonly doc: Document;
  private constructor(text: string) {
    this.doc = parseDocument(text);
  }

  static async read(): Promise<DemoSite> {
    return new DemoSite(await readFile(SITE_FILE, 'utf8'));
  }

  get gatewayId(): string {
    return this.text(['gateway', 'id'], 'gateway');
  }

  get devices(): YAMLSeq<YAMLMap> {
    return this.doc.get('devices') as YAMLSeq<YAMLMap>;
  }

  device(id: string): YAMLMap {
    const found = this.devices.items.find((d) => d.get('id') === id);
    if (!found) throw new Error(`${SITE_FILE}: the demo site has no device "${id}"`);
    return found;
  }

  /** A text field of a device's connection (`mn`, `password`, ...). */
  connection(id: string, field: string): string {
    return this.text(['connection', field], id);
  }

  private text(path: string[], device: string): string {
    const node = device === 'gateway' ? this.doc.getIn(path) : this.device(device).getIn(path);
    if (typeof node !== 'string' && typeof node !== 'number') throw new Error(`${SITE_FILE}: ${device === 'gateway' ? '' : `device "${device}": `}${path.join('.')} is missing`);
    return String(node);
  }
}

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
async function startCamera(out: NodeJS.WritableStream, site: DemoSite): Promise<DemoCamera | undefined> {
  try {
    resolveFfmpeg();
  } catch (err) {
    if (!isSensegateError(err) || err.code !== 'SG_FFMPEG_MISSING') throw err;
    out.write(`the demo camera is left out: ${err.message}\n`);
    return undefined;
  }
  const credentials = { user: site.connection('gate-cam', 'user'), password: site.connection('gate-cam', 'password') };
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

  const site = await DemoSite.read();
  const gatewayId = site.gatewayId;
  const airMn = site.connection('air-1', 'mn');
  const waterMn = site.connection('water-1', 'mn');
  const rainAddress = site.connection('rain-1', 'address');

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

    const camera = await startCamera(out, site);
    if (camera) cleanup.unshift(() => camera.sim.close());

    // Stations dial in to the gateway, so it listens; the stations start once it does.
    const ports = { sonde: sims.sonde!.port, pump: sims.pump!.port, hj212: await freePort(), sl651: await freePort(), opcua: plant.endpoint, api: await freePort(DEFAULT_API_PORT) };
    const configFile = join(dataDir, 'demo.yaml');
    await writeFile(configFile, demoConfig(site, mqttUrl, ports, camera));
    const { config, drivers } = await loadConfigFile(configFile);
    const gateway = await Gateway.start({ config, drivers, dataDir, log });
    cleanup.unshift(() => gateway.stop());
    const api = await ApiServer.start(gateway, { config: config.api, log: log.child({ component: 'api' }) });
    cleanup.unshift(() => api.stop());
    for (const [mn, kind, password] of [
      [airMn, 'air', site.connection('air-1', 'password')],
      [waterMn, 'water', site.connection('water-1', 'password')],
    ] as const) {
      const station = await startHj212Station({ port: ports.hj212, mn, kind, password, realtimeInterval: 5000, minuteInterval: 60_000 });
      cleanup.unshift(() => station.close());
    }
    const rain = startSl651Station({ port: ports.sl651, address: rainAddress, password: site.connection('rain-1', 'password'), interval: 5000 });
    cleanup.unshift(() => rain.stop());
    rain.sendTimedReport(); // one at once (sent as soon as it is connected), then every 5 s

    out.write(
      [
        '',
        `sensegate demo is running: gateway "${gatewayId}", ${camera ? 7 : 6} simulated devices, forwarding to ${mqttUrl}`,
        `  console              ${api.url}/  (open it in a browser: live values, devices, events, configuration)`,
        `  water-quality sonde  modbus tcp 127.0.0.1:${ports.sonde}  (profile water-sonde)`,
        `  pump station         modbus tcp 127.0.0.1:${ports.pump}  (profile pump-station)`,
        `  water plant          OPC UA ${plant.endpoint}  (SignAndEncrypt, user operator; subscribed)`,
        `                       browse it: npx sensegate browse opcua ${plant.endpoint}`,
        `  air-quality station  HJ 212, dials in to 127.0.0.1:${ports.hj212}  (MN ${airMn}; real-time every 5 s, minute averages every minute)`,
        `                       the gateway adds 1-minute averages (pm25.1m, ...), the AQI (aqi, aqi.primary, aqi.level) and a PM10 alarm`,
        `  surface-water station HJ 212, dials in to 127.0.0.1:${ports.hj212}  (MN ${waterMn})`,
        `  rain and river level SL 651, dials in to 127.0.0.1:${ports.sl651}  (station ${rainAddress}; timed report every 5 s)`,
        ...(camera
          ? [
              `  PTZ camera           ONVIF ${camera.url}  (user ${camera.user}; motion every minute)`,
              `                       its stream, relayed by the gateway: ${gateway.streamUrls('gate-cam')?.flv ?? `http://127.0.0.1:${camera.httpPort}/gate-cam/main.flv`}`,
              `                       play it: ffplay ${gateway.streamUrls('gate-cam')?.flv ?? `http://127.0.0.1:${camera.httpPort}/gate-cam/main.flv`}`,
              `                       find it: npx sensegate discover onvif --range 127.0.0.1 --port ${camera.sim.discoveryPort}`,
              `                       turn it: mosquitto_pub -L '${mqttUrl}/sensegate/v1/${gatewayId}/commands' -m '{"id":"1","device":"gate-cam","command":"ptz.absolute","args":{"pan":0.5,"tilt":0}}'`,
              `                       snapshots of its motion events: ${join(dataDir, 'snapshots', 'gate-cam')}`,
            ]
          : []),
        `  API and metrics      ${api.url}/api/v1/status  (every route: ${api.url}/api/openapi.json; Prometheus: ${api.url}/metrics)`,
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

/**
 * The demo's site file with each device pointed at its simulator, the broker's URL, and the camera
 * (with its video and commands) left out when there is none. Comments and layout are kept, so the
 * written file reads as the shipped one.
 */
function demoConfig(site: DemoSite, mqttUrl: string, ports: { sonde: number; pump: number; hj212: number; sl651: number; opcua: string; api: number }, camera?: DemoCamera): string {
  const { doc, devices } = site;
  const device = (id: string): YAMLMap => site.device(id);
  device('sonde-1').setIn(['connection', 'port'], ports.sonde);
  device('pump-1').setIn(['connection', 'port'], ports.pump);
  device('plant-1').setIn(['connection', 'endpoint'], ports.opcua);
  for (const id of ['air-1', 'water-1']) device(id).setIn(['connection', 'port'], ports.hj212);
  device('rain-1').setIn(['connection', 'port'], ports.sl651);
  if (camera) {
    const cam = device('gate-cam');
    cam.setIn(['connection', 'url'], camera.url);
    cam.setIn(['connection', 'user'], camera.user);
    cam.setIn(['connection', 'password'], camera.password);
    doc.setIn(['video', 'relay', 'httpPort'], camera.httpPort);
    doc.setIn(['video', 'relay', 'rtmpPort'], camera.rtmpPort);
  } else {
    devices.items.splice(devices.items.indexOf(device('gate-cam')), 1);
    doc.delete('video');
    doc.delete('commands');
  }
  doc.setIn(['sinks', 0, 'url'], mqttUrl);
  doc.setIn(['api', 'port'], ports.api);
  doc.commentBefore = ` Written by \`sensegate demo\` from ${SITE_FILE}; run it yourself with: sensegate run --config <this file>`;
  return doc.toString({ lineWidth: 0 });
}
