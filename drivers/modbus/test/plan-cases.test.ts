// The read planner's regression cases: each folder under testcases/ holds a device's connection and
// points (case.yaml) and the requests it must be read with, or the configuration error it must give
// (expected.yaml). A planning bug becomes a folder and stays fixed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { planDeviceRead } from '../src/index.js';
import { modbusDevice } from './support/harness.js';

const CASES = fileURLToPath(new URL('../testcases', import.meta.url));

interface Case {
  description: string;
  connection: Record<string, unknown>;
  points: Array<Record<string, unknown>>;
}

interface Expected {
  requests?: Array<{ fc: number; address: number; count: number; points: Record<string, number> }>;
  describe?: string[];
  error?: string;
}

describe('read plan golden cases (testcases/)', () => {
  const names = readdirSync(CASES).sort();

  it('has cases to run', () => assert.ok(names.length >= 10, `found ${names.length}`));

  for (const name of names) {
    const input = parse(readFileSync(join(CASES, name, 'case.yaml'), 'utf8')) as Case;
    const expected = parse(readFileSync(join(CASES, name, 'expected.yaml'), 'utf8')) as Expected;
    it(`${name}: ${input.description}`, () => {
      const device = modbusDevice({ id: name, connection: input.connection, points: input.points });
      if (expected.error !== undefined) {
        assert.throws(
          () => planDeviceRead(device, device.points),
          (err: Error & { code?: string }) => {
            assert.equal(err.code, 'SG_CONFIG_INVALID');
            assert.ok(err.message.includes(expected.error!), `message "${err.message}" should contain "${expected.error}"`);
            return true;
          },
        );
        return;
      }
      const plan = planDeviceRead(device, device.points);
      const got = plan.requests.map((r) => ({
        fc: r.functionCode,
        address: r.address,
        count: r.count,
        points: Object.fromEntries(r.pointIds.map((id, k) => [id, r.offsets[k]!])),
      }));
      assert.deepEqual(got, expected.requests);
      if (expected.describe) assert.deepEqual(plan.describe(), expected.describe);
      // Every point is carried by exactly one request, at the batch index it came with.
      const carried = plan.requests.flatMap((r) => [...r.indices]).sort((a, b) => a - b);
      assert.deepEqual(carried, device.points.map((_, i) => i));
    });
  }
});
