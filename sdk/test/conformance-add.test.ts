// The conformance kit checks that adding a device opens nothing: `sensegate validate` and
// `sensegate plan` add every device of a site, and must leave its ports and devices alone.
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineDriver, type DriverContext } from '../src/index.js';
import { checkAddOpensNothing, checkDriver, createTestContext, testDevice } from '../src/testing/index.js';

/** A push driver that listens for its device, in addDevice (`early`) or, as it should, in startDevice. */
function listeningDriver(early: boolean) {
  return defineDriver({
    name: 'listening',
    version: '1.0.0',
    description: 'Test driver: listens on a port for its device.',
    connection: z.object({ port: z.number().int().describe('Port to listen on.') }).strict(),
    point: z.object({}).strict(),
    create: (context: DriverContext) => {
      const servers = new Map<string, Server>();
      const listen = (id: string) =>
        new Promise<void>((resolve) => {
          const server = createServer((socket) => {
            context.health(id, 'online');
            context.publish(id, 'level', 1);
            socket.destroy();
          });
          servers.set(id, server);
          server.listen(0, '127.0.0.1', resolve);
        });
      const close = async (id: string) => {
        const server = servers.get(id);
        servers.delete(id);
        if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
      };
      return {
        addDevice: (d) => (early ? listen(d.id) : undefined),
        startDevice: (d) => (early ? undefined : listen(d.id)),
        removeDevice: (id) => close(id),
        stop: async () => void (await Promise.all([...servers.keys()].map(close))),
        portOf: (id: string) => (servers.get(id)?.address() as { port: number }).port,
      };
    },
  });
}

async function check(early: boolean): Promise<string[]> {
  const driver = listeningDriver(early);
  const context = createTestContext();
  const instance = driver.create(context) as ReturnType<typeof driver.create> & { portOf(id: string): number };
  const device = testDevice(driver, { id: 'gauge', connection: { port: 0 }, points: [{ id: 'level' }] });
  return checkDriver(driver, {
    device,
    instance,
    push: {
      context,
      // The device dials in, and the driver hears it.
      speak: () => new Promise<void>((resolve) => void connect(instance.portOf('gauge'), '127.0.0.1').on('close', () => resolve()).on('error', () => resolve())),
    },
  });
}

describe('conformance kit: addDevice opens nothing', () => {
  it('passes a driver that listens in startDevice', async () => {
    assert.deepEqual(await check(false), []);
  });

  it('names a driver that binds its port in addDevice, and where that belongs', async () => {
    assert.deepEqual(await check(true), ['listening: addDevice(gauge) opened 1 listening TCP server; connect and listen in startDevice, which dry runs (validate, plan) never call']);
  });

  it('can be run on its own, and names an outgoing connection too', async () => {
    const target = createServer();
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as { port: number }).port;
    const sockets: Array<ReturnType<typeof connect>> = [];
    const problems = await checkAddOpensNothing(
      { addDevice: () => void sockets.push(connect(port, '127.0.0.1').on('error', () => {})) },
      { id: 'eager' } as never,
    );
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => target.close(() => resolve()));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^addDevice\(eager\) opened \d TCP sockets?, 1 TCP connection attempt;/);
  });
});
