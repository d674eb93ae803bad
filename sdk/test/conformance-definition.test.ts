// checkDefinition judges what a driver adds to the command line as the gateway will use it: each
// discover and browse option is a flag whose help is its description, each tool is listed by its
// summary and explained by its help, and the simulator is resolved as a package. A definition that
// gets these right passes; each mistake is named with what to do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineDriver, type DriverTool } from '../src/index.js';
import { checkDefinition } from '../src/testing/index.js';

const tool: DriverTool = {
  summary: 'reset a meter\'s counter',
  help: 'Usage: sensegate acme-meter reset --serial N',
  async run() {
    return 0;
  },
};

function meter(extra: Record<string, unknown>) {
  return defineDriver({
    name: 'acme-meter',
    version: '1.0.0',
    description: 'A vendor meter.',
    connection: z.object({ host: z.string().describe('Meter address.') }).strict(),
    point: z.object({ register: z.number().int().describe('Register number.') }).strict(),
    create: () => ({ addDevice() {}, removeDevice() {}, async stop() {} }),
    ...extra,
  });
}

const discover = (options: z.ZodObject, summary = 'Asks a range for meters.') => ({ summary, options, run: async () => ({ devices: [] }) });
const browse = (options: z.ZodObject, summary = 'Lists registers.') => ({
  summary,
  target: 'host',
  options,
  run: async () => ({ nodes: [], connection: {}, point: () => ({}) }),
});

describe('checkDefinition: discover, browse, tools and simulator', () => {
  it('passes a definition whose command-line fields are complete', () => {
    const driver = meter({
      discover: discover(z.object({ range: z.string().describe('CIDR range to ask.') }).strict()),
      browse: browse(z.object({ host: z.string().describe('Meter address.') }).strict()),
      tools: { reset: tool },
      simulator: '@acme/sensegate-sim-meter',
    });
    assert.deepEqual(checkDefinition(driver), []);
  });

  it('names every discover and browse option without a description: it would be a flag without help', () => {
    const driver = meter({
      discover: discover(z.object({ range: z.string(), passwordEnv: z.string().default('P'), verbose: z.boolean().describe('Say more.') }).strict()),
      browse: browse(z.object({ host: z.string(), depth: z.number().optional() }).strict()),
    });
    assert.deepEqual(checkDefinition(driver), [
      'discover options without .describe(): discover.options.range, discover.options.passwordEnv: each field is a flag and its description the flag\'s help',
      'browse options without .describe(): browse.options.host, browse.options.depth: each field is a flag and its description the flag\'s help',
    ]);
  });

  it('names a discover or browse without a summary', () => {
    const driver = meter({
      discover: discover(z.object({ range: z.string().describe('Range.') }), ''),
      browse: browse(z.object({ host: z.string().describe('Host.') }), '  '),
    });
    const problems = checkDefinition(driver);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^discover: no summary: give one line/);
    assert.match(problems[1]!, /^browse: no summary: give one line/);
  });

  it('names a tool without a summary or help', () => {
    const driver = meter({ tools: { reset: { ...tool, summary: '', help: undefined } } });
    assert.deepEqual(checkDefinition(driver), [
      'tool "reset" has no summary (one line, listed by `sensegate <driver>`), no help (the usage text printed for --help)',
    ]);
  });

  it('names a simulator given as a path or a command instead of a package', () => {
    for (const simulator of ['./sim/index.js', '/opt/acme/sim', 'acme-sim --port 5020', 'ACME-Sim']) {
      const problems = checkDefinition(meter({ simulator }));
      assert.equal(problems.length, 1, simulator);
      assert.ok(problems[0]!.startsWith(`simulator ${JSON.stringify(simulator)} is not a package name: name the simulator's npm package`), problems[0]);
    }
    assert.deepEqual(checkDefinition(meter({ simulator: 'acme-sim' })), []);
    assert.deepEqual(checkDefinition(meter({ simulator: 'sensegate-driver-meter/simulator' })), [], 'a subpath the driver package exports');
    assert.deepEqual(checkDefinition(meter({ simulator: '@acme/meter/sim' })), []);
  });
});
