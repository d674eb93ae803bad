// The README is what a field engineer reads: its sample is the shipped sample.yaml, that sample is a
// valid configuration, every connection and point field is documented, the element table is the
// code's, and the driver passes the SDK's definition checks.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baseDeviceShape, basePointShape, parseYamlSource } from '@sensegate/sdk';
import { checkDefinition } from '@sensegate/sdk/testing';
import { z } from 'zod';
import sl651, { connectionSchema, pointShape } from '../src/index.js';
import { elementTableRows } from './support/element-table.js';
import { profilePoints } from './support/harness.js';

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const README = read('README.md');
const SAMPLE = read('sample.yaml');

const pointSchema = z.object({ ...basePointShape, ...sl651.point.shape }).strict();
/** The device schema the gateway builds for this driver. */
const deviceSchema = z.object({ ...baseDeviceShape, connection: sl651.connection, points: z.array(pointSchema).default([]) }).strict();
/** What the gateway accepts as a profile file for this driver. */
const profileSchema = z
  .object({ name: z.string(), description: z.string().optional(), points: z.array(pointSchema), simulate: z.record(z.string(), z.unknown()).optional() })
  .strict();

describe('README, sample.yaml and profiles', () => {
  it('passes the SDK\'s definition checks: every field described, no generic field redefined', () => {
    assert.deepEqual(checkDefinition(sl651), []);
  });

  it('embeds sample.yaml verbatim', () => {
    assert.ok(README.includes('## sample.yaml\n\n```yaml\n' + SAMPLE + '```\n'), 'README section "sample.yaml" must hold the file as it is');
  });

  it('has a sample that validates, with profiles the driver ships', () => {
    const { devices } = parseYamlSource('sample.yaml', SAMPLE).data as { devices: unknown[] };
    assert.equal(devices.length, 2);
    for (const raw of devices) {
      const device = deviceSchema.parse(raw);
      if (device.profile) assert.ok(existsSync(join(sl651.profiles!, `${device.profile}.yaml`)), `profile ${device.profile}`);
    }
  });

  it('documents every connection and point field', () => {
    const fields = [...Object.keys(z.toJSONSchema(connectionSchema, { io: 'input' }).properties ?? {}), ...Object.keys(pointShape)];
    assert.deepEqual(fields.filter((f) => !README.includes(`| \`${f}\` |`)), []);
  });

  it('lists every element of the code in its element table', () => {
    assert.deepEqual(elementTableRows().filter((row) => !README.includes(row + '\n')), []);
  });

  it('ships profiles the gateway accepts, with a unit on every point', () => {
    const file = join(sl651.profiles!, 'sl651-rain-level-station.yaml');
    const profile = profileSchema.parse(parseYamlSource(file, readFileSync(file, 'utf8')).data);
    assert.equal(profile.name, 'sl651-rain-level-station');
    assert.deepEqual(profile.points.filter((p) => !p.unit).map((p) => p.id), []);
    assert.equal(profilePoints('sl651-rain-level-station').length, profile.points.length);
  });

  it('refuses invalid connection and point fields with messages that say what is expected', () => {
    const bad = connectionSchema.safeParse({ address: '12345', password: 'xyz', timeZone: 'Mars/Olympus' });
    assert.ok(!bad.success);
    const messages = bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(messages.some((m) => /^address: a station address is 10 hex digits/.test(m)));
    assert.ok(messages.some((m) => /^password: a password is 4 hex digits/.test(m)));
    assert.ok(messages.some((m) => /^timeZone: an IANA time zone/.test(m)));
    assert.ok(!pointSchema.safeParse({ id: 'x', element: 'F0' }).success, 'a guide is not an element');
    assert.ok(!pointSchema.safeParse({ id: 'x', element: 'waterLevel', function: 'weekly' }).success);
    assert.equal(pointSchema.parse({ id: 'x', element: 'rain.total', function: ['timed', '33'] }).element, 'rain.total');
    assert.equal(connectionSchema.parse({ address: 'abcdef0123', password: 'a1b2' }).address, 'ABCDEF0123');
  });
});
