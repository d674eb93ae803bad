// The sample gateway configuration matches the simulator: its devices validate with the driver's
// connection schema, name the MNs the CLI uses by default, and use the driver's profiles, whose
// codes are exactly those the simulated stations send.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { parseYamlSource } from '@sensegate/sdk';
import hj212, { COMMANDS } from '@sensegate/driver-hj212';
import { STATION_MODELS, defaultMnPrefix, groupMn, type StationKind } from '../src/index.js';

const SAMPLE = fileURLToPath(new URL('../sample.yaml', import.meta.url));
const PROFILE_KIND: Record<string, StationKind> = { 'hj212-air-station': 'air', 'hj212-water-station': 'water' };

interface SampleDevice {
  id: string;
  driver: string;
  profile: string;
  connection: Record<string, unknown>;
  points?: Array<{ command?: string }>;
}

function load(file: string): Record<string, unknown> {
  const source = parseYamlSource(file, readFileSync(file, 'utf8'));
  assert.deepEqual(source.syntaxErrors, []);
  return source.data as Record<string, unknown>;
}

describe('sample.yaml', () => {
  const devices = load(SAMPLE).devices as SampleDevice[];

  it('has an air and a water station with the MNs the simulator uses by default', () => {
    assert.deepEqual(devices.map((d) => d.profile).sort(), ['hj212-air-station', 'hj212-water-station']);
    for (const d of devices) {
      assert.equal(d.driver, 'hj212');
      const kind = PROFILE_KIND[d.profile]!;
      assert.equal(d.connection.mn, groupMn(defaultMnPrefix(kind), 1), d.id);
      assert.equal(d.connection.password, '123456');
      hj212.connection.parse(d.connection);
      for (const p of d.points ?? []) if (p.command) assert.ok(p.command in COMMANDS, p.command);
    }
  });

  it('uses driver profiles whose codes are exactly what the simulated stations send', () => {
    for (const [profile, kind] of Object.entries(PROFILE_KIND)) {
      const points = load(join(hj212.profiles!, `${profile}.yaml`)).points as Array<{ code?: string }>;
      const codes = new Set(points.map((p) => p.code).filter((c) => c !== undefined));
      assert.deepEqual([...codes].sort(), STATION_MODELS[kind].map((p) => p.code).sort(), profile);
    }
  });
});
