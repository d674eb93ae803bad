/**
 * A dry run of device start-up for `validate` and `plan`: every driver is created and every device
 * added, so the drivers' own checks run and read plans are made, but nothing is polled or connected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardMetrics, resolveSecret, silentLogger, toSensegateError, type Driver, type DriverInstance, type YamlSource } from '@sensegate/sdk';
import type { GatewayConfig } from '../config/load.js';
import { ConfigError, issueAt } from '../config/issues.js';
import { Metrics } from '../metrics.js';
import { DeviceRunner } from '../runtime/device-runner.js';
import { discardFeed } from '../runtime/feed-writer.js';

export interface PreparedDevices {
  runners: DeviceRunner[];
  dispose(): Promise<void>;
}

export async function prepareDevices(config: GatewayConfig, drivers: Map<string, Driver>, source?: YamlSource): Promise<PreparedDevices> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sensegate-dry-'));
  const instances = new Map<string, DriverInstance>();
  const runners: DeviceRunner[] = [];
  const dispose = async () => {
    await Promise.allSettled([...instances.values()].map((i) => i.stop()));
    await rm(dataDir, { recursive: true, force: true });
  };
  const metrics = new Metrics();
  try {
    const problems: ConfigError['issues'] = [];
    for (const [index, device] of config.devices.entries()) {
      let instance = instances.get(device.driver);
      if (!instance) {
        instance = drivers.get(device.driver)!.create({
          driver: device.driver,
          gatewayId: config.gateway.id,
          log: silentLogger,
          metrics: discardMetrics,
          dataDir,
          configDir: config.baseDir,
          publish() {},
          event() {},
          health() {},
          describe() {},
          media() {},
          secret: (deviceId, field, ref) =>
            resolveSecret(ref, { baseDir: config.baseDir, env: process.env, path: `devices.${deviceId}.${field}`, source: config.file }).reveal(),
        });
        instances.set(device.driver, instance);
      }
      const runner = new DeviceRunner(device, instance, discardFeed, silentLogger, metrics);
      try {
        await runner.prepare();
        runners.push(runner);
      } catch (err) {
        const e = toSensegateError(err, { device: device.id, driver: device.driver });
        const message = `device "${device.id}": ${e.message}`;
        problems.push(source ? issueAt(source, ['devices', index], message) : { file: config.file, path: `devices[${index}]`, message });
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
  } catch (err) {
    await dispose();
    throw err;
  }
  return { runners, dispose };
}
