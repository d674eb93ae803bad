/**
 * A simulated camera site and a driver instance pointed at it, for the driver's tests. Pictures are
 * small (320x240 at 5 fps) so that a loaded CI machine is not busy encoding.
 */
import type { DeviceRef } from '@sensegate/sdk';
import { createTestContext, testDevice, type TestContext, type TestDeviceInput } from '@sensegate/sdk/testing';
import { startOnvifSimulator, type OnvifSimulator, type OnvifSimulatorOptions, type SimulatedCameraSpec } from '@sensegate/sim-onvif';
import onvif, { type OnvifConnection, type OnvifInstance, type OnvifPointFields } from '../../src/index.js';

export type Device = DeviceRef<OnvifConnection, OnvifPointFields>;

export const SMALL: SimulatedCameraSpec = { width: 320, height: 240, fps: 5 };

/** The camera profile's points, as `profile: camera` gives them. */
export const CAMERA_POINTS = ['online', 'clock-offset', 'motion', 'tamper', 'last-event', 'ptz.pan', 'ptz.tilt', 'ptz.zoom', 'stream.up', 'stream.bitrate', 'stream.viewers'].map((id) => ({ id }));

export interface Rig {
  sim: OnvifSimulator;
  context: TestContext;
  instance: OnvifInstance;
  device(input: Partial<Omit<TestDeviceInput, 'connection'>> & { camera?: string; connection?: Record<string, unknown> }): Device;
  run(device: Device): Promise<void>;
  values(device: string, point: string, from?: number): TestContext['published'];
  close(): Promise<void>;
}

export function startSim(options: OnvifSimulatorOptions = {}): Promise<OnvifSimulator> {
  return startOnvifSimulator({ cameras: [{ id: 'cam1', ...SMALL }], discovery: { multicast: false, unicastPort: 0 }, ...options });
}

export async function startRig(options: OnvifSimulatorOptions = {}): Promise<Rig> {
  const sim = await startSim(options);
  const context = createTestContext({ driver: 'onvif' });
  const instance = onvif.create(context) as OnvifInstance;
  return {
    sim,
    context,
    instance,
    device: ({ camera = 'cam1', connection, ...input }) =>
      testDevice(onvif, {
        id: camera,
        timeout: 5000,
        reconnect: { initialDelay: 200, maxDelay: 1000 },
        log: context.log.child({ device: input.id ?? camera }),
        points: CAMERA_POINTS,
        ...input,
        connection: {
          url: sim.cameras.find((c) => c.id === camera)!.deviceServiceUrl,
          user: sim.credentials.user,
          password: sim.credentials.password,
          ...connection,
        },
      }) as Device,
    async run(device) {
      await instance.addDevice(device);
      instance.startDevice(device);
    },
    values: (device, point, from = 0) => context.published.slice(from).filter((p) => p.device === device && p.point === point),
    async close() {
      await instance.stop();
      await sim.close();
    },
  };
}
