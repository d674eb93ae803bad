/**
 * A write to one point: coils with FC5 (FC15 with the writeMultiple workaround), one register with
 * FC6 (or FC16), several with FC16, and a bit of a register as a read-modify-write that no other
 * write of this driver to that register can interleave with. Resolves once the device confirmed.
 */
import type { Value } from '@sensegate/sdk';
import type { ModbusConnection } from '../config/connection.js';
import type { ModbusPointRef } from '../config/point-checks.js';
import type { Endpoint } from '../transport/endpoint.js';
import type { FunctionCode, WritePayload } from '../transport/request-job.js';
import { encodeWrite } from './encode-write.js';
import { PromisedJob } from './write-job.js';

interface WriteTarget {
  device: string;
  connection: ModbusConnection;
  timeout: number;
}

function request(endpoint: Endpoint, target: WriteTarget, fc: FunctionCode, table: string, address: number, count: number, value: WritePayload): Promise<Buffer | undefined> {
  const unit = target.connection.unitId;
  const job = new PromisedJob(target.device, unit, fc, address, count, target.timeout, `unit ${unit} FC${fc} ${table} ${address}..${address + count - 1}`, value);
  endpoint.submit(job);
  return job.promise;
}

export async function writePoint(endpoint: Endpoint, target: WriteTarget, point: ModbusPointRef, value: Value): Promise<void> {
  const action = encodeWrite(target.device, point, value);
  const multiple = target.connection.workarounds.writeMultiple;
  switch (action.kind) {
    case 'coil':
      if (multiple) await request(endpoint, target, 15, 'coil', action.address, 1, [action.state]);
      else await request(endpoint, target, 5, 'coil', action.address, 1, action.state);
      return;
    case 'registers': {
      const count = action.registers.length >> 1;
      if (count === 1 && !multiple) await request(endpoint, target, 6, 'holding', action.address, 1, action.registers.readUInt16BE(0));
      else await request(endpoint, target, 16, 'holding', action.address, count, action.registers);
      return;
    }
    case 'bit': {
      const key = `${target.connection.unitId}:${action.address}`;
      await endpoint.exclusive(key, async () => {
        const current = await request(endpoint, target, 3, 'holding', action.address, 1, undefined);
        const word = current!.readUInt16BE(0);
        const mask = 1 << action.bit;
        const next = action.state ? word | mask : word & ~mask & 0xffff;
        if (next === word) return;
        if (multiple) {
          const registers = Buffer.alloc(2);
          registers.writeUInt16BE(next, 0);
          await request(endpoint, target, 16, 'holding', action.address, 1, registers);
        } else {
          await request(endpoint, target, 6, 'holding', action.address, 1, next);
        }
      });
      return;
    }
  }
}
