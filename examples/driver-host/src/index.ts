/**
 * A complete third-party driver in one file: the gateway box's own health as points. It shows the
 * whole contract a vendor implements for a polled device: schemas for the connection and the point
 * fields, a factory, addDevice checks, and read() filling a batch. Everything else (scheduling,
 * scaling, units, quality, journal, MQTT) is the gateway's job.
 */
import { statfs } from 'node:fs/promises';
import { freemem, loadavg, totalmem, uptime } from 'node:os';
import { defineDriver, SensegateError, type DeviceRef, type ReadBatch } from '@sensegate/sdk';
import { z } from 'zod';

const METRICS = ['load1', 'load5', 'load15', 'memoryFree', 'memoryUsedPercent', 'diskFree', 'diskUsedPercent', 'uptime'] as const;
type Metric = (typeof METRICS)[number];

const connection = z
  .object({
    disk: z.string().default('/').describe('A path on the file system whose disk the disk metrics describe.'),
  })
  .strict();

const point = z
  .object({
    metric: z.enum(METRICS).describe('Which host metric this point reads.'),
  })
  .strict();

type Connection = z.output<typeof connection>;
type Point = z.output<typeof point>;

async function read(device: DeviceRef<Connection, Point>, batch: ReadBatch<Point>): Promise<void> {
  const needsDisk = batch.points.some((p) => p.spec.metric.startsWith('disk'));
  let disk: { free: number; usedPercent: number } | undefined;
  if (needsDisk) {
    try {
      const s = await statfs(device.connection.disk);
      disk = { free: s.bavail * s.bsize, usedPercent: 100 * (1 - s.bavail / s.blocks) };
    } catch (err) {
      const error = new SensegateError('SG_CONNECTION_LOST', `cannot stat ${device.connection.disk}: ${(err as Error).message}`, {
        device: device.id,
        cause: err,
      });
      batch.points.forEach((p, i) => p.spec.metric.startsWith('disk') && batch.fail(i, error));
    }
  }
  const values: Partial<Record<Metric, number>> = {
    load1: loadavg()[0],
    load5: loadavg()[1],
    load15: loadavg()[2],
    memoryFree: freemem(),
    memoryUsedPercent: 100 * (1 - freemem() / totalmem()),
    uptime: uptime(),
    ...(disk ? { diskFree: disk.free, diskUsedPercent: disk.usedPercent } : {}),
  };
  batch.points.forEach((p, i) => {
    const v = values[p.spec.metric];
    if (v !== undefined) batch.good(i, v);
  });
}

export default defineDriver({
  name: 'sensegate-driver-host',
  version: '0.1.0',
  description: 'The gateway box itself: load, memory, disk and uptime as points.',
  connection,
  point,
  create() {
    const devices = new Map<string, DeviceRef<Connection, Point>>();
    return {
      addDevice(device) {
        const seen = new Map<string, string>();
        for (const p of device.points) {
          const other = seen.get(p.spec.metric);
          if (other) {
            throw new SensegateError('SG_CONFIG_INVALID', `points "${other}" and "${p.id}" both read metric ${p.spec.metric}`, {
              device: device.id,
              point: p.id,
            });
          }
          seen.set(p.spec.metric, p.id);
        }
        devices.set(device.id, device);
      },
      removeDevice(id) {
        devices.delete(id);
      },
      read,
      async stop() {
        devices.clear();
      },
    };
  },
});
