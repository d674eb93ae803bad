/**
 * `sensegate demo`: a whole site on one machine with no setup. Two Modbus simulators (a water-quality
 * sonde and a pump station), an embedded MQTT broker on loopback (unless --mqtt names one), and the
 * gateway reading both into the journal and the broker. The configuration it runs is written to the
 * data folder, so it can be read, copied and edited.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { startEmbeddedBroker } from '../broker/embedded.js';
import { loadConfigFile, profilePath } from '../config/load.js';
import { DriverRegistry } from '../drivers/registry.js';
import { createLogger } from '../log.js';
import { Gateway } from '../runtime/gateway.js';
import { parseOptions, positiveInt } from './args.js';
import { untilSignal } from './signals.js';

export const demoHelp = `Usage: sensegate demo [--data DIR] [--mqtt URL] [--mqtt-port N] [--duration SECONDS]

Runs a demo site: Modbus simulators for a water-quality sonde and a pump station, an embedded MQTT
broker on 127.0.0.1 (port 1883, or a free port if 1883 is taken), and the gateway. Stop with Ctrl-C.

  --data DIR        journal and state (default .sensegate/demo); a restart with the same folder resumes
  --mqtt URL        forward to this broker instead of starting one
  --mqtt-port N     port of the embedded broker (default 1883)
  --duration S      stop by itself after S seconds
  --log-level L     trace, debug, info (default), warn, error`;

const GATEWAY_ID = 'demo-gw';

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

    const configFile = join(dataDir, 'demo.yaml');
    await writeFile(configFile, demoConfig(mqttUrl, sims.sonde!.port, sims.pump!.port));
    const { config, drivers } = await loadConfigFile(configFile);
    const gateway = await Gateway.start({ config, drivers, dataDir, log });
    cleanup.unshift(() => gateway.stop());

    out.write(
      [
        '',
        `sensegate demo is running: gateway "${GATEWAY_ID}", 2 simulated Modbus devices, forwarding to ${mqttUrl}`,
        `  water-quality sonde  modbus tcp 127.0.0.1:${sims.sonde!.port}  (profile water-sonde)`,
        `  pump station         modbus tcp 127.0.0.1:${sims.pump!.port}  (profile pump-station)`,
        `  configuration        ${configFile}`,
        `  journal and state    ${dataDir}`,
        '',
        'Watch the feed in another terminal:',
        `  npx sensegate tail --mqtt ${mqttUrl}`,
        `  mosquitto_sub -L '${mqttUrl}/sensegate/v1/#' -v`,
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );

    const summary = setInterval(() => out.write(statusLine(gateway) + '\n'), 10_000);
    cleanup.unshift(async () => clearInterval(summary));
    if (duration !== undefined) {
      await Promise.race([untilSignal(), new Promise((r) => setTimeout(r, duration * 1000))]);
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
  return `status: ${s.journal.lastSeq} entries journaled; ${sinks}; ${devices}`;
}

function demoConfig(mqttUrl: string, sondePort: number, pumpPort: number): string {
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
    connection:
      transport: tcp
      host: 127.0.0.1
      port: ${sondePort}
      unitId: 1

  - id: pump-1
    name: Intake pump station
    driver: modbus
    profile: pump-station
    pollInterval: 1s
    connection:
      transport: tcp
      host: 127.0.0.1
      port: ${pumpPort}
      unitId: 1

sinks:
  - type: mqtt
    name: platform
    url: ${mqttUrl}
`;
}
