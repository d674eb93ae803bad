// `sensegate validate` and `sensegate plan` are dry runs: on a site whose stations dial in (HJ 212,
// SL 651), they check every device without binding the stations' port, so a station dialing in
// meanwhile never reaches them, and they work beside the running gateway that holds the port.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@sensegate/sdk/testing';
import { startCli } from './support/cli.js';

/** A site with an HJ 212 and an SL 651 station listening on ports, and a camera whose password comes from `secretFile`. */
const site = (hj212Port: number, sl651Port: number, secretFile: string) => `gateway: { id: dry-run-ports }
devices:
  - id: air-1
    driver: hj212
    connection: { host: 127.0.0.1, port: ${hj212Port}, mn: AIR0000000000000000000001, password: '123456' }
    points: [{ id: pm25, code: a34004 }]
  - id: rain-1
    driver: sl651
    connection: { host: 127.0.0.1, port: ${sl651Port}, address: '0012345678', password: '1234' }
    points: [{ id: level, element: waterLevel }]
  - id: gate-cam
    driver: onvif
    connection: { host: 127.0.0.1, port: 1, user: gateway, password: { file: ${JSON.stringify(secretFile)} } }
    points: [{ id: motion, source: motion }]
`;

function listen(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve(server)));
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('dry runs leave the stations\' ports alone', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-dry-ports-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const command of ['validate', 'plan']) {
    it(`${command} checks every device while the stations' ports stay free`, async () => {
      const [hj212Port, sl651Port] = [await freePort(), await freePort()];
      // The camera's password is read from a FIFO, after the stations were added: the dry run waits
      // there, mid-way, until the test has looked at the ports.
      const fifo = join(dir, `${command}-password`);
      execFileSync('mkfifo', [fifo]);
      const config = join(dir, `${command}.yaml`);
      await writeFile(config, site(hj212Port, sl651Port, fifo));
      const cli = startCli([command, '--config', config]);
      const secret = await open(fifo, 'w'); // resolves once the dry run opened it to read
      try {
        // Both stations were added (checked) before the camera; neither port is bound.
        for (const port of [hj212Port, sl651Port]) await close(await listen(port));
      } finally {
        await secret.writeFile('camera-password\n');
        await secret.close();
      }
      assert.equal(await cli.exited, 0, cli.stdout() + cli.stderr());
      if (command === 'validate') assert.match(cli.stdout(), /ok: gateway dry-run-ports, 3 device\(s\), 3 point\(s\)/);
      else assert.match(cli.stdout(), /device air-1 \(hj212\)/);
    });

    it(`${command} succeeds beside a gateway that holds the stations' ports`, async () => {
      const servers = [await listen(0), await listen(0)];
      try {
        const [hj212Port, sl651Port] = servers.map((s) => (s.address() as { port: number }).port) as [number, number];
        const password = join(dir, `${command}-held-password`);
        await writeFile(password, 'camera-password\n');
        const config = join(dir, `${command}-held.yaml`);
        await writeFile(config, site(hj212Port, sl651Port, password));
        const cli = startCli([command, '--config', config]);
        assert.equal(await cli.exited, 0, cli.stdout() + cli.stderr());
        assert.doesNotMatch(cli.stdout() + cli.stderr(), /cannot listen|EADDRINUSE|offline/);
      } finally {
        await Promise.all(servers.map(close));
      }
    });
  }
});
