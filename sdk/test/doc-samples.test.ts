// The guides' TypeScript samples compile against the SDK as a vendor installs it: the packed tarball
// in a package outside the repository, tsc strict with skipLibCheck false. A sample that drifts from
// the SDK fails here, naming the guide, the line of its block and what tsc said.
//
// The rule for a ```ts block, set by an HTML comment on the line just before its fence:
// - no comment: the block is a whole module, compiled on its own;
// - `<!-- compile: file PATH -->`: the block is the module at PATH in the vendor's package
//   (`src/index.ts`, `test/meter.test.ts`), so later blocks can import it by its relative path;
// - `<!-- compile: with previous -->`: the block continues the previous compiled block (same module);
// - `<!-- compile: no -->`: a fragment, not compiled (keep these few, and short).
// Protocol code a guide leaves out (a meter's client, a scan of a network) is declared in STUBS,
// by guide, as the modules the samples import.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO, vendorPackage, type VendorPackage } from './support/vendor-package.js';

const GUIDES = ['docs/writing-a-driver.md', 'docs/writing-a-sink.md', 'docs/pipeline.md'];

const STUBS: Record<string, Record<string, string>> = {
  'docs/writing-a-driver.md': {
    'src/meter-client.ts': `/** The ACME meter protocol: one TCP connection, one register per request. */
export declare class MeterClient {
  constructor(host: string, port: number, password?: string);
  connect(signal?: AbortSignal): Promise<void>;
  readRegister(register: number, signal?: AbortSignal): Promise<number>;
  writeRegister(register: number, value: number, signal?: AbortSignal): Promise<void>;
  resetCounter(signal?: AbortSignal): Promise<void>;
  close(): void;
  on(event: 'close', listener: (reason: string) => void): this;
}
/** Asks every address of a CIDR range for a meter. */
export declare function scan(range: string, signal: AbortSignal): Promise<Array<{ host: string; serial: string; model: string }>>;
/** The meter's register map, as a tree. */
export declare function registerTree(host: string): Promise<import('@sensegate/sdk').BrowseNode[]>;
`,
    'test/meter-simulator.ts': `/** A meter on a free local port that speaks the ACME protocol, with a fault: silence. */
export declare class MeterSimulator {
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  silence(on: boolean): void;
}
`,
  },
  'docs/writing-a-sink.md': {
    'src/sink/http-collector-sink.ts': `import type { SecretRef, SinkContext, SinkInstance } from '@sensegate/sdk';
/** The collector's sink instance (examples/sink-http-collector has a whole one). */
export declare const HttpCollectorSink: new (config: { url: string; token?: SecretRef | undefined; timeout: number }, context: SinkContext) => SinkInstance;
`,
  },
};

interface Block {
  guide: string;
  /** 1-based line of the opening fence in the guide. */
  line: number;
  mode: 'whole' | 'file' | 'with previous' | 'no';
  path?: string;
  code: string;
}

/** The ```ts blocks of a guide, each with the compile rule written before it. */
export function tsBlocks(guide: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i]!)) {
      if (/^```/.test(lines[i]!)) for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++);
      continue;
    }
    const marker = /^<!-- compile: (.*?) -->$/.exec(lines[i - 1]?.trim() ?? '')?.[1];
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const block: Block = { guide, line: start + 1, mode: 'whole', code: body.join('\n') };
    if (marker === 'no' || marker === 'with previous') block.mode = marker;
    else if (marker?.startsWith('file ')) Object.assign(block, { mode: 'file', path: marker.slice(5).trim() });
    else if (marker !== undefined) throw new Error(`${guide}:${start}: unknown compile rule "${marker}": use file PATH, with previous, or no`);
    blocks.push(block);
  }
  return blocks;
}

/** A module made of blocks: its text, and for each of its lines the guide's line it came from. */
interface Module {
  path: string;
  text: string[];
  origin: Array<{ guide: string; line: number }>;
}

function modules(blocks: Block[]): Module[] {
  const out: Module[] = [];
  for (const block of blocks) {
    if (block.mode === 'no') continue;
    const lines = block.code.split('\n');
    const origin = lines.map((_, k) => ({ guide: block.guide, line: block.line + 1 + k }));
    if (block.mode === 'with previous') {
      const previous = out.at(-1);
      if (!previous || previous.origin[0]!.guide !== block.guide) throw new Error(`${block.guide}:${block.line}: "with previous" but no compiled block before it in this guide`);
      previous.text.push(...lines);
      previous.origin.push(...origin);
      continue;
    }
    const name = block.guide.replace(/^docs\//, '').replace(/\.md$/, '');
    out.push({ path: block.path ?? `src/samples/${name}-line-${block.line}.ts`, text: lines, origin });
  }
  return out;
}

describe('the guides\' samples, compiled against the packed SDK', () => {
  let vendor: VendorPackage;
  before(async () => {
    vendor = await vendorPackage('acme-samples');
  });
  after(async () => {
    await vendor?.remove();
  });

  it('reads the compile rule before each block', () => {
    const text = ['```ts', 'a', '```', '', '<!-- compile: with previous -->', '```ts', 'b', '```', '```yaml', '```ts', '```', '<!-- compile: file src/x.ts -->', '```ts', 'c', '```', '<!-- compile: no -->', '```ts', 'd', '```'].join('\n');
    const blocks = tsBlocks('g.md', text);
    assert.deepEqual(blocks.map((b) => [b.line, b.mode, b.path, b.code]), [
      [1, 'whole', undefined, 'a'],
      [6, 'with previous', undefined, 'b'],
      [13, 'file', 'src/x.ts', 'c'],
      [17, 'no', undefined, 'd'],
    ]);
    assert.deepEqual(modules(blocks).map((m) => [m.path, m.text, m.origin.map((o) => o.line)]), [
      ['src/samples/g-line-1.ts', ['a', 'b'], [2, 7]],
      ['src/x.ts', ['c'], [14]],
    ]);
  });

  it('compiles every sample of the driver, sink and step guides, strictly', async () => {
    const all: Module[] = [];
    for (const guide of GUIDES) {
      const found = modules(tsBlocks(guide, await readFile(join(REPO, guide), 'utf8')));
      assert.ok(found.length > 0, `${guide} has TypeScript samples`);
      all.push(...found);
      for (const [path, text] of Object.entries(STUBS[guide] ?? {})) await vendor.write(path, text);
    }
    const paths = new Set<string>();
    for (const m of all) {
      assert.ok(!paths.has(m.path), `${m.origin[0]!.guide}:${m.origin[0]!.line - 1}: a second block is written to ${m.path}`);
      paths.add(m.path);
      await vendor.write(m.path, `${m.text.join('\n')}\n`);
    }
    const { output } = await vendor.compile();
    // tsc writes `path(line,col): error TSnnnn: message`; name the guide's line instead.
    const problems = output
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const at = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(l);
        const m = at && all.find((x) => x.path === at[1]);
        if (!at || !m) return l;
        const origin = m.origin[Number(at[2]) - 1]!;
        const fence = m.origin.find((o) => o.guide === origin.guide)!;
        return `${origin.guide}:${origin.line} (the block at line ${fence.line - 1}): ${at[4]}`;
      });
    assert.deepEqual(problems, [], `samples that do not compile:\n${problems.join('\n')}`);
  });
});
