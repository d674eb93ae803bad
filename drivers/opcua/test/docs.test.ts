// The README is what a field engineer reads: its sample is the shipped sample.yaml, that sample is a
// valid configuration, every connection and point field is documented, and the driver passes the
// SDK's definition checks and its conformance kit against the simulator (writes, a write-only point,
// a slow server cut off at the timeout, a restarted server).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { baseDeviceShape, basePointShape, parseYamlSource } from '@sensegate/sdk';
import { checkDefinition, checkDriver, createTestContext, testDevice } from '@sensegate/sdk/testing';
import { z } from 'zod';
import opcua, { VERSION, connectionSchema, pointShape } from '../src/index.js';
import { plant, startRig } from './support/plant.js';

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const README = read('README.md');
const SAMPLE = read('sample.yaml');
const pointSchema = z.object({ ...basePointShape, ...opcua.point.shape }).strict();
const deviceSchema = z.object({ ...baseDeviceShape, connection: opcua.connection, points: z.array(pointSchema).default([]) }).strict();

describe('README, sample.yaml and definition', () => {
  it('passes the SDK\'s definition checks', () => {
    assert.deepEqual(checkDefinition(opcua), []);
    assert.equal(opcua.name, 'opcua');
  });

  it('has the version of package.json', () => {
    assert.equal(VERSION, JSON.parse(read('package.json')).version);
  });

  it('embeds sample.yaml verbatim, and the sample validates', () => {
    assert.ok(README.includes('## sample.yaml\n\n```yaml\n' + SAMPLE + '```\n'), 'README section "sample.yaml" must hold the file as it is');
    const { devices } = parseYamlSource('sample.yaml', SAMPLE).data as { devices: unknown[] };
    assert.equal(devices.length, 2);
    for (const raw of devices) deviceSchema.parse(raw);
  });

  it('documents every connection and point field', () => {
    const fields = [...Object.keys(z.toJSONSchema(connectionSchema, { io: 'input' }).properties ?? {}), ...Object.keys(pointShape)];
    assert.deepEqual(fields.filter((f) => !README.includes(`| \`${f}\` |`)), []);
  });

  it('refuses bad connection and point fields with messages that say what is expected', () => {
    const bad = connectionSchema.safeParse({ endpoint: 'http://plant', securityMode: 'None', securityPolicy: 'Basic256Sha256', keepAliveCount: 30, lifetimeCount: 60 });
    assert.ok(!bad.success);
    const messages = bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(messages.some((m) => /^endpoint: an OPC UA endpoint URL such as opc\.tcp:/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^securityPolicy: securityPolicy Basic256Sha256 needs securityMode Sign or SignAndEncrypt/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^lifetimeCount: lifetimeCount must be at least three times keepAliveCount \(90\)/.test(m)), messages.join('\n'));
    const point = pointSchema.safeParse({ id: 'p', nodeId: 'Pump1.Speed' });
    assert.ok(!point.success);
    assert.match(point.error.issues[0]!.message, /"Pump1.Speed" is not a node id: write nsu=/);
  });
});

describe('conformance kit', () => {
  it('holds for subscribed and polled points, and for an unreachable server', async () => {
    const rig = await startRig();
    try {
      const context = createTestContext({ driver: 'opcua', dataDir: rig.context.dataDir });
      const device = rig.device({
        id: 'kit',
        points: [
          { id: 'speed', nodeId: plant('Pump1.Speed') },
          { id: 'level', nodeId: plant('Tank1.Level'), mode: 'poll' },
          { id: 'setpoint', nodeId: plant('Pump2.SpeedSetpoint'), mode: 'poll', direction: 'readwrite' },
          // Write-only: never subscribed, never polled; a value published for it is a problem.
          { id: 'command', nodeId: plant('Pump1.SpeedSetpoint'), direction: 'write' },
        ],
      });
      const unreachable = testDevice(opcua, {
        id: 'gone',
        timeout: 500,
        connection: { endpoint: 'opc.tcp://127.0.0.1:1/UA/Nowhere' },
        points: [{ id: 'x', nodeId: 'i=2258', mode: 'poll' }],
      });
      const problems = await checkDriver(opcua, {
        device,
        unreachable,
        push: { context, speak: async () => {} },
        writes: { setpoint: { value: 40, refused: 150 }, command: { value: 30 } },
        stall: async () => {
          rig.sim.slow(device.timeout * 3);
          return async () => rig.sim.slow(0);
        },
        restart: () => rig.sim.restart({ downMs: 300 }),
      });
      assert.deepEqual(problems, []);
    } finally {
      await rig.close();
    }
  });
});
