/**
 * Golden cases for pipeline steps: a folder holds the configuration (`pipeline.yaml`), an input
 * series (`input.jsonl`) and the exact expected output (`expected.jsonl`), worked out by hand.
 * The case runs through the same configuration checks and the same Pipeline the gateway uses.
 *
 * `pipeline.yaml`:  description, and either `point` + `pipeline` (one point) or `points` (each with
 *                   its own `pipeline`) and `derived` (as in a device).
 * `input.jsonl`:    `{"ts": ISO or ms, "value": v, "quality"?, "status"?, "point"?}` readings,
 *                   `{"burst": [readings]}` (several readings in one burst, as one station packet
 *                   or one poll delivers them: derived points settle once, after all of them),
 *                   `{"tick": ISO or ms}` (the clock moves on), `{"restart": true}` (every state
 *                   goes through JSON and the pipeline is rebuilt from it, as after a restart).
 * `expected.jsonl`: `{"reading": {...}}` and `{"event": {...}}` in order, times as ISO strings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlSource, silentLogger, type DeviceEvent, type Quality, type Reading, type Value } from '@sensegate/sdk';
import type { DeviceConfig, PointConfig } from '../../src/config/load.js';
import type { ConfigIssue } from '../../src/config/issues.js';
import { checkDerivedInputs, resolveDerived, resolvePipeline, stepPointOf, type DerivedConfig } from '../../src/config/pipeline.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { StepRegistry } from '../../src/pipeline/registry.js';
import { derivedSchema } from '../../src/pipeline/schema.js';
import { PointNormalizer } from '../../src/runtime/normalize.js';

export interface GoldenCase {
  description: string;
  actual: string[];
  expected: string[];
}

interface WrittenReading {
  ts?: string | number;
  value?: Value;
  quality?: Quality;
  status?: string;
  point?: string;
}

interface WrittenPoint {
  id: string;
  unit?: string;
  decimals?: number;
  pipeline?: Array<Record<string, unknown>>;
}

export async function runGoldenCase(folder: string): Promise<GoldenCase> {
  const file = join(folder, 'pipeline.yaml');
  const source = parseYamlSource(file, readFileSync(file, 'utf8'));
  if (source.syntaxErrors.length > 0) throw new Error(`${file}: ${source.syntaxErrors[0]!.message}`);
  const spec = source.data as {
    description?: string;
    point?: { device?: string; id?: string; unit?: string; decimals?: number };
    pipeline?: Array<Record<string, unknown>>;
    device?: string;
    points?: WrittenPoint[];
    derived?: unknown[];
  };
  if (!spec.description) throw new Error(`${file}: a golden case needs a description`);
  const deviceId = spec.device ?? spec.point?.device ?? 'dev';
  const written: WrittenPoint[] = spec.points ?? [{ id: spec.point?.id ?? 'p', unit: spec.point?.unit, decimals: spec.point?.decimals, pipeline: spec.pipeline ?? [] }];

  const issues: ConfigIssue[] = [];
  const scope = { source, steps: new StepRegistry(), issues };
  const points: PointConfig[] = [];
  for (let i = 0; i < written.length; i++) {
    const w = written[i]!;
    const point = { id: w.id, scale: 1, offset: 0, writable: false, enabled: true, ...(w.unit ? { unit: w.unit } : {}), ...(w.decimals !== undefined ? { decimals: w.decimals } : {}) } as PointConfig;
    const at = spec.points ? ['points', i, 'pipeline'] : ['pipeline'];
    const steps = await resolvePipeline(w.pipeline ?? [], at, stepPointOf(deviceId, w), scope);
    if (steps) point.pipeline = steps;
    points.push(point);
  }
  const derived: DerivedConfig[] = [];
  for (let k = 0; k < (spec.derived ?? []).length; k++) {
    const parsed = derivedSchema.safeParse(spec.derived![k]);
    if (!parsed.success) throw new Error(`${file}: derived[${k}]: ${parsed.error.message}`);
    const d = await resolveDerived(parsed.data, deviceId, ['derived', k], scope);
    if (d) derived.push(d);
  }
  const device = { id: deviceId, driver: 'golden', enabled: true, points, derived } as unknown as DeviceConfig;
  checkDerivedInputs([device], source, issues);
  if (issues.length > 0) throw new Error(`${file}: ${issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`).join('\n')}`);

  const actual: string[] = [];
  const normalizers = new Map(points.map((p) => [p.id, new PointNormalizer(deviceId, p)]));
  const out = {
    reading: (r: Reading) => actual.push(JSON.stringify({ reading: readingTimes(r) })),
    event: (e: DeviceEvent) => actual.push(JSON.stringify(normalizeExpected({ event: { ...e } as unknown as Record<string, unknown> }))),
  };
  const build = (saved?: Map<string, string>) => {
    const p = new Pipeline({ out, log: silentLogger, ...(saved ? { saved } : {}) });
    p.build([device], () => normalizers);
    return p;
  };
  let pipeline = build();

  const inputFile = join(folder, 'input.jsonl');
  readFileSync(inputFile, 'utf8')
    .split('\n')
    .forEach((line, n) => {
      if (line.trim() === '') return;
      let input: WrittenReading & { tick?: string | number; restart?: boolean; burst?: WrittenReading[] };
      try {
        input = JSON.parse(line);
      } catch (err) {
        throw new Error(`${inputFile}:${n + 1}: ${(err as Error).message}`);
      }
      if (input.restart) {
        pipeline = build(pipeline.states());
      } else if (input.tick !== undefined) {
        pipeline.tick(ms(input.tick));
      } else {
        for (const one of input.burst ?? [input]) {
          const id = one.point ?? written[0]!.id;
          const normalizer = normalizers.get(id);
          if (!normalizer) throw new Error(`${inputFile}:${n + 1}: no point "${id}" in this case`);
          const reading: Reading = { device: deviceId, point: id, ts: ms(one.ts!), value: one.value ?? null, quality: one.quality ?? 'good' };
          if (normalizer.unit !== undefined) reading.unit = normalizer.unit;
          if (one.status !== undefined) reading.status = one.status;
          pipeline.reading(reading, normalizer);
        }
      }
      pipeline.settle();
    });

  const expected = readFileSync(join(folder, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.stringify(normalizeExpected(JSON.parse(l))));
  return { description: spec.description, actual, expected };
}

/** The output in the golden files' field order, times as ISO strings. */
function readingTimes(r: Reading): Record<string, unknown> {
  const out: Record<string, unknown> = { device: r.device, point: r.point, ts: iso(r.ts), value: r.value, quality: r.quality };
  if (r.unit !== undefined) out.unit = r.unit;
  if (r.status !== undefined) out.status = r.status;
  if (r.count !== undefined) out.count = r.count;
  if (r.start !== undefined) out.start = iso(r.start);
  return out;
}

/** Expected lines may write times without milliseconds and keys in any order. */
function normalizeExpected(line: { reading?: Record<string, unknown>; event?: Record<string, unknown> }): unknown {
  if (line.reading) {
    const r = line.reading as unknown as Reading & { ts: string; start?: string };
    return { reading: readingTimes({ ...r, ts: ms(r.ts), ...(r.start !== undefined ? { start: ms(r.start) } : {}) } as Reading) };
  }
  if (line.event) {
    const e = line.event as unknown as DeviceEvent & { ts: string | number };
    const ordered: Record<string, unknown> = { type: e.type, ts: iso(ms(e.ts)) };
    if (e.device !== undefined) ordered.device = e.device;
    if (e.point !== undefined) ordered.point = e.point;
    ordered.severity = e.severity;
    ordered.message = e.message;
    // Details in any key order: only their content is the contract.
    if (e.data !== undefined) ordered.data = Object.fromEntries(Object.entries(e.data).sort(([a], [b]) => a.localeCompare(b)));
    return { event: ordered };
  }
  throw new Error(`expected line without "reading" or "event": ${JSON.stringify(line)}`);
}

function ms(t: string | number): number {
  if (typeof t === 'number') return t;
  const v = Date.parse(t);
  if (Number.isNaN(v)) throw new Error(`not a time: ${t}`);
  return v;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
