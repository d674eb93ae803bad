// docs/modbus-profiles.md is where a field engineer picks a profile, so it cannot drift from the
// files: its table lists every shipped profile with every point id, its YAML examples are devices the
// driver accepts (profile points merged with the overrides, as the gateway merges them), and the
// driver's README links to it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baseDeviceShape } from '@sensegate/sdk';
import { createTestContext } from '@sensegate/sdk/testing';
import { parse } from 'yaml';
import { z } from 'zod';
import modbus from '../src/index.js';
import { devicePointSchema, modbusDevice, profilePoints } from './support/harness.js';

const DOC = readFileSync(new URL('../../../docs/modbus-profiles.md', import.meta.url), 'utf8');
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const folder = modbus.profiles!;
const names = readdirSync(folder)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

/** The device schema the gateway builds for this driver. */
const deviceSchema = z.object({ ...baseDeviceShape, connection: modbus.connection, points: z.array(devicePointSchema).default([]) }).strict();

describe('docs/modbus-profiles.md', () => {
  it('has one table row per shipped profile', () => {
    const rows = DOC.split('\n')
      .map((line) => /^\| `([a-z0-9-]+)` \|/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    assert.deepEqual([...rows].sort(), names);
  });

  for (const name of names) {
    it(`lists every point of ${name}`, () => {
      const row = DOC.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      assert.ok(row, `no table row for ${name}`);
      const ids = profilePoints(join(folder, `${name}.yaml`)).map((p) => p.id as string);
      assert.deepEqual(ids.filter((id) => !row.includes(`\`${id}\``)), [], `points missing from the ${name} row`);
    });
  }

  it('has examples that are devices the driver accepts, made from shipped profiles', async () => {
    const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!) as { devices?: unknown[] });
    const devices = blocks.flatMap((b) => b.devices ?? []);
    assert.ok(devices.length >= 4);
    // One driver instance for all: devices on one serial path must agree on the line settings.
    const instance = modbus.create(createTestContext());
    try {
      for (const raw of devices) {
        const device = deviceSchema.parse(raw);
        assert.ok(device.profile, `${device.id} uses a profile`);
        const path = join(folder, `${device.profile}.yaml`);
        assert.ok(existsSync(path), `profile ${device.profile}`);
        // As the gateway does: a device point replaces the profile's point with its id, or is added.
        const points = profilePoints(path);
        for (const p of (raw as { points?: Array<Record<string, unknown>> }).points ?? []) {
          const at = points.findIndex((q) => q.id === p.id);
          if (at >= 0) points[at] = devicePointSchema.parse(p);
          else points.push(devicePointSchema.parse(p));
        }
        await instance.addDevice(modbusDevice({ id: device.id, connection: device.connection, points }));
      }
    } finally {
      await instance.stop();
    }
  });

  it('is linked from the driver README', () => {
    assert.ok(README.includes('](../../docs/modbus-profiles.md)'));
  });
});
