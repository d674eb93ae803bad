// The read planner merges points into the fewest requests the limits allow. Random devices check
// its invariants and compare its request count with an exhaustive optimum; fixed cases check the
// decoders it compiles and the plan lines `sensegate plan` prints.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeRegisters, type DataType } from '@sensegate/sdk';
import { seededRandom } from '@sensegate/sdk/simulate';
import { planRequests, pointWidth, type PlanOptions, type PlanPoint } from '../src/index.js';
import { modbusDevice } from './support/harness.js';
import { planDeviceRead } from '../src/index.js';

/** Seeded, so a failing case can be replayed from its seed. */
const random = seededRandom;

const TYPES: DataType[] = ['uint16', 'int16', 'bit', 'float32', 'uint32', 'float64', 'string'];

function randomPoints(rand: () => number, n: number): PlanPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const bits = rand() < 0.25;
    const type = bits ? 'bool' : TYPES[Math.floor(rand() * TYPES.length)]!;
    return {
      id: `p${i}`,
      table: bits ? (rand() < 0.5 ? 'coil' : 'discrete') : rand() < 0.7 ? 'holding' : 'input',
      address: Math.floor(rand() * (bits ? 300 : 200)),
      type,
      byteOrder: 'ABCD',
      bit: type === 'bit' ? Math.floor(rand() * 16) : undefined,
      length: type === 'string' ? 1 + Math.floor(rand() * 6) : undefined,
    } satisfies PlanPoint;
  });
}

/** The fewest requests for one table's points, by dynamic programming over address order. */
function optimum(points: PlanPoint[], limit: number, maxGap: number): number {
  const sorted = [...points].sort((a, b) => a.address - b.address || pointWidth(b) - pointWidth(a));
  const best = new Array<number>(sorted.length + 1).fill(Infinity);
  best[0] = 0;
  for (let i = 0; i < sorted.length; i++) {
    let end = -Infinity;
    const start = sorted[i]!.address;
    for (let j = i; j < sorted.length; j++) {
      const p = sorted[j]!;
      if (j > i && p.address - end > maxGap) break;
      end = Math.max(end, p.address + pointWidth(p));
      if (end - start > limit) break;
      best[j + 1] = Math.min(best[j + 1]!, best[i]! + 1);
    }
  }
  return best[sorted.length]!;
}

describe('read planner', () => {
  it('covers every point exactly once, within the limits, with the fewest requests (500 random devices)', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const rand = random(seed);
      const points = randomPoints(rand, 1 + Math.floor(rand() * 40));
      const options: PlanOptions = {
        unitId: 1,
        maxGap: Math.floor(rand() * 12),
        maxBitGap: Math.floor(rand() * 40),
        maxRegisters: 8 + Math.floor(rand() * 118),
        maxBits: 16 + Math.floor(rand() * 200),
        onePointPerRequest: false,
      };
      const requests = planRequests(points, options);
      const seen = new Array<number>(points.length).fill(0);
      for (const r of requests) {
        const bits = r.table === 'coil' || r.table === 'discrete';
        assert.ok(r.count <= (bits ? options.maxBits : options.maxRegisters), `seed ${seed}: request too long`);
        r.points.forEach((index, k) => {
          const p = points[index]!;
          seen[index]!++;
          assert.equal(p.table, r.table, `seed ${seed}: ${p.id} in a request of another table`);
          assert.ok(p.address >= r.address && p.address + pointWidth(p) <= r.address + r.count, `seed ${seed}: ${p.id} outside its request`);
          assert.equal(r.offsets[k], bits ? p.address - r.address : (p.address - r.address) * 2, `seed ${seed}: ${p.id} offset`);
        });
      }
      assert.deepEqual(seen, points.map(() => 1), `seed ${seed}: every point read once`);
      for (const table of ['coil', 'discrete', 'holding', 'input'] as const) {
        const bits = table === 'coil' || table === 'discrete';
        const mine = points.filter((p) => p.table === table);
        const planned = requests.filter((r) => r.table === table).length;
        const best = optimum(mine, bits ? options.maxBits : options.maxRegisters, bits ? options.maxBitGap : options.maxGap);
        assert.equal(planned, best, `seed ${seed}: ${table} takes ${planned} requests, ${best} possible`);
      }
    }
  });

  it('compiles decoders that read each point from the merged response at its offset', () => {
    const device = modbusDevice({
      id: 'sonde',
      connection: { host: 'sonde' },
      points: [
        { id: 'ph', address: 0, type: 'float32', byteOrder: 'CDAB' },
        { id: 'temperature', address: 2, type: 'int16' },
        { id: 'alarm', address: 3, type: 'bit', bit: 4 },
        { id: 'serial', address: 3, type: 'uint16' },
        { id: 'name', address: 10, type: 'string', length: 3 },
      ],
    });
    const plan = planDeviceRead(device, device.points);
    assert.equal(plan.requests.length, 1);
    const r = plan.requests[0]!;
    const registers = Buffer.alloc(r.count * 2);
    encodeRegisters(7.25, { type: 'float32', byteOrder: 'CDAB' }).copy(registers, 0);
    encodeRegisters(-1234, { type: 'int16' }).copy(registers, 4);
    encodeRegisters(0x0010, { type: 'uint16' }).copy(registers, 6);
    encodeRegisters('AB1', { type: 'string', length: 3 }).copy(registers, 20);
    const values = Object.fromEntries(r.pointIds.map((id, k) => [id, r.decoders[k]!(registers, r.offsets[k]!)]));
    assert.deepEqual(values, { ph: 7.25, temperature: -1234, alarm: true, serial: 16, name: 'AB1' });
  });

  it('describes each request the way `sensegate plan` prints it', () => {
    const device = modbusDevice({
      id: 'pumps',
      connection: { host: 'plc', unitId: 7 },
      points: [
        { id: 'speed', table: 'input', address: 0, type: 'int16' },
        { id: 'current', table: 'input', address: 1, type: 'int16' },
        { id: 'running', table: 'coil', address: 0 },
      ],
    });
    assert.deepEqual(planDeviceRead(device, device.points).describe(), [
      'unit 7 FC1 coil 0..0 (1 bit): running',
      'unit 7 FC4 input 0..1 (2 registers): speed, current',
    ]);
  });

  it('plans an empty point list as no requests', () => {
    const device = modbusDevice({ id: 'empty', connection: { host: 'plc' }, points: [] });
    assert.deepEqual(planDeviceRead(device, device.points).describe(), []);
  });
});
