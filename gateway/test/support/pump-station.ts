/**
 * A pump station for tests of commands: a simulated Modbus lift station (`lift-1`, the
 * pump-station profile), a consumer of the gateway's feed on the broker, and a configuration file
 * that polls the station and forwards to the broker. The test adds its own `commands:` block and
 * sink settings, and starts the gateway its own way (the CLI, or in process).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { FeedConsumer } from './feed.js';

const PROFILE = fileURLToPath(new URL('../../../drivers/modbus/profiles/pump-station.yaml', import.meta.url));

export interface PumpStation {
  dir: string;
  sim: ModbusSimulator;
  consumer: FeedConsumer;
  /** The configuration file. */
  config: string;
  close(): Promise<void>;
}

export async function pumpStation(options: { gateway: string; brokerUrl: string; commands: string; sink?: string; pollInterval?: string }): Promise<PumpStation> {
  const dir = await mkdtemp(join(tmpdir(), `sensegate-${options.gateway}-`));
  const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(PROFILE) }] });
  const consumer = await FeedConsumer.connect(options.brokerUrl, options.gateway);
  const config = join(dir, 'site.yaml');
  await writeFile(
    config,
    `gateway: { id: ${options.gateway} }
devices:
  - id: lift-1
    driver: modbus
    profile: pump-station
    pollInterval: ${options.pollInterval ?? '300ms'}
    connection: { host: 127.0.0.1, port: ${sim.port}, unitId: 1 }
commands:
${options.commands}
sinks:
  - type: mqtt
    url: ${options.brokerUrl}
${options.sink ?? ''}`,
  );
  return {
    dir,
    sim,
    consumer,
    config,
    async close() {
      await consumer.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
