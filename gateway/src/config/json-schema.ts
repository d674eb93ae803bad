/**
 * The JSON Schema of the configuration file, generated from the zod schemas, for editors
 * (yaml-language-server) and the docs. Devices of the built-in drivers and the built-in sinks get
 * their full schema, and so do devices of the third-party drivers given (the ones installed, by
 * package name); any other `driver` or sink `type` falls back to a generic device or sink, since a
 * third-party driver or sink is only known once it is installed.
 */
import { baseDeviceShape, basePointShape, jsonSchemaOf, type Driver, type Sink } from '@sensegate/sdk';
import { z } from 'zod';
import { BUILTIN_STEPS } from '../pipeline/registry.js';
import { derivedSchema, pipelineSchema } from '../pipeline/schema.js';
import { forwardOptionsShape } from '../forward/options.js';
import { sinkObjectSchema } from '../sinks/sink-schema.js';
import { deviceSchemaFor } from './device-schema.js';
import { configSchema } from './schema.js';

export function configJsonSchema(
  builtins: Driver[],
  builtinSinks: Sink[],
  installed: ReadonlyArray<{ package: string; driver: Driver }> = [],
): Record<string, unknown> {
  const known = [
    ...builtins.map((d) => deviceSchemaFor(d).extend({ driver: z.literal(d.name).describe(`The built-in ${d.name} driver.`) })),
    ...installed.map(({ package: pkg, driver: d }) =>
      deviceSchemaFor(d).extend({ driver: z.literal(pkg).describe(`${pkg} ${d.version}: ${d.description}`) }).describe(`A device of the installed driver ${pkg}.`),
    ),
  ];
  const knownNames = [...builtins.map((d) => d.name), ...installed.map((i) => i.package)].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const other = z
    .object({
      ...baseDeviceShape,
      // Not a known driver's name: those devices are checked against their own schema above.
      driver: z
        .string()
        .regex(new RegExp(`^(?!(${knownNames.join('|')})$).+`))
        .describe('The npm package name of a third-party driver.'),
      connection: z.record(z.string(), z.unknown()).describe('How to reach the device; see the driver\'s README.'),
      points: z
        .array(z.object({ ...basePointShape, pipeline: pipelineSchema.optional() }).loose())
        .default([])
        .describe('Point definitions; the driver adds its own fields.'),
      pipeline: pipelineSchema.optional().describe('Steps for every point of the device that has no `pipeline` of its own.'),
      derived: z.array(derivedSchema).default([]).describe('Points computed at the edge.'),
    })
    .strict()
    .describe('A device of a third-party driver (by npm package name).');
  const sinks = builtinSinks.map((sink) => sinkObjectSchema(sink));
  const schema = configSchema.extend({
    sinks: z
      .array(z.discriminatedUnion('type', sinks as [(typeof sinks)[number], ...typeof sinks]).describe('Where the feed goes.'))
      .default([])
      .describe('Platform endpoints the feed is forwarded to, each with its own journal cursor.'),
    devices: z.array(z.union([...known, other])).default([]).describe('Field devices, each validated against its driver\'s schema.'),
  });
  const json = jsonSchemaOf(schema, { target: 'draft-2020-12' });
  // Exactly one alternative matches a sink: a built-in by its `type`, or a sink package by any other.
  const { $schema: _, ...fromPackage } = jsonSchemaOf(otherSink(builtinSinks), { target: 'draft-2020-12' });
  ((json.properties as { sinks: { items: { oneOf: unknown[] } } }).sinks.items.oneOf).push(fromPackage);
  // Steps are validated by the step found at load time; editors get the built-in steps' options.
  json.$defs = { ...(json.$defs as object | undefined), step: stepSchema() };
  pointPipelinesAt(json);
  return {
    $id: 'https://sensegate.dev/schemas/config.schema.json',
    title: 'sensegate gateway configuration',
    ...json,
  };
}

/** A sink of a third-party package: its own fields are known once it is installed. */
function otherSink(builtins: Sink[]) {
  const names = builtins.map((s) => s.type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return z
    .object({
      // Not a built-in sink's type: those are checked against their own schema.
      type: z
        .string()
        .regex(new RegExp(`^(?!(${names.join('|')})$).+`))
        .describe('The npm package name of a third-party sink.'),
      name: z.string().optional().describe('Name of this sink in logs and metrics, and of its journal cursor (default: the package name without its scope).'),
      ...forwardOptionsShape,
    })
    .catchall(z.unknown())
    .describe('A sink from an npm package (by package name), with that sink\'s own fields; see its README.');
}

/** One step of a pipeline: a built-in step with its options, or a step package by name. */
function stepSchema(): Record<string, unknown> {
  const builtin = [...BUILTIN_STEPS.values()].map((step) => {
    const { $schema: _, ...options } = jsonSchemaOf(step.options, { target: 'draft-2020-12' });
    return { type: 'object', description: step.description, properties: { [step.name]: options }, required: [step.name], additionalProperties: false };
  });
  const fromPackage = {
    type: 'object',
    description: 'A step from an npm package, named by the package, with that step\'s options.',
    minProperties: 1,
    maxProperties: 1,
    propertyNames: { not: { enum: [...BUILTIN_STEPS.keys()] } },
    additionalProperties: { type: 'object' },
  };
  return { anyOf: [...builtin, fromPackage] };
}

/** Points every `pipeline` list's items at the step schema. */
function pointPipelinesAt(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(pointPipelinesAt);
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pipeline' && typeof value === 'object' && value !== null && 'items' in value) (value as { items: unknown }).items = { $ref: '#/$defs/step' };
    else pointPipelinesAt(value);
  }
}
