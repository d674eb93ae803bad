// An operator points a camera: PTZ commands move the simulated head, presets are saved and
// recalled by name or token, and the position points follow; an offline camera refuses clearly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SensegateError } from '@sensegate/sdk';
import { createTestContext, testDevice, waitFor } from '@sensegate/sdk/testing';
import onvif, { commands, type OnvifInstance } from '../src/index.js';
import { startRig, type Device, type Rig } from './support/rig.js';

const near = (a: number, b: number, tolerance = 0.02) => Math.abs(a - b) <= tolerance;
const signal = () => AbortSignal.timeout(30_000);

async function ready(t: { after(fn: () => Promise<void>): void }): Promise<{ rig: Rig; device: Device }> {
  const rig = await startRig();
  t.after(() => rig.close());
  const device = rig.device({});
  await rig.run(device);
  await waitFor('cam1 online', () => rig.context.healthChanges.some((h) => h.state === 'online'));
  return { rig, device };
}

async function run(rig: Rig, device: Device, name: keyof typeof commands, args: Record<string, unknown>) {
  return rig.instance.command(device, name, commands[name].args.parse(args), signal());
}

describe('PTZ commands', () => {
  it('moves to an absolute position and publishes ptz.pan, ptz.tilt and ptz.zoom', async (t) => {
    const { rig, device } = await ready(t);
    await run(rig, device, 'ptz.absolute', { pan: 0.5, tilt: -0.25, zoom: 0.3 });
    await waitFor('the head at 0.5/-0.25/0.3', () => {
      const p = rig.sim.ptz('cam1');
      return !p.moving && near(p.pan, 0.5) && near(p.tilt, -0.25) && near(p.zoom, 0.3);
    });
    await waitFor('the position points', () => near(Number(rig.values('cam1', 'ptz.pan').at(-1)?.value), 0.5) && near(Number(rig.values('cam1', 'ptz.tilt').at(-1)?.value), -0.25));
    await run(rig, device, 'ptz.relative', { pan: -0.25 });
    await waitFor('the head 0.25 to the left', () => !rig.sim.ptz('cam1').moving && near(rig.sim.ptz('cam1').pan, 0.25));
  });

  it('moves continuously until stopped', async (t) => {
    const { rig, device } = await ready(t);
    const start = rig.sim.ptz('cam1').pan;
    await run(rig, device, 'ptz.move', { pan: 0.5 });
    await waitFor('the head moving right', () => rig.sim.ptz('cam1').pan > start + 0.05);
    await run(rig, device, 'ptz.stop', {});
    await waitFor('the head stopped', () => !rig.sim.ptz('cam1').moving);
    const stopped = rig.sim.ptz('cam1').pan;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rig.sim.ptz('cam1').pan, stopped);
  });

  it('saves presets and goes to them by name or token, and home', async (t) => {
    const { rig, device } = await ready(t);
    await run(rig, device, 'ptz.absolute', { pan: 0.4, tilt: 0.2 });
    await waitFor('at the gate', () => !rig.sim.ptz('cam1').moving && near(rig.sim.ptz('cam1').pan, 0.4));
    const saved = (await run(rig, device, 'ptz.preset.set', { name: 'gate' })) as { token: string };
    assert.equal(typeof saved.token, 'string');
    assert.ok(saved.token.length > 0);
    const again = (await run(rig, device, 'ptz.preset.set', { name: 'gate' })) as { token: string };
    assert.equal(again.token, saved.token, 'saving under the same name overwrites');
    await run(rig, device, 'ptz.home', {});
    await waitFor('home', () => !rig.sim.ptz('cam1').moving && near(rig.sim.ptz('cam1').pan, 0) && near(rig.sim.ptz('cam1').tilt, 0));
    await run(rig, device, 'ptz.preset.goto', { preset: 'gate' });
    await waitFor('back at the gate by name', () => !rig.sim.ptz('cam1').moving && near(rig.sim.ptz('cam1').pan, 0.4) && near(rig.sim.ptz('cam1').tilt, 0.2));
    await run(rig, device, 'ptz.home', {});
    await waitFor('home again', () => !rig.sim.ptz('cam1').moving && near(rig.sim.ptz('cam1').pan, 0));
    await run(rig, device, 'ptz.preset.goto', { preset: saved.token });
    await waitFor('back at the gate by token', () => !rig.sim.ptz('cam1').moving && near(rig.sim.ptz('cam1').pan, 0.4));
    await assert.rejects(run(rig, device, 'ptz.preset.goto', { preset: 'harbour' }), (err: SensegateError) => err.code === 'SG_COMMAND_FAILED' && /no preset "harbour".*gate/.test(err.message));
  });

  it('refuses commands to an offline camera with SG_NOT_CONNECTED', async () => {
    const context = createTestContext({ driver: 'onvif' });
    const instance = onvif.create(context) as OnvifInstance;
    const device = testDevice(onvif, { id: 'gone', timeout: 500, connection: { url: 'http://127.0.0.1:1/onvif/device_service' }, points: [] }) as Device;
    await instance.addDevice(device);
    instance.startDevice(device);
    try {
      await assert.rejects(instance.command(device, 'ptz.stop', {}, signal()), (err: SensegateError) => err.code === 'SG_NOT_CONNECTED' && /camera gone is offline/.test(err.message));
      await assert.rejects(instance.command(device, 'ptz.dance', {}, signal()), /onvif has no command "ptz.dance"/);
    } finally {
      await instance.stop();
    }
  });
});
