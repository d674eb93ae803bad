/**
 * A Modbus point's own fields (the gateway adds the generic ones: id, unit, scale, ...): which table
 * and address, and how the value sits in the registers. The same fields make a profile's points and
 * the simulator's, so one file describes a device to both.
 *
 * `type` has no schema default because it depends on the table: coils and discrete inputs are
 * `bool`, registers `uint16`. Rules across fields (a coil must be bool, a string needs `length`,
 * the point must end by address 65535) are checked by `checkPoints` when a device is added,
 * because the gateway merges this shape with the generic fields, which drops object refinements.
 */
import { registerValueShape, type DataType } from '@sensegate/sdk';
import { z } from 'zod';

export const TABLES = ['holding', 'input', 'coil', 'discrete'] as const;
export type Table = (typeof TABLES)[number];

export const pointShape = {
  table: z
    .enum(TABLES)
    .default('holding')
    .describe('Modbus table: holding registers (FC3, written with FC6/FC16), input registers (FC4), coils (FC1, written with FC5/FC15) or discrete inputs (FC2).'),
  address: z.number().int().min(0).max(65535).describe('0-based PDU address of the first register or bit (0..65535); register 40001 in a manual is address 0.'),
  type: registerValueShape.type
    .unwrap()
    .optional()
    .describe('Data type in the registers: bool, bit (one bit of a register), int16/uint16, int32/uint32, int64/uint64, float32, float64, string. Default: bool for coils and discrete inputs, uint16 for registers.'),
  byteOrder: registerValueShape.byteOrder,
  bit: registerValueShape.bit,
  length: registerValueShape.length,
} as const;

export const pointSchema = z.object(pointShape).strict().describe('Where a Modbus point sits and how it is encoded.');

export type ModbusPointFields = z.output<typeof pointSchema>;

export const isBitTable = (table: Table): boolean => table === 'coil' || table === 'discrete';

/** The type a point is read as, its default resolved by table. */
export function pointType(spec: Pick<ModbusPointFields, 'table' | 'type'>): DataType {
  return spec.type ?? (isBitTable(spec.table) ? 'bool' : 'uint16');
}
