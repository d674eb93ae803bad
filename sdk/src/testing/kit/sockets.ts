/**
 * `addDevice` is what dry runs (`sensegate validate`, `sensegate plan`) call, and they must leave the
 * site's ports and devices alone: connecting and listening belong in `startDevice`.
 */
import { createHook } from 'node:async_hooks';
import type { DeviceRef, DriverInstance } from '../../driver.js';

/** Resources that mean a socket or a listening port: a server, a connection (or one being made), a datagram socket. */
const NETWORK_RESOURCES: Record<string, string> = {
  TCPSERVERWRAP: 'listening TCP server',
  TCPWRAP: 'TCP socket',
  TCPCONNECTWRAP: 'TCP connection attempt',
  UDPWRAP: 'UDP socket',
  PIPESERVERWRAP: 'listening pipe',
};

/**
 * Adds the device and checks that adding it opened no socket and bound no port. Every network
 * resource the process creates while `addDevice` runs (and just after, for work it set going without
 * awaiting) counts, so nothing else in the process should open one meanwhile.
 */
export async function checkAddOpensNothing<C, P>(instance: Pick<DriverInstance<C, P>, 'addDevice'>, device: DeviceRef<C, P>): Promise<string[]> {
  const opened = new Map<string, number>();
  const hook = createHook({
    init(_id, type) {
      const what = NETWORK_RESOURCES[type];
      if (what) opened.set(what, (opened.get(what) ?? 0) + 1);
    },
  });
  hook.enable();
  try {
    await instance.addDevice(device);
    // Let a connect or listen that addDevice set going without awaiting it (on the next tick) show up.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    hook.disable();
  }
  if (opened.size === 0) return [];
  const list = [...opened].map(([what, count]) => `${count} ${what}${count === 1 ? '' : 's'}`).join(', ');
  return [`addDevice(${device.id}) opened ${list}; connect and listen in startDevice, which dry runs (validate, plan) never call`];
}
