// The shipped profiles are what most stations are configured with: the gateway must accept them,
// and their codes and units must be the code table's, so that the two cannot drift apart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { basePointShape, parseYamlSource } from '@sensegate/sdk';
import { pollutant } from '@sensegate/driver-hj212/protocol';
import { z } from 'zod';
import hj212, { pointProblems } from '../src/index.js';

const pointSchema = z.object({ ...basePointShape, ...hj212.point.shape }).strict();
/** What the gateway accepts as a profile file for this driver (gateway/src/config/device-schema.ts). */
const profileSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    manufacturer: z.string().optional(),
    model: z.string().optional(),
    points: z.array(pointSchema),
    simulate: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const load = (name: string) => {
  const file = join(hj212.profiles!, `${name}.yaml`);
  const source = parseYamlSource(file, readFileSync(file, 'utf8'));
  assert.deepEqual(source.syntaxErrors, []);
  return profileSchema.parse(source.data);
};

const SHAPE = [
  ['', 'realtime', 'Rtd'],
  ['.minute.avg', 'minute', 'Avg'],
  ['.hour.avg', 'hour', 'Avg'],
  ['.hour.min', 'hour', 'Min'],
  ['.hour.max', 'hour', 'Max'],
  ['.day.avg', 'day', 'Avg'],
] as const;

const PROFILES = {
  'hj212-air-station': ['a34004', 'a34002', 'a21026', 'a21004', 'a05024', 'a21005', 'a01001', 'a01002', 'a01007', 'a01008'],
  'hj212-water-station': ['w01001', 'w01009', 'w01014', 'w01003', 'w01010', 'w01018', 'w21003', 'w21011', 'w21001'],
};

describe('profiles', () => {
  for (const [name, codes] of Object.entries(PROFILES)) {
    it(`${name}: every parameter in six points named after its alias, with the code table's code and unit`, () => {
      const profile = load(name);
      assert.equal(profile.name, name);
      const expected = codes.flatMap((code) => {
        const p = pollutant(code)!;
        return SHAPE.map(([suffix, data, field]) => ({ id: `${p.alias}${suffix}`, code, data, field, unit: p.unit }));
      });
      const actual = profile.points.map((p) => ({ id: p.id, code: p.code, data: p.data, field: p.field ?? 'Rtd', unit: p.unit }));
      assert.deepEqual(actual, expected);
      for (const point of profile.points) assert.deepEqual(pointProblems(point), [], point.id);
      // The simulator takes its generators by code.
      assert.deepEqual(Object.keys(profile.simulate ?? {}).sort(), [...codes].sort());
    });
  }
});
