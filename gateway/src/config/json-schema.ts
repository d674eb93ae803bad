/**
 * The JSON Schema of the configuration file, generated from the zod schemas, for editors
 * (yaml-language-server) and the docs. Devices of the built-in drivers get their full schema, and so
 * do those of the third-party drivers given (the ones installed, by package name); any other
 * `driver` value falls back to a generic device, since a third-party driver is only known once it
 * is installed.
 */
import { baseDeviceShape, basePointShape, jsonSchemaOf, type Driver } from '@sensegate/sdk';
import { z } from 'zod';
import { BUILTIN_STEPS } from '../pipeline/registry.js';
import { derivedSchema, pipelineSchema } from '../pipeline/schema.js';
import { deviceSchemaFor } from './device-schema.js';
import { configSchema } from './schema.js';

export function configJsonSchema(builtins: Driver[], installed: ReadonlyArray<{ package: string; driver: Driver }> = []): Record<string, unknown> {
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
  const schema = configSchema.extend({
    devices: z.array(z.union([...known, other])).default([]).describe('Field devices, each validated against its driver\'s schema.'),
  });
  const json = jsonSchemaOf(schema, { target: 'draft-2020-12' });
  // Steps are validated by the step found at load time; editors get the built-in steps' options.
  json.$defs = { ...(json.$defs as object | undefined), step: stepSchema() };
  pointPipelinesAt(json);
  return {
    $id: 'https://sensegate.dev/schemas/config.schema.json',
    title: 'sensegate gateway configuration',
    ...json,
  };
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
