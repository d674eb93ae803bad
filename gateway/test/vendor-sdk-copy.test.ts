// A vendor's driver package installed beside a site's configuration with its own copy of the SDK
// (what `npm install` gives a package that depends on it). The errors it raises come from that
// copy's class, not the gateway's: their codes, retryability and statuses must still reach the feed
// as the driver said them, not as SG_DRIVER_FAILURE.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testBroker, type TestBroker } from './support/broker.js';
import { REPO, runCli, startCli, type CliProcess } from './support/cli.js';
import { FeedConsumer } from './support/feed.js';
import { waitFor } from '@sensegate/sdk/testing';

const GATEWAY = `vendor-copy-${process.pid}`;

const DRIVER = `import { defineDriver, SensegateError } from '@sensegate/sdk';
import { z } from 'zod';

export default defineDriver({
  name: 'vendor-meter',
  version: '1.0.0',
  description: 'A meter that refuses connections or reports a fault, as a vendor would write it.',
  connection: z.object({ mode: z.enum(['refused', 'fault']) }).strict(),
  point: z.object({}).strict(),
  create() {
    return {
      addDevice() {},
      removeDevice() {},
      async read(device, batch) {
        if (device.connection.mode === 'refused') {
          throw new SensegateError('SG_CONNECT_REFUSED', 'the meter refused the connection', { device: device.id });
        }
        batch.points.forEach((p, i) =>
          batch.fail(i, new SensegateError('SG_PROTOCOL_ERROR', 'the meter reports fault 3', { device: device.id, point: p.id, status: 'vendor:fault:3', retryable: false })),
        );
      },
      async stop() {},
    };
  },
});
`;

describe('a vendor driver with its own copy of the SDK', () => {
  let dir: string;
  let broker: TestBroker;
  let consumer: FeedConsumer;
  let gateway: CliProcess | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-vendor-'));
    const modules = join(dir, 'node_modules');
    // The SDK as the vendor's package gets it from the registry: its own files, its own module instance.
    await mkdir(join(modules, '@sensegate', 'sdk'), { recursive: true });
    await cp(join(REPO, 'sdk', 'package.json'), join(modules, '@sensegate', 'sdk', 'package.json'));
    await cp(join(REPO, 'sdk', 'dist'), join(modules, '@sensegate', 'sdk', 'dist'), { recursive: true });
    for (const dep of ['zod', 'yaml']) await symlink(join(REPO, 'node_modules', dep), join(modules, dep));
    await mkdir(join(modules, 'vendor-meter'));
    await writeFile(join(modules, 'vendor-meter', 'package.json'), JSON.stringify({ name: 'vendor-meter', version: '1.0.0', type: 'module', main: 'index.js' }));
    await writeFile(join(modules, 'vendor-meter', 'index.js'), DRIVER);
    broker = await testBroker();
    consumer = await FeedConsumer.connect(broker.url, GATEWAY);
  });

  after(async () => {
    await gateway?.stop();
    await consumer?.close();
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the driver's codes, retryability and statuses in the feed", async () => {
    const config = join(dir, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: refusing
    driver: vendor-meter
    pollInterval: 200ms
    connection: { mode: refused }
    points: [{ id: flow }]
  - id: faulty
    driver: vendor-meter
    pollInterval: 200ms
    connection: { mode: fault }
    points: [{ id: flow }]
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );
    gateway = startCli(['run', '--config', config, '--data', join(dir, 'data'), '--log-format', 'json']);
    await gateway.waitForOutput(/gateway .* started/);
    const [refused] = await consumer.waitForReadings('a reading of the refusing meter', (r) => r.device === 'refusing');
    const [fault] = await consumer.waitForReadings('a reading of the faulty meter', (r) => r.device === 'faulty');
    assert.equal(refused!.status, 'SG_CONNECT_REFUSED', JSON.stringify(refused));
    assert.equal(fault!.status, 'vendor:fault:3', JSON.stringify(fault));
    assert.equal(fault!.quality, 'bad');
    const offline = await waitFor('the refusing meter to be reported offline', () =>
      consumer.allEvents().find((e) => e.device === 'refusing' && e.type === 'device.state' && (e.data as { state?: string }).state === 'offline'),
    );
    assert.equal((offline.data as { code?: string }).code, 'SG_CONNECT_REFUSED');
    const birth = await consumer.waitForStatus('birth');
    assert.deepEqual(birth.payload.drivers, [{ name: 'vendor-meter', package: 'vendor-meter', version: '1.0.0', contract: 1 }]);
  });

  it('refuses, at load, a driver built for a driver contract this gateway does not speak, naming both', async () => {
    // What a driver built with a future SDK looks like to this gateway.
    const future = join(dir, 'node_modules', 'future-meter');
    await mkdir(future);
    await writeFile(join(future, 'package.json'), JSON.stringify({ name: 'future-meter', version: '3.0.0', type: 'module', main: 'index.js' }));
    await writeFile(
      join(future, 'index.js'),
      `import meter from 'vendor-meter';\nexport default Object.freeze({ ...meter, name: 'future-meter', version: '3.0.0', contract: 7 });\n`,
    );
    const config = join(dir, 'future.yaml');
    await writeFile(config, `gateway: { id: future }\ndevices:\n  - id: m1\n    driver: future-meter\n    connection: { mode: fault }\n    points: [{ id: flow }]\nsinks: []\n`);
    const result = await runCli(['validate', '--config', config]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr + result.stdout, /future\.yaml:4:5: devices\[0\]\.driver: /);
    assert.match(result.stderr + result.stdout, /driver "future-meter" \(future-meter 3\.0\.0\) was built for driver contract 7 .* this gateway speaks driver contract 1/);
  });
});
