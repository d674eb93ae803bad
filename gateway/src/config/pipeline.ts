/**
 * Resolves the pipeline parts of a device: each step named in a `pipeline:` is found (built in or
 * a package) and its options validated against its own schema; each derived point's expression is
 * compiled and its inputs checked. Problems are collected with the file, line and path of the
 * step or field, like every other configuration problem.
 */
import type { StepPoint, YamlPath, YamlSource } from '@sensegate/sdk';
import { compileExpression, ExpressionError, type CompiledExpression, type InputRef } from '../pipeline/expression/index.js';
import type { ConfiguredStep } from '../pipeline/chain.js';
import { AQI_FUNCTIONS } from '../pipeline/derived-functions.js';
import type { StepRegistry } from '../pipeline/registry.js';
import type { DerivedInput } from '../pipeline/schema.js';
import { issueAt, issuesFromZod, type ConfigIssue } from './issues.js';

export interface PipelineScope {
  source: YamlSource;
  steps: StepRegistry;
  issues: ConfigIssue[];
}

/** The point a step runs for, from a point's (or derived point's) id, unit and decimals. */
export function stepPointOf(device: string, point: { id: string; unit?: string | undefined; decimals?: number | undefined }): StepPoint {
  return { device, point: point.id, ...(point.unit !== undefined ? { unit: point.unit } : {}), ...(point.decimals !== undefined ? { decimals: point.decimals } : {}) };
}

/** Validates a written `pipeline:` list; undefined when any step has a problem (each is reported). */
export async function resolvePipeline(
  raw: ReadonlyArray<Record<string, unknown>>,
  at: YamlPath,
  point: StepPoint,
  scope: PipelineScope,
): Promise<ConfiguredStep[] | undefined> {
  const resolved: ConfiguredStep[] = [];
  let ok = true;
  for (let j = 0; j < raw.length; j++) {
    const entry = raw[j]!;
    const keys = Object.keys(entry);
    if (keys.length !== 1) {
      scope.issues.push(
        issueAt(scope.source, [...at, j], `a step is a mapping with one key, the step's name, such as \`- deadband: { absolute: 0.5 }\`; found ${keys.length === 0 ? 'no key' : `keys ${keys.join(', ')}`}`),
      );
      ok = false;
      continue;
    }
    const name = keys[0]!;
    const stepAt = [...at, j, name];
    let step;
    try {
      step = await scope.steps.load(name);
    } catch (err) {
      scope.issues.push(issueAt(scope.source, [...at, j], (err as Error).message));
      ok = false;
      continue;
    }
    const parsed = step.options.safeParse(entry[name] ?? {}, { reportInput: true });
    if (!parsed.success) {
      scope.issues.push(...issuesFromZod(parsed.error, scope.source, stepAt));
      ok = false;
      continue;
    }
    const problems = step.check?.(parsed.data, point) ?? [];
    for (const message of problems) scope.issues.push(issueAt(scope.source, stepAt, `${name}: ${message}`));
    if (problems.length > 0) ok = false;
    resolved.push({ step, options: parsed.data });
  }
  return ok ? resolved : undefined;
}

/** One point a derived point produces (the AQI produces several). */
export interface DerivedOutput {
  id: string;
  name?: string;
  unit?: string;
  decimals?: number;
}

export type DerivedSource =
  | { kind: 'expression'; expression: CompiledExpression }
  | { kind: 'from' }
  | { kind: 'aqi'; report: 'hourly' | 'daily'; pollutants: string[] };

export interface DerivedConfig {
  id: string;
  name?: string;
  description?: string;
  unit?: string;
  decimals?: number;
  source: DerivedSource;
  /** The points it reads, in the order the computation takes them. */
  inputs: InputRef[];
  /** The points it produces; the first is the one its pipeline applies to. */
  outputs: DerivedOutput[];
  maxAge?: number;
  pipeline: ConfiguredStep[];
  /** Where it was written, for problems found once every device is known. */
  at: YamlPath;
}

const AQI_POLLUTANTS = ['so2', 'no2', 'pm10', 'pm25', 'co', 'o3', 'o3_8h', 'so2_24h'] as const;
/** Inputs that have an IAQI of their own (`so2_24h` only stands in for a 1-hour SO2 above 800). */
const WITH_IAQI: ReadonlySet<string> = new Set(['so2', 'no2', 'pm10', 'pm25', 'co', 'o3', 'o3_8h']);

/** Validates one derived point of a device; undefined when it has a problem (each is reported). */
export async function resolveDerived(
  input: DerivedInput,
  device: string,
  at: YamlPath,
  scope: PipelineScope,
): Promise<DerivedConfig | undefined> {
  const kinds = (['expression', 'from', 'aqi'] as const).filter((k) => input[k] !== undefined);
  if (kinds.length !== 1) {
    scope.issues.push(
      issueAt(scope.source, at, kinds.length === 0 ? `derived point "${input.id}" needs one of \`expression\`, \`from\` or \`aqi\`` : `derived point "${input.id}" has ${kinds.join(' and ')}; give only one`),
    );
    return undefined;
  }
  let source: DerivedSource;
  let inputs: InputRef[];
  const outputs: DerivedOutput[] = [
    { id: input.id, ...(input.name ? { name: input.name } : {}), ...(input.unit ? { unit: input.unit } : {}), ...(input.decimals !== undefined ? { decimals: input.decimals } : {}) },
  ];
  if (input.expression !== undefined) {
    try {
      const expression = compileExpression(input.expression, { functions: AQI_FUNCTIONS });
      source = { kind: 'expression', expression };
      inputs = [...expression.inputs];
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      scope.issues.push(issueAt(scope.source, [...at, 'expression'], (err as ExpressionError).message));
      return undefined;
    }
  } else if (input.from !== undefined) {
    source = { kind: 'from' };
    inputs = [parseRef(input.from)];
  } else {
    const aqi = input.aqi!;
    const pollutants = AQI_POLLUTANTS.filter((p) => aqi[p] !== undefined);
    if (aqi.so2_24h !== undefined && (aqi.report !== 'hourly' || aqi.so2 === undefined)) {
      scope.issues.push(issueAt(scope.source, [...at, 'aqi', 'so2_24h'], 'is for the hourly report, beside `so2` (the 1-hour value it stands in for above 800 ug/m3)'));
      return undefined;
    }
    if (pollutants.filter((p) => WITH_IAQI.has(p)).length === 0) {
      scope.issues.push(issueAt(scope.source, [...at, 'aqi'], 'name the points of at least one pollutant (so2, no2, pm10, pm25, co, o3, o3_8h)'));
      return undefined;
    }
    source = { kind: 'aqi', report: aqi.report, pollutants };
    inputs = pollutants.map((p) => parseRef(aqi[p]!));
    outputs.push(
      { id: `${input.id}.primary`, name: 'Primary pollutants' },
      { id: `${input.id}.level`, name: 'AQI level (1-6)' },
      ...pollutants.filter((p) => WITH_IAQI.has(p)).map((p) => ({ id: `${input.id}.iaqi.${p}`, name: `IAQI of ${p}` })),
    );
  }
  const pipeline = input.pipeline ? await resolvePipeline(input.pipeline, [...at, 'pipeline'], stepPointOf(device, input), scope) : [];
  if (!pipeline) return undefined;
  return {
    id: input.id,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.unit !== undefined ? { unit: input.unit } : {}),
    ...(input.decimals !== undefined ? { decimals: input.decimals } : {}),
    source,
    inputs,
    outputs,
    ...(input.maxAge !== undefined ? { maxAge: input.maxAge } : {}),
    pipeline,
    at,
  };
}

/** `point` or `device/point`. */
export function parseRef(text: string): InputRef {
  const slash = text.indexOf('/');
  return slash < 0 ? { point: text, text } : { device: text.slice(0, slash), point: text.slice(slash + 1), text };
}

/** What a derived point reads must exist, and derived points must not read each other in a circle. */
export function checkDerivedInputs(
  devices: ReadonlyArray<{ id: string; points: ReadonlyArray<{ id: string; enabled?: boolean; direction?: string }>; derived: readonly DerivedConfig[] }>,
  source: YamlSource,
  issues: ConfigIssue[],
): void {
  const known = new Set<string>();
  const writeOnly = new Set<string>();
  for (const d of devices) {
    for (const p of d.points) {
      if (p.enabled === false) continue;
      known.add(`${d.id}/${p.id}`);
      if (p.direction === 'write') writeOnly.add(`${d.id}/${p.id}`);
    }
    for (const x of d.derived) for (const o of x.outputs) {
      const key = `${d.id}/${o.id}`;
      if (known.has(key)) issues.push(issueAt(source, [...x.at, 'id'], `derived point "${o.id}" has the id of another point of device "${d.id}"`));
      known.add(key);
    }
  }
  const edges = new Map<string, string[]>();
  for (const d of devices) {
    for (const x of d.derived) {
      const reads: string[] = [];
      for (const ref of x.inputs) {
        const key = `${ref.device ?? d.id}/${ref.point}`;
        if (!known.has(key) || writeOnly.has(key)) {
          const field = x.source.kind === 'expression' ? 'expression' : x.source.kind === 'from' ? 'from' : 'aqi';
          const of = ref.device ? '' : ` of device "${d.id}"`;
          const message = writeOnly.has(key)
            ? `derived point "${x.id}" reads ${ref.text}, a write-only point${of} (\`direction: write\`) that has no readings: read it with \`direction: readwrite\``
            : `derived point "${x.id}" reads ${ref.text}, which is not an enabled point${of}`;
          issues.push(issueAt(source, [...x.at, field], message));
        }
        reads.push(key);
      }
      for (const o of x.outputs) edges.set(`${d.id}/${o.id}`, reads);
    }
  }
  // A derived point that reads itself through others would never settle.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (key: string, trail: string[]): string[] | undefined => {
    const s = state.get(key);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...trail.slice(trail.indexOf(key)), key];
    state.set(key, 'visiting');
    for (const next of edges.get(key) ?? []) {
      const cycle = visit(next, [...trail, key]);
      if (cycle) return cycle;
    }
    state.set(key, 'done');
    return undefined;
  };
  for (const d of devices) {
    for (const x of d.derived) {
      const cycle = visit(`${d.id}/${x.id}`, []);
      if (cycle) {
        issues.push(issueAt(source, [...x.at, 'id'], `derived points read each other in a circle: ${cycle.join(' -> ')}`));
        return;
      }
    }
  }
}
