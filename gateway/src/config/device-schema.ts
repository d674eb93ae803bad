/**
 * A device's schema depends on its driver: the generic device and point fields from the SDK, plus
 * the driver's `connection` schema and point fields. Built once per driver.
 */
import { baseDeviceShape, basePointShape, type Driver } from '@sensegate/sdk';
import { z } from 'zod';
import { derivedSchema, pipelineSchema } from '../pipeline/schema.js';

export function pointSchemaFor(driver: Driver) {
  return z.object({ ...basePointShape, ...driver.point.shape, pipeline: pipelineSchema.optional() }).strict();
}

export function deviceSchemaFor(driver: Driver) {
  return z
    .object({
      ...baseDeviceShape,
      connection: driver.connection.describe(`How to reach the device (${driver.name} driver).`),
      points: z.array(pointSchemaFor(driver)).default([]).describe('The points to read; added to or overriding the profile\'s points by id.'),
      pipeline: pipelineSchema
        .optional()
        .describe('Steps for every point of the device that has no `pipeline` of its own (`pipeline: []` on a point opts it out).'),
      derived: z.array(derivedSchema).default([]).describe('Points computed at the edge from this device\'s (or other devices\') points.'),
    })
    .strict();
}

/** A device profile file: the points of a device model, shared by devices and simulators. */
export function profileSchemaFor(driver: Driver) {
  return z
    .object({
      name: z.string().describe('Profile name, as used in `profile:`.'),
      description: z.string().optional().describe('What device model this profile describes.'),
      manufacturer: z.string().optional().describe('Who makes the device.'),
      model: z.string().optional().describe('Model name or number.'),
      points: z.array(pointSchemaFor(driver)).describe('Point definitions, as in a device\'s `points:`.'),
      pipeline: pipelineSchema.optional().describe('Steps for every point of the profile that has no `pipeline` of its own; a device\'s `pipeline` replaces it.'),
      simulate: z.record(z.string(), z.unknown()).optional().describe('Value generators for the simulator; ignored by the gateway.'),
    })
    .strict();
}
