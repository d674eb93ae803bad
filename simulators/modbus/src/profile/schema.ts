/**
 * The Modbus point and profile format, shared with the driver: sdk generic point fields, `table` and
 * `address`, and the sdk register value fields. `simulate:` entries describe how values move; the
 * gateway ignores them. Every field is described, every object strict.
 */
import { basePointShape, identifier, registerValueShape } from '@sensegate/sdk';
import { generatorSchema } from '@sensegate/sdk/simulate';
import { z } from 'zod';

export const TABLES = ['holding', 'input', 'coil', 'discrete'] as const;
export type Table = (typeof TABLES)[number];

/** Coils and discrete inputs hold single bits; holding and input registers hold 16-bit words. */
export const isBitTable = (table: Table): boolean => table === 'coil' || table === 'discrete';

const pointObject = z
  .object({
    ...basePointShape,
    table: z
      .enum(TABLES)
      .default('holding')
      .describe('Modbus table: holding registers (FC 3/6/16), input registers (FC 4), coils (FC 1/5/15) or discrete inputs (FC 2).'),
    address: z.number().int().min(0).max(65535).describe('0-based PDU address of the first register or bit (0..65535).'),
    ...registerValueShape,
    // The sdk default (uint16) is applied below, so that coil and discrete points may leave out `type: bool`.
    type: registerValueShape.type.unwrap().optional().describe(registerValueShape.type.description ?? 'Data type.'),
  })
  .strict();

/** One point as written in a profile or a device's `points:`. */
export const modbusPointSchema = pointObject
  .superRefine((p, ctx) => {
    if (isBitTable(p.table) && p.type !== undefined && p.type !== 'bool') {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `${p.table} points are single bits: type must be bool, got ${p.type}` });
    }
    if (p.type === 'string' && p.length === undefined) {
      ctx.addIssue({ code: 'custom', path: ['length'], message: 'a string point needs `length` (registers, two characters each)' });
    }
  })
  .transform((p) => ({ ...p, type: p.type ?? (isBitTable(p.table) ? ('bool' as const) : ('uint16' as const)) }))
  .describe('A Modbus point: where a value sits (table, address) and how it is encoded (type, byteOrder, bit, length).');

/** A point as callers write it (defaults may be left out). */
export type ModbusSimPoint = z.input<typeof modbusPointSchema>;
/** A validated point with every default filled in. */
export type ModbusPoint = z.output<typeof modbusPointSchema>;


export const profileSchema = z
  .object({
    name: identifier('Profile name (the file name without .yaml).').optional(),
    description: z.string().optional().describe('What device this profile describes.'),
    manufacturer: z.string().optional().describe('Who makes the device (as in the gateway\'s profile format).'),
    model: z.string().optional().describe('Model name or number.'),
    points: z.array(modbusPointSchema).default([]).describe('The device\'s points, exactly as a device\'s `points:` takes them.'),
    simulate: z
      .record(z.string(), generatorSchema)
      .default({})
      .describe('Simulator only (the gateway ignores it): how each point\'s value moves, by point id. Points without an entry hold 0/false until written.'),
  })
  .strict()
  .describe('A Modbus device profile: its points and, for the simulator, how their values move.');

/** A validated profile. `file` is where it was loaded from, when it came from a file. */
export { generatorSchema, type Generator, type GeneratorKind, type GeneratorSpec } from '@sensegate/sdk/simulate';

export type ModbusProfile = z.output<typeof profileSchema> & { file?: string };
