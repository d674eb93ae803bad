// A vendor's package, outside this repository, installs the SDK from its packed tarball (what the
// registry would serve) and compiles against the published type declarations, strictly. Nothing
// else in the repository compiles against dist/ except the guides' samples (doc-samples.test.ts),
// so this is where a declaration that refers to a type it does not carry (the published types then
// degrade to `any`) is caught: for a driver, a driver's command-line fields, and a sink.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vendorPackage, type VendorPackage } from './support/vendor-package.js';

const VENDOR_SOURCE = `import { defineDriver, isSensegateError, SensegateError, type DeviceRef, type ReadBatch } from '@sensegate/sdk';
import { parseSimulatorOptions, wholeNumberOption } from '@sensegate/sdk/simulate';
import { checkDriver, createTestContext, testDevice } from '@sensegate/sdk/testing';
import { z } from 'zod';

/** True only when T is \`any\`: published types that lost a declaration degrade to it. */
type IsAny<T> = 0 extends 1 & T ? true : false;
type Expect<T extends false> = T;

const connection = z.object({ host: z.string(), port: z.number().int().default(5020) }).strict();
const point = z.object({ register: z.number().int() }).strict();
type Connection = z.output<typeof connection>;
type Point = z.output<typeof point>;

async function read(device: DeviceRef<Connection, Point>, batch: ReadBatch<Point>): Promise<void> {
  batch.points.forEach((p, i) => (p.spec.register > 100 ? batch.fail(i, new SensegateError('SG_PROTOCOL_ERROR', \`no register \${p.spec.register} on \${device.connection.host}\`, { status: 'acme:no-register' })) : batch.good(i, p.spec.register)));
}

const driver = defineDriver({
  name: 'acme-meter',
  version: '1.0.0',
  description: 'A vendor meter.',
  connection,
  point,
  create() {
    return { addDevice() {}, removeDevice() {}, read, async stop() {} };
  },
});
export default driver;

export function simulatorPort(argv: string[]): number | undefined {
  const { values } = parseSimulatorOptions(argv, { port: { type: 'string' }, verbose: { type: 'boolean' } }, 'usage: acme-sim [--port N]');
  type _port = Expect<IsAny<typeof values.port>>;
  const port: string | undefined = values.port;
  const verbose: boolean | undefined = values.verbose;
  void verbose;
  return wholeNumberOption('--port', port, 1, 65535);
}

export async function selfTest(): Promise<string[]> {
  const device = testDevice(driver, { id: 'm1', connection: { host: '127.0.0.1' }, points: [{ id: 'flow', register: 1 }] });
  type _conn = Expect<IsAny<typeof device.connection>>;
  const problems = await checkDriver(driver, { device, instance: driver.create(createTestContext()) });
  return problems.map((p) => (isSensegateError(p) ? p.code : String(p)));
}
`;

const CLI_DRIVER_SOURCE = `import { defineDriver, SensegateError, type BrowseNode, type CliIO, type DriverTool, type SimulatorModule } from '@sensegate/sdk';
import { checkDefinition } from '@sensegate/sdk/testing';
import { z } from 'zod';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Expect<T extends false> = T;

const tool: DriverTool = {
  summary: 'reset a meter\\'s counter',
  help: 'Usage: sensegate acme-meter reset --serial N [--data DIR]',
  async run(argv: string[], io: CliIO): Promise<number> {
    if (argv.length === 0) throw new SensegateError('SG_USAGE', 'reset needs --serial');
    const dir: string = await io.dataDir({ data: undefined });
    io.stdout.write(\`reset in \${dir}\\n\`);
    return io.signal.aborted ? 1 : 0;
  },
};

const driver = defineDriver({
  name: '@acme/sensegate-driver-meter',
  version: '1.2.0',
  description: 'A vendor meter with command-line fields.',
  connection: z.object({ host: z.string().describe('Meter address.') }).strict(),
  point: z.object({ register: z.number().int().describe('Register.') }).strict(),
  create() {
    return { addDevice() {}, removeDevice() {}, async stop() {} };
  },
  discover: {
    summary: 'Asks a range for meters.',
    options: z.object({ range: z.string().describe('CIDR range.'), tries: z.number().int().default(2).describe('Tries per address.') }).strict(),
    async run(options, io) {
      type _range = Expect<IsAny<typeof options.range>>;
      const tries: number = options.tries;
      const range: string = options.range;
      if (io.signal.aborted) return { devices: [], nothingFound: 'interrupted' };
      return {
        devices: [{ id: 'meter-1', connection: { host: range }, points: [{ id: 'energy', register: tries }] }],
        table: { columns: ['ID', 'HOST'], rows: [['meter-1', range]] },
        noun: ['meter', 'meters'],
        notes: ['found by asking'],
      };
    },
  },
  browse: {
    summary: 'Lists registers.',
    target: 'host',
    options: z.object({ host: z.string().describe('Meter address.') }).strict(),
    async run({ host }) {
      const nodes: BrowseNode[] = [{ address: '12', name: 'energy', kind: 'variable', dataType: 'uint32', writable: false }];
      return { nodes, connection: { host }, point: (node: BrowseNode) => ({ register: Number(node.address) }) };
    },
  },
  tools: { reset: tool },
  simulator: '@acme/sensegate-sim-meter',
});
export default driver;

export const simulator: SimulatorModule = { async runSimulatorCli(argv: string[]) { void argv; } };
export const problems: string[] = checkDefinition(driver);
`;

const SINK_SOURCE = `import { defineSink, duration, isRefused, refused, secret, SensegateError, type BirthInfo, type CommandHandler, type OutboundMessage, type SinkContext, type SinkInstance } from '@sensegate/sdk';
import { EventEmitter } from 'node:events';
import { z } from 'zod';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Expect<T extends false> = T;

const config = z.object({
  url: z.string().describe('Collector URL.'),
  token: secret('Bearer token.').optional(),
  timeout: duration('Time allowed for one answer.').default(10_000),
}).strict();
type Config = z.output<typeof config>;

class CollectorSink extends EventEmitter<{ connect: []; disconnect: [reason: string] }> implements SinkInstance {
  connected = false;
  readonly messageLimit: number | undefined = undefined;
  private readonly token: string | undefined;
  constructor(private readonly config: Config, private readonly context: SinkContext) {
    super();
    type _url = Expect<IsAny<typeof config.url>>;
    this.token = config.token === undefined ? undefined : context.secret('token', config.token);
  }
  get name(): string {
    return this.context.name;
  }
  async start(birth: BirthInfo): Promise<void> {
    this.context.log.info(\`announcing \${birth.devices.length} devices to \${this.config.url}\`);
    this.connected = true;
    this.emit('connect');
  }
  acceptCommands(handler: CommandHandler, limits: { maxRequestBytes: number }): void {
    void handler(Buffer.alloc(0), { retained: false }).then((ack: object) => void ack);
    void limits.maxRequestBytes;
  }
  async send(message: OutboundMessage): Promise<void> {
    const timeout: number = this.config.timeout;
    if (message.count > 1000) throw refused(\`\${message.count} entries are more than \${this.config.url} takes\`);
    if (!this.token) throw new SensegateError('SG_SINK_REJECTED', \`no token for \${this.config.url} within \${timeout} ms\`);
  }
  async stop(): Promise<void> {
    this.connected = false;
    this.emit('disconnect', 'stopped');
  }
}

export default defineSink({
  type: 'acme-sink-collector',
  version: '1.0.0',
  description: 'POSTs the feed to a collector.',
  config,
  create: (options, context) => new CollectorSink(options, context),
});

export const refusedForGood: boolean = isRefused(refused('too large'));
`;

describe('the SDK as a vendor installs it', () => {
  let vendor: VendorPackage;
  before(async () => {
    vendor = await vendorPackage('acme-meter');
  });
  after(async () => {
    await vendor?.remove();
  });

  it('compiles a driver, a driver with command-line fields and a sink against the published types, strictly', async () => {
    await vendor.write('src/index.ts', VENDOR_SOURCE);
    await vendor.write('src/cli-driver.ts', CLI_DRIVER_SOURCE);
    await vendor.write('src/sink.ts', SINK_SOURCE);
    const compiled = await vendor.compile();
    assert.equal(compiled.output.trim(), '', 'the vendor package compiles without a word');
    assert.equal(compiled.code, 0);
  });
});
