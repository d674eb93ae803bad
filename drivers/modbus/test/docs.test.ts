// The README is what a field engineer reads: its sample is the shipped sample.yaml, that sample is a
// valid configuration, and every connection and point field of the schemas is documented in it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baseDeviceShape } from '@sensegate/sdk';
import { parse } from 'yaml';
import { z } from 'zod';
import modbus, { connectionSchema, pointShape, workaroundsSchema } from '../src/index.js';
import { devicePointSchema } from './support/harness.js';

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const README = read('README.md');
const SAMPLE = read('sample.yaml');

/** The device schema the gateway builds for this driver. */
const deviceSchema = z.object({ ...baseDeviceShape, connection: modbus.connection, points: z.array(devicePointSchema).default([]) }).strict();

describe('README and sample.yaml', () => {
  it('embeds sample.yaml verbatim', () => {
    assert.ok(README.includes('## sample.yaml\n\n```yaml\n' + SAMPLE + '```\n'), 'README section "sample.yaml" must hold the file as it is');
  });

  it('has a sample that validates, with profiles the driver ships', () => {
    const { devices } = parse(SAMPLE) as { devices: unknown[] };
    assert.ok(devices.length >= 3);
    for (const raw of devices) {
      const device = deviceSchema.parse(raw);
      if (device.profile) assert.ok(existsSync(join(modbus.profiles!, `${device.profile}.yaml`)), `profile ${device.profile}`);
    }
  });

  it('documents every connection, workaround and point field', () => {
    const fields = [...Object.keys(z.toJSONSchema(connectionSchema, { io: 'input' }).properties ?? {}), ...Object.keys(workaroundsSchema.shape), ...Object.keys(pointShape)];
    const missing = fields.filter((f) => !README.includes(`| \`${f}\` |`));
    assert.deepEqual(missing, []);
  });
});
