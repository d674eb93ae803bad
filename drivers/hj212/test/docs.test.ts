// The README is what a field engineer reads: its sample is the shipped sample.yaml, that sample is a
// valid configuration, every connection and point field is documented, the code and flag tables
// are the code's, and the driver passes the SDK's definition checks.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baseDeviceShape, basePointShape, parseYamlSource } from '@sensegate/sdk';
import { checkDefinition } from '@sensegate/sdk/testing';
import { DATA_FLAGS, POLLUTANTS } from '@sensegate/driver-hj212/protocol';
import { z } from 'zod';
import hj212, { VERSION, connectionSchema, pointProblems, pointShape } from '../src/index.js';

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const README = read('README.md');
const SAMPLE = read('sample.yaml');

const pointSchema = z.object({ ...basePointShape, ...hj212.point.shape }).strict();
/** The device schema the gateway builds for this driver. */
const deviceSchema = z.object({ ...baseDeviceShape, connection: hj212.connection, points: z.array(pointSchema).default([]) }).strict();

describe('README, sample.yaml and definition', () => {
  it('passes the SDK\'s definition checks: every field described, no generic field redefined', () => {
    assert.deepEqual(checkDefinition(hj212), []);
    assert.equal(hj212.name, 'hj212');
  });

  it('has the version of package.json', () => {
    assert.equal(VERSION, JSON.parse(read('package.json')).version);
  });

  it('embeds sample.yaml verbatim', () => {
    assert.ok(README.includes('## sample.yaml\n\n```yaml\n' + SAMPLE + '```\n'), 'README section "sample.yaml" must hold the file as it is');
  });

  it('has a sample of two stations that validates, with profiles the driver ships', () => {
    const { devices } = parseYamlSource('sample.yaml', SAMPLE).data as { devices: unknown[] };
    assert.equal(devices.length, 2);
    for (const raw of devices) {
      const device = deviceSchema.parse(raw);
      if (device.profile) assert.ok(existsSync(join(hj212.profiles!, `${device.profile}.yaml`)), `profile ${device.profile}`);
      for (const point of device.points) assert.deepEqual(pointProblems(point), [], point.id);
    }
  });

  it('documents every connection and point field', () => {
    const fields = [...Object.keys(z.toJSONSchema(connectionSchema, { io: 'input' }).properties ?? {}), ...Object.keys(pointShape)];
    assert.deepEqual(fields.filter((f) => !README.includes(`| \`${f}\` |`)), []);
  });

  it('lists every code and every data flag of the code tables', () => {
    const codeRows = POLLUTANTS.map(
      (p) => `| \`${p.code}\` | ${p.dialect === '2005' ? `2005 (→ \`${p.equivalent}\`)` : '2017'} | \`${p.alias}\` | ${p.name} | ${p.unit}${p.couUnit ? ` (Cou: ${p.couUnit})` : ''} |`,
    );
    const flagRows = Object.values(DATA_FLAGS).map((f) => `| \`${f.flag}\` | ${f.meaning} | ${f.quality} |`);
    assert.deepEqual([...codeRows, ...flagRows].filter((row) => !README.includes(row + '\n')), []);
  });

  it('refuses invalid connection fields with messages that say what is expected', () => {
    const bad = connectionSchema.safeParse({ port: 6000, mn: 'MN-1', password: 'a;b', timeZone: 'Mars/Olympus', allow: ['10.0.0.0/33', 'example.com'], dialect: '2010' });
    assert.ok(!bad.success);
    const messages = bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    for (const expected of [/^mn: an MN is letters and digits/, /^password: a password cannot contain/, /^timeZone: an IANA time zone/, /^allow\.0: an IPv4 or IPv6 address/, /^allow\.1: /, /^dialect: /]) {
      assert.ok(messages.some((m) => expected.test(m)), `${expected} in ${messages.join(' | ')}`);
    }
    const ok = connectionSchema.parse({ port: 6000, mn: '010000A8900016F000169DC0', password: '123456', idleTimeout: '2h', allow: ['10.0.0.0/8', '::1', '192.0.2.7'] });
    assert.equal(ok.idleTimeout, 7_200_000);
    assert.equal(ok.timeZone, 'Asia/Shanghai');
  });
});
