/**
 * The JSON Schema of the configuration file, generated from the zod schemas, for editors
 * (yaml-language-server) and the docs. Devices of the built-in drivers get their full schema; any
 * other `driver` value falls back to a generic device, since a third-party driver is only known
 * once it is installed.
 */
import { baseDeviceShape, basePointShape, jsonSchemaOf, type Driver } from '@sensegate/sdk';
import { z } from 'zod';
import { deviceSchemaFor } from './device-schema.js';
import { configSchema } from './schema.js';

export function configJsonSchema(builtins: Driver[]): Record<string, unknown> {
  const known = builtins.map((d) => deviceSchemaFor(d).extend({ driver: z.literal(d.name).describe(`The built-in ${d.name} driver.`) }));
  const other = z
    .object({
      ...baseDeviceShape,
      connection: z.record(z.string(), z.unknown()).describe('How to reach the device; see the driver\'s README.'),
      points: z.array(z.object(basePointShape).loose()).default([]).describe('Point definitions; the driver adds its own fields.'),
    })
    .strict()
    .describe('A device of a third-party driver (by npm package name).');
  const schema = configSchema.extend({
    devices: z.array(z.union([...known, other])).default([]).describe('Field devices, each validated against its driver\'s schema.'),
  });
  return {
    $id: 'https://sensegate.dev/schemas/config.schema.json',
    title: 'sensegate gateway configuration',
    ...jsonSchemaOf(schema, { target: 'draft-2020-12' }),
  };
}
