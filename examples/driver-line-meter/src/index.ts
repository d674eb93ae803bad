/**
 * sensegate-driver-line-meter: a sensegate driver for a meter that answers one line per request over TCP
 * (see protocol.ts). The gateway polls it: `read` gets a batch of points and sets each one; writes
 * to the `setpoint` field go through `write`. Scheduling, retries, scaling, units, quality, the
 * journal and MQTT are the gateway's job: this file is the device's protocol only.
 *
 * Start here: rename the fields in FIELDS to what your device offers, and change protocol.ts to
 * speak its real protocol. `npm test` runs the conformance kit against src/simulator.ts.
 */
import type { Socket } from 'node:net';
import { defineDriver, SensegateError, type PointRef, type ReadBatch } from '@sensegate/sdk';
import { z } from 'zod';
import { refusal, request } from './protocol.js';
import { ping } from './ping.js';

/** What the meter measures, and which fields it lets the gateway write. */
export const FIELDS = {
  flow: { writable: false },
  total: { writable: false },
  setpoint: { writable: true },
} as const;
export type Field = keyof typeof FIELDS;

const connection = z
  .object({
    host: z.string().min(1).describe('Address (name or IP) of the meter.'),
    port: z.number().int().min(1).max(65535).default(4001).describe('TCP port the meter answers on.'),
  })
  .strict();

const point = z
  .object({
    field: z.enum(Object.keys(FIELDS) as [Field, ...Field[]]).describe('The meter field this point reads: flow, total or setpoint (setpoint can be written).'),
  })
  .strict();

type Point = z.output<typeof point>;

export default defineDriver({
  name: 'line-meter',
  version: '0.1.0',
  description: 'A meter that answers one line per request over TCP.',
  connection,
  point,
  tools: { ping },
  // `sensegate sim sensegate-driver-line-meter` runs this package's own simulator (src/simulator.ts).
  simulator: 'sensegate-driver-line-meter/simulator',
  create(context) {
    // Every socket still open, so stop() can release them all.
    const open = new Set<Socket>();
    let stopped = false;

    return {
      // Validation only: what the schemas cannot judge. No socket is opened here (dry runs call it too).
      addDevice(device) {
        for (const p of device.points) {
          if (p.spec.writable && !FIELDS[p.spec.field].writable) {
            throw new SensegateError(
              'SG_CONFIG_INVALID',
              `device ${device.id}, point ${p.id}: field ${p.spec.field} cannot be written; writable fields: ${writableFields().join(', ')}`,
              { device: device.id, point: p.id },
            );
          }
        }
      },

      // Ask the meter who it is and announce its model in the birth message. An unreachable meter is
      // no error here: the reads fail with retryable errors until it answers.
      startDevice(device) {
        request(device.connection, 'PING', { timeout: device.timeout, open, device: device.id }).then(
          (answer) => {
            if (!stopped && answer.startsWith('PONG')) context.describe(device.id, { model: answer.slice(4).trim() || 'unknown' });
          },
          (err: Error) => device.log.warn(`meter does not answer yet: ${err.message}`),
        );
      },

      // Nothing to release per device: every request opens and closes its own connection.
      removeDevice() {},

      async read(device, batch: ReadBatch<Point>) {
        // One request per point; batch.signal ends the poll at the device's timeout. If a request
        // throws, every point not yet set fails with that error.
        for (const [i, p] of batch.points.entries()) {
          const answer = await request(device.connection, `READ ${p.spec.field}`, { timeout: device.timeout, signal: batch.signal, open, device: device.id });
          const reason = refusal(answer);
          const value = Number(answer);
          if (reason !== undefined) {
            batch.fail(i, new SensegateError('SG_PROTOCOL_ERROR', `meter refused to read ${p.spec.field}: ${reason}`, { device: device.id, point: p.id, status: reason }));
          } else if (answer === '' || !Number.isFinite(value)) {
            batch.fail(i, new SensegateError('SG_PROTOCOL_ERROR', `meter answered "${answer}" for ${p.spec.field}, not a number`, { device: device.id, point: p.id }));
          } else {
            batch.good(i, value);
          }
        }
      },

      async write(device, p: PointRef<Point>, value) {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new SensegateError('SG_WRITE_REJECTED', `${p.spec.field} takes a number, got ${JSON.stringify(value)}`, { device: device.id, point: p.id });
        }
        const answer = await request(device.connection, `WRITE ${p.spec.field} ${value}`, { timeout: device.timeout, open, device: device.id });
        if (answer !== 'OK') {
          throw new SensegateError('SG_WRITE_REJECTED', `meter refused ${p.spec.field} = ${value}: ${refusal(answer) ?? answer}`, {
            device: device.id,
            point: p.id,
            status: refusal(answer),
          });
        }
      },

      async stop() {
        stopped = true;
        for (const socket of open) socket.destroy();
        open.clear();
      },
    };
  },
});

function writableFields(): string[] {
  return Object.entries(FIELDS)
    .filter(([, f]) => f.writable)
    .map(([name]) => name);
}
