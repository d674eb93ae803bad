/**
 * The files of the package `sensegate new driver <name>` writes: a driver for a meter answering a
 * line protocol over TCP, its simulator, its conformance tests, a README and a sample. Kept as text
 * here (not as files beside the bundle) so the command works wherever the CLI is installed.
 * Placeholders, replaced when written: __PACKAGE__ (npm name), __DRIVER__ (the driver's short name),
 * __SDK__ (the SDK's devDependency spec), __SDK_PEER__ (the SDK versions it works with) and
 * __TARBALL__ (what `npm pack` writes).
 * The generated package's own tests are run by gateway/test/new-driver.test.ts.
 */
export const DRIVER_TEMPLATE: Readonly<Record<string, string>> = {
  'package.json': `{
  "name": "__PACKAGE__",
  "version": "0.1.0",
  "description": "A sensegate driver for a meter that answers one line per request over TCP.",
  "keywords": ["sensegate-driver"],
  "type": "module",
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
    "./simulator": { "types": "./dist/simulator.d.ts", "default": "./dist/simulator.js" }
  },
  "files": ["dist", "README.md", "sample.yaml"],
  "scripts": {
    "build": "tsc -p tsconfig.json",
    "test": "node --import tsx --test test/*.test.ts",
    "prepack": "npm run build"
  },
  "peerDependencies": { "@sensegate/sdk": "__SDK_PEER__" },
  "dependencies": { "zod": "^4.1.0" },
  "devDependencies": {
    "@sensegate/sdk": "__SDK__",
    "@types/node": "^20.11.0",
    "tsx": "^4.20.0",
    "typescript": "~5.9.0"
  },
  "engines": { "node": ">=20.11" }
}
`,
  'tsconfig.json': `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "declaration": true,
    "sourceMap": true,
    "outDir": "dist",
    "rootDir": "src",
    "types": ["node"],
    "skipLibCheck": true
  },
  "include": ["src"]
}
`,
  '.gitignore': `node_modules/
dist/
*.tgz
`,
  'README.md': `# __PACKAGE__

A sensegate driver for a meter that answers one line per request over TCP, with a simulator of
the meter and tests that run the SDK's conformance kit against it. It was made by
\`sensegate new driver __PACKAGE__\`: a starting point to change into a driver for your own device.

| file | what it is |
|---|---|
| \`src/index.ts\` | the driver: its connection and point fields (zod schemas, described), and the instance the gateway drives: \`addDevice\` (validation only), \`startDevice\`, \`read\`, \`write\`, \`stop\` |
| \`src/protocol.ts\` | the device's protocol: one request, one answer, ended by a deadline or an abort |
| \`src/ping.ts\` | a tool on the command line: \`sensegate __PACKAGE__ ping --port N\` |
| \`src/simulator.ts\` | a simulated meter, as a library for tests and as \`sensegate sim __PACKAGE__\` |
| \`test/driver.test.ts\` | the conformance kit against the simulator, and what a user would see |
| \`sample.yaml\` | a device in a site configuration (\`sensegate drivers __PACKAGE__\` shows it) |

## The protocol

One request per TCP connection, one line each way:

\`\`\`
PING              -> PONG <model>
READ <field>      -> <number>   or  ERR <reason>
WRITE <field> <v> -> OK         or  ERR <reason>
\`\`\`

Fields: \`flow\`, \`total\`, and \`setpoint\`, the only one that can be written (0 to 100 in the
simulator). Change \`FIELDS\` in \`src/index.ts\`, \`src/protocol.ts\` and the simulator to what your
device really speaks; keep the tests passing as you go.

## Build and test

\`@sensegate/sdk\` comes from the spec in \`devDependencies\` (\`__SDK__\`); point it at a packed
SDK tarball (\`file:/path/to/sensegate-sdk-0.1.0.tgz\`) where no registry serves the SDK.

\`\`\`sh
npm install      # typescript, tsx, zod and @sensegate/sdk
npm run build    # compiles src/ to dist/
npm test         # the conformance kit against the simulator
\`\`\`

The tests check what every sensegate driver must do: every point of a read ends with a value or an
error, a read ends when the gateway aborts it at the device's \`timeout\`, an unreachable meter gives
retryable errors instead of hanging, writes are confirmed or refused with a code, reads come back
after the meter restarts, and \`stop()\` leaves no socket or timer behind.

## Install it next to a site's configuration

The gateway loads a driver by its package name from the \`node_modules\` folder next to the site's
configuration file. Publish the package (\`npm publish\`), or pack it, and install it there:

\`\`\`sh
npm pack                                   # builds, then writes __TARBALL__
cd /etc/sensegate                          # the folder of site.yaml
npm install /path/to/__TARBALL__           # and @sensegate/sdk, if the site has none yet
sensegate drivers --config site.yaml       # lists __PACKAGE__ beside the built-in drivers
\`\`\`

Then name it in the site's configuration:

\`\`\`yaml
gateway: { id: pump-station-7 }
devices:
  - id: meter-1
    driver: "__PACKAGE__"
    pollInterval: 5s
    connection: { host: 10.0.0.50, port: 4001 }
    points:
      - { id: flow, field: flow, unit: m3/h }
      - { id: total, field: total, unit: m3 }
      - { id: setpoint, field: setpoint, writable: true }
sinks:
  - { type: mqtt, url: "mqtt://broker.example:1883" }
\`\`\`

and run it with \`sensegate run --config site.yaml\`.

## Try it without a meter

In the site's folder, once the package is installed there:

\`\`\`sh
sensegate sim __PACKAGE__ --port 4001       # a simulated meter; type \`silent on\` to make it hang
sensegate __PACKAGE__ ping --port 4001      # PONG MTR-100 from 127.0.0.1:4001
\`\`\`

With the simulator running, a site whose meter is at \`127.0.0.1:4001\` reads it.
`,
  'sample.yaml': `# A __PACKAGE__ meter in a sensegate configuration: the \`devices:\` section of the site's YAML file.
# Install the package next to that file first (see README.md). \`sensegate drivers __PACKAGE__\`
# lists every field.
devices:
  - id: meter-1
    name: Inlet flow meter
    driver: "__PACKAGE__"
    pollInterval: 5s
    timeout: 2s                     # how long one request may take
    connection:
      host: 10.0.0.50               # the meter's address
      port: 4001
    points:
      - { id: flow, field: flow, unit: m3/h }
      - { id: total, field: total, unit: m3 }
      - { id: setpoint, field: setpoint, writable: true }   # written through the platform's commands
`,
  'src/index.ts': `/**
 * __PACKAGE__: a sensegate driver for a meter that answers one line per request over TCP
 * (see protocol.ts). The gateway polls it: \`read\` gets a batch of points and sets each one; writes
 * to the \`setpoint\` field go through \`write\`. Scheduling, retries, scaling, units, quality, the
 * journal and MQTT are the gateway's job: this file is the device's protocol only.
 *
 * Start here: rename the fields in FIELDS to what your device offers, and change protocol.ts to
 * speak its real protocol. \`npm test\` runs the conformance kit against src/simulator.ts.
 */
import type { Socket } from 'node:net';
import { defineDriver, SensegateError, type PointRef, type ReadBatch } from '@sensegate/sdk';
import { z } from 'zod';
import { refusal, request } from './protocol.js';
import { ping } from './ping.js';

/** What the meter measures, and which fields it lets the gateway write. */
export const FIELDS = {
  flow: { writable: false },
  total: { writable: false },
  setpoint: { writable: true },
} as const;
export type Field = keyof typeof FIELDS;

const connection = z
  .object({
    host: z.string().min(1).describe('Address (name or IP) of the meter.'),
    port: z.number().int().min(1).max(65535).default(4001).describe('TCP port the meter answers on.'),
  })
  .strict();

const point = z
  .object({
    field: z.enum(Object.keys(FIELDS) as [Field, ...Field[]]).describe('The meter field this point reads: flow, total or setpoint (setpoint can be written).'),
  })
  .strict();

type Point = z.output<typeof point>;

export default defineDriver({
  name: '__DRIVER__',
  version: '0.1.0',
  description: 'A meter that answers one line per request over TCP.',
  connection,
  point,
  tools: { ping },
  // \`sensegate sim __PACKAGE__\` runs this package's own simulator (src/simulator.ts).
  simulator: '__PACKAGE__/simulator',
  create(context) {
    // Every socket still open, so stop() can release them all.
    const open = new Set<Socket>();
    let stopped = false;

    return {
      // Validation only: what the schemas cannot judge. No socket is opened here (dry runs call it too).
      addDevice(device) {
        for (const p of device.points) {
          if (p.spec.writable && !FIELDS[p.spec.field].writable) {
            throw new SensegateError(
              'SG_CONFIG_INVALID',
              \`device \${device.id}, point \${p.id}: field \${p.spec.field} cannot be written; writable fields: \${writableFields().join(', ')}\`,
              { device: device.id, point: p.id },
            );
          }
        }
      },

      // Ask the meter who it is and announce its model in the birth message. An unreachable meter is
      // no error here: the reads fail with retryable errors until it answers.
      startDevice(device) {
        request(device.connection, 'PING', { timeout: device.timeout, open, device: device.id }).then(
          (answer) => {
            if (!stopped && answer.startsWith('PONG')) context.describe(device.id, { model: answer.slice(4).trim() || 'unknown' });
          },
          (err: Error) => device.log.warn(\`meter does not answer yet: \${err.message}\`),
        );
      },

      // Nothing to release per device: every request opens and closes its own connection.
      removeDevice() {},

      async read(device, batch: ReadBatch<Point>) {
        // One request per point; batch.signal ends the poll at the device's timeout. If a request
        // throws, every point not yet set fails with that error.
        for (const [i, p] of batch.points.entries()) {
          const answer = await request(device.connection, \`READ \${p.spec.field}\`, { timeout: device.timeout, signal: batch.signal, open, device: device.id });
          const reason = refusal(answer);
          const value = Number(answer);
          if (reason !== undefined) {
            batch.fail(i, new SensegateError('SG_PROTOCOL_ERROR', \`meter refused to read \${p.spec.field}: \${reason}\`, { device: device.id, point: p.id, status: reason }));
          } else if (answer === '' || !Number.isFinite(value)) {
            batch.fail(i, new SensegateError('SG_PROTOCOL_ERROR', \`meter answered "\${answer}" for \${p.spec.field}, not a number\`, { device: device.id, point: p.id }));
          } else {
            batch.good(i, value);
          }
        }
      },

      async write(device, p: PointRef<Point>, value) {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new SensegateError('SG_WRITE_REJECTED', \`\${p.spec.field} takes a number, got \${JSON.stringify(value)}\`, { device: device.id, point: p.id });
        }
        const answer = await request(device.connection, \`WRITE \${p.spec.field} \${value}\`, { timeout: device.timeout, open, device: device.id });
        if (answer !== 'OK') {
          throw new SensegateError('SG_WRITE_REJECTED', \`meter refused \${p.spec.field} = \${value}: \${refusal(answer) ?? answer}\`, {
            device: device.id,
            point: p.id,
            status: refusal(answer),
          });
        }
      },

      async stop() {
        stopped = true;
        for (const socket of open) socket.destroy();
        open.clear();
      },
    };
  },
});

function writableFields(): string[] {
  return Object.entries(FIELDS)
    .filter(([, f]) => f.writable)
    .map(([name]) => name);
}
`,
  'src/protocol.ts': `/**
 * The meter's line protocol: one request per TCP connection, one line each way.
 *
 *   PING              -> PONG <model>
 *   READ <field>      -> <number>          or  ERR <reason>
 *   WRITE <field> <v> -> OK                or  ERR <reason>
 *
 * Every request ends by its deadline or when its signal aborts, whichever comes first, and its
 * socket is kept in \`open\` until it closes, so the driver can release every one on stop.
 */
import { connect, type Socket } from 'node:net';
import { isSensegateError, SensegateError } from '@sensegate/sdk';

export interface Endpoint {
  host: string;
  port: number;
}

export interface RequestOptions {
  /** Milliseconds to wait for the answer, connecting included. */
  timeout: number;
  /** Ends the request early (the gateway aborts a read at the device's timeout or on shutdown). */
  signal?: AbortSignal;
  /** Sockets still open; the request adds its own and removes it once closed. */
  open?: Set<Socket>;
  /** The device id, carried by errors. */
  device?: string;
}

/** Sends one request line and resolves with the first line of the answer. */
export function request(endpoint: Endpoint, line: string, options: RequestOptions): Promise<string> {
  const { host, port } = endpoint;
  const where = \`meter at \${host}:\${port}\`;
  return new Promise<string>((resolve, reject) => {
    if (options.signal?.aborted) return reject(abortError(options.signal, where, options.device));
    const socket = connect({ host, port });
    options.open?.add(socket);
    let text = '';
    let settled = false;
    const finish = (error: Error | undefined, answer?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer!);
    };
    const onAbort = () => finish(abortError(options.signal!, where, options.device));
    const timer = setTimeout(
      () => finish(new SensegateError('SG_REQUEST_TIMEOUT', \`\${where}: no answer to "\${line}" within \${options.timeout} ms\`, { device: options.device })),
      options.timeout,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(\`\${line}\\n\`));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\\n');
      if (end >= 0) finish(undefined, text.slice(0, end).trim());
    });
    socket.on('end', () => finish(new SensegateError('SG_CONNECTION_LOST', \`\${where}: closed the connection before answering "\${line}"\`, { device: options.device })));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'ECONNREFUSED' ? 'SG_CONNECT_REFUSED' : 'SG_CONNECTION_LOST';
      finish(new SensegateError(code, \`\${where}: \${err.message}\`, { device: options.device, cause: err }));
    });
    socket.on('close', () => options.open?.delete(socket));
  });
}

function abortError(signal: AbortSignal, where: string, device: string | undefined): SensegateError {
  if (isSensegateError(signal.reason)) return signal.reason;
  return new SensegateError('SG_REQUEST_TIMEOUT', \`\${where}: request cancelled\`, { device, cause: signal.reason });
}

/** The reason of an \`ERR <reason>\` answer, or undefined for any other answer. */
export function refusal(answer: string): string | undefined {
  return answer.startsWith('ERR') ? answer.slice(3).trim() || 'refused' : undefined;
}
`,
  'src/ping.ts': `/**
 * \`sensegate __PACKAGE__ ping\`: asks a meter whether it is there, without a configured device. A tool
 * parses its own arguments and throws SG_USAGE for bad ones; the CLI prints that with a usage hint.
 */
import { parseArgs } from 'node:util';
import { SensegateError, type DriverTool } from '@sensegate/sdk';
import { request } from './protocol.js';

const USAGE = 'Usage: sensegate __PACKAGE__ ping --port N [--host HOST] [--timeout MS]';

export const ping: DriverTool = {
  summary: 'ask a meter whether it answers, and print its model',
  help: \`\${USAGE}\\n\\nSends PING to the meter at HOST:N (default host 127.0.0.1) and prints its answer.\`,
  async run(argv, io) {
    let values: { host?: string; port?: string; timeout?: string };
    try {
      ({ values } = parseArgs({ args: argv, options: { host: { type: 'string' }, port: { type: 'string' }, timeout: { type: 'string' } }, strict: true }));
    } catch (err) {
      throw new SensegateError('SG_USAGE', \`\${io.command}: \${(err as Error).message}\\n\${USAGE}\`);
    }
    const host = values.host ?? '127.0.0.1';
    const port = Number(values.port);
    const timeout = Number(values.timeout ?? 3000);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SensegateError('SG_USAGE', \`\${io.command}: --port needs a TCP port (1-65535)\\n\${USAGE}\`);
    if (!Number.isInteger(timeout) || timeout < 1) throw new SensegateError('SG_USAGE', \`\${io.command}: --timeout needs a whole number of milliseconds\\n\${USAGE}\`);
    const answer = await request({ host, port }, 'PING', { timeout, signal: io.signal });
    io.stdout.write(\`\${answer} from \${host}:\${port}\\n\`);
    return answer.startsWith('PONG') ? 0 : 1;
  },
};
`,
  'src/simulator.ts': `/**
 * A simulated meter that speaks the driver's line protocol (see protocol.ts), as a library for tests
 * and as the CLI \`sensegate sim __PACKAGE__\` runs:
 *
 *   sensegate sim __PACKAGE__ --port 4001
 *
 * \`flow\` follows a sine, \`total\` counts up, \`setpoint\` keeps what was written (0 to 100). Typed
 * commands while it runs: \`silent on\` (accept connections, answer nothing), \`silent off\`, \`quit\`.
 */
import { createServer, type Socket } from 'node:net';
import { compileGenerator, parseSimulatorOptions, serveCommands, wholeNumberOption } from '@sensegate/sdk/simulate';

const USAGE = 'Usage: sensegate sim __PACKAGE__ [--port N] [--host ADDRESS] [--model NAME]';
const SETPOINT_RANGE = [0, 100] as const;

export interface MeterSimulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  /** What the meter answers to PING. */
  model?: string;
}

export interface MeterSimulator {
  readonly host: string;
  readonly port: number;
  /** Silent: connections are accepted, requests never answered (a hung device). */
  setSilent(silent: boolean): void;
  close(): Promise<void>;
}

export async function startMeterSimulator(options: MeterSimulatorOptions = {}): Promise<MeterSimulator> {
  const host = options.host ?? '127.0.0.1';
  const model = options.model ?? 'MTR-100';
  const started = performance.now();
  const flow = compileGenerator({ kind: 'sine', min: 10, max: 30, period: 60_000 }, 1, 1000);
  const total = compileGenerator({ kind: 'counter', start: 1000, step: 1, interval: 1000 }, 1, 1000);
  let setpoint = 50;
  let silent = false;
  const sockets = new Set<Socket>();

  const answer = (line: string): string => {
    const [verb, field, value, ...rest] = line.split(/\\s+/);
    switch (verb?.toUpperCase()) {
      case 'PING':
        return \`PONG \${model}\`;
      case 'READ': {
        const elapsed = performance.now() - started;
        if (field === 'flow') return String(Math.round(Number(flow.at(elapsed)) * 100) / 100);
        if (field === 'total') return String(total.at(elapsed));
        if (field === 'setpoint') return String(setpoint);
        return \`ERR unknown field \${field ?? ''}\`.trim();
      }
      case 'WRITE': {
        if (field !== 'setpoint') return \`ERR field \${field ?? ''} is read-only\`;
        const n = Number(value);
        if (value === undefined || rest.length > 0 || !Number.isFinite(n)) return 'ERR bad value';
        if (n < SETPOINT_RANGE[0] || n > SETPOINT_RANGE[1]) return \`ERR out of range \${SETPOINT_RANGE[0]}..\${SETPOINT_RANGE[1]}\`;
        setpoint = n;
        return 'OK';
      }
      default:
        return 'ERR unknown request';
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    let text = '';
    socket.on('data', (chunk: string) => {
      text += chunk;
      let end: number;
      while ((end = text.indexOf('\\n')) >= 0) {
        const line = text.slice(0, end).trim();
        text = text.slice(end + 1);
        if (!silent && line) socket.write(\`\${answer(line)}\\n\`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  return {
    host,
    port: typeof address === 'object' && address ? address.port : 0,
    setSilent: (on) => {
      silent = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The CLI \`sensegate sim __PACKAGE__\` runs, with the arguments after the package name. */
export async function runSimulatorCli(argv: string[]): Promise<void> {
  const { values } = parseSimulatorOptions(argv, { port: { type: 'string' }, host: { type: 'string' }, model: { type: 'string' } }, USAGE);
  const sim = await startMeterSimulator({ port: wholeNumberOption('port', values.port, 0, 65535) ?? 4001, host: values.host, model: values.model });
  await serveCommands(
    { input: process.stdin, output: process.stdout },
    {
      banner: [\`__DRIVER__ simulator listening on \${sim.host}:\${sim.port}\`, 'commands: silent on | silent off | quit'],
      apply(line) {
        const m = /^silent\\s+(on|off)$/i.exec(line);
        if (!m) throw new Error(\`unknown command "\${line}": try silent on, silent off or quit\`);
        sim.setSilent(m[1]!.toLowerCase() === 'on');
        return \`silent \${m[1]!.toLowerCase()}\`;
      },
      close: () => sim.close(),
    },
  );
}
`,
  'test/driver.test.ts': `// The driver against its simulator, through the SDK's conformance kit: every point read, a silent
// meter's reads ended by batch.signal, an unreachable meter failing with retryable errors, writes
// accepted and refused, reads back after the meter restarts, and nothing left open after stop().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDriver, createTestContext, freePort, pollOnce, testDevice, waitFor } from '@sensegate/sdk/testing';
import driver from '../src/index.js';
import { startMeterSimulator, type MeterSimulator } from '../src/simulator.js';

const POINTS = [
  { id: 'flow', field: 'flow', unit: 'm3/h' },
  { id: 'total', field: 'total', unit: 'm3' },
  { id: 'setpoint', field: 'setpoint', writable: true },
];

describe('__PACKAGE__', () => {
  it('meets every obligation of the conformance kit against its simulator', async () => {
    let sim: MeterSimulator = await startMeterSimulator();
    const port = sim.port;
    const device = testDevice(driver, { id: 'meter-1', timeout: 1000, connection: { host: '127.0.0.1', port }, points: POINTS });
    const unreachable = testDevice(driver, { id: 'meter-off', timeout: 1000, connection: { host: '127.0.0.1', port: await freePort() }, points: [POINTS[0]!] });
    try {
      const problems = await checkDriver(driver, {
        device,
        unreachable,
        writes: { setpoint: { value: 42, refused: 1000 } },
        stall: async () => {
          sim.setSilent(true);
          return async () => sim.setSilent(false);
        },
        restart: async () => {
          await sim.close();
          sim = await startMeterSimulator({ port });
        },
      });
      assert.deepEqual(problems, []);
    } finally {
      await sim.close();
    }
  });

  it('reads the meter\\'s values, writes its setpoint and announces its model', async () => {
    const sim = await startMeterSimulator({ model: 'TEST-7' });
    const context = createTestContext();
    const instance = driver.create(context);
    const device = testDevice(driver, { id: 'meter-1', connection: { host: '127.0.0.1', port: sim.port }, points: POINTS });
    try {
      await instance.addDevice(device);
      await instance.startDevice!(device);
      await instance.write!(device, device.points[2]!, 12.5);
      const result = await pollOnce(instance, device);
      const byId = Object.fromEntries(result.points.map((p) => [p.id, p]));
      assert.equal(byId.flow!.quality, 'good');
      assert.ok(Number(byId.flow!.value) >= 10 && Number(byId.flow!.value) <= 30, \`flow \${byId.flow!.value}\`);
      assert.equal(byId.total!.quality, 'good');
      assert.deepEqual([byId.setpoint!.value, byId.setpoint!.quality], [12.5, 'good']);
      await waitFor('the model announced', () => context.infos.get('meter-1')?.model === 'TEST-7');
    } finally {
      await instance.stop();
      await sim.close();
    }
  });

  it('refuses a writable point on a read-only field, naming the device and point', async () => {
    const instance = driver.create(createTestContext());
    const device = testDevice(driver, { id: 'meter-1', connection: { host: '127.0.0.1' }, points: [{ id: 'flow', field: 'flow', writable: true }] });
    assert.throws(() => instance.addDevice(device), /device meter-1, point flow: field flow cannot be written; writable fields: setpoint/);
    await instance.stop();
  });
});
`,
};
