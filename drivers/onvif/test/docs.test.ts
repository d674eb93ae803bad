// The README is what a field engineer reads: its sample is the shipped sample.yaml, that sample is a
// valid configuration, every connection and point field is documented, the camera profile is
// valid, and the driver passes the SDK's definition checks and its conformance kit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baseDeviceShape, basePointShape, parseYamlSource } from '@sensegate/sdk';
import { checkDefinition, checkDriver, createTestContext, testDevice } from '@sensegate/sdk/testing';
import { z } from 'zod';
import onvif, { VERSION, commands, connectionSchema, pointShape } from '../src/index.js';
import { startSim } from './support/rig.js';

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const README = read('README.md');
const SAMPLE = read('sample.yaml');
const pointSchema = z.object({ ...basePointShape, ...onvif.point.shape }).strict();
const deviceSchema = z.object({ ...baseDeviceShape, connection: onvif.connection, points: z.array(pointSchema).default([]) }).strict();

describe('README, sample.yaml, profile and definition', () => {
  it('passes the SDK\'s definition checks', () => {
    assert.deepEqual(checkDefinition(onvif), []);
    assert.equal(onvif.name, 'onvif');
    assert.deepEqual(Object.keys(onvif.commands ?? {}), Object.keys(commands));
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

  it('documents every connection, events, point field and command', () => {
    const json = z.toJSONSchema(connectionSchema, { io: 'input' }) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    const fields = [...Object.keys(json.properties), ...Object.keys(json.properties['events']!.properties ?? {}), ...Object.keys(pointShape)];
    assert.deepEqual(fields.filter((f) => !README.includes(`| \`${f}\` |`)), []);
    assert.deepEqual(Object.keys(commands).filter((c) => !README.includes(`| \`${c}\` |`)), []);
  });

  it('ships a camera profile whose points are all sources', () => {
    const profile = parseYamlSource('camera.yaml', readFileSync(join(onvif.profiles!, 'camera.yaml'), 'utf8')).data as { name: string; points: Array<{ id: string }> };
    assert.equal(profile.name, 'camera');
    for (const p of profile.points) pointSchema.parse(p);
    const ids = profile.points.map((p) => p.id);
    for (const source of ['online', 'clock-offset', 'motion', 'tamper', 'last-event', 'ptz.pan', 'stream.up']) assert.ok(ids.includes(source), source);
  });

  it('refuses bad connection fields with messages that say what is expected', () => {
    const bad = connectionSchema.safeParse({ url: 'rtsp://cam/1', password: { env: 'X' }, events: { termination: '10s', pullTimeout: '8s' } });
    assert.ok(!bad.success);
    const messages = bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(messages.some((m) => /^url: a device service URL such as http:/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^user: a `password` needs the `user`/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^events\.pullTimeout: events\.pullTimeout must be at most half/.test(m)), messages.join('\n'));
    assert.ok(!connectionSchema.safeParse({}).success, 'url or host is required');
  });
});

describe('conformance kit', () => {
  it('holds for a camera that speaks (motion), runs its PTZ commands, comes back after a restart, and for an unreachable one', async (t) => {
    let sim = await startSim();
    t.after(() => sim.close());
    const context = createTestContext({ driver: 'onvif' });
    const device = testDevice(onvif, {
      id: 'kit',
      timeout: 5000,
      connection: { url: sim.cameras[0]!.deviceServiceUrl, user: 'admin', password: 'admin' },
      points: [{ id: 'online' }, { id: 'motion' }, { id: 'gate-motion', source: 'motion' }],
    });
    const unreachable = testDevice(onvif, { id: 'gone', timeout: 500, connection: { url: 'http://127.0.0.1:1/onvif/device_service' }, points: [{ id: 'online' }] });
    const problems = await checkDriver(onvif, {
      device,
      unreachable,
      push: { context, speak: async () => sim.motion('cam1'), timeout: 20_000 },
      commands: {
        'ptz.move': { args: { pan: 0.5, timeout: '500ms' } },
        'ptz.stop': { args: {} },
        'ptz.absolute': { args: { pan: 0.2, tilt: -0.1, zoom: 0.5 } },
        'ptz.relative': { args: { pan: 0.1 } },
        'ptz.preset.set': { args: { name: 'gate' } }, // before it is recalled: the kit runs them in this order
        'ptz.preset.goto': { args: { preset: 'gate' }, refused: { preset: 'no-such-preset' } },
        'ptz.home': { args: {} },
      },
      // The same camera, stopped and started again on the same ports.
      restart: async () => {
        const url = new URL(sim.cameras[0]!.deviceServiceUrl);
        const rtsp = new URL(sim.cameras[0]!.rtspUrl);
        const http = new URL(sim.cameras[0]!.snapshotUrl);
        await sim.close();
        sim = await startSim({ port: Number(url.port), rtspPort: Number(rtsp.port), httpPort: Number(http.port) });
      },
      reconnectTimeout: 30_000,
    });
    assert.deepEqual(problems, []);
  });
});
