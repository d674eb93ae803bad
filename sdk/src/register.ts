/**
 * The point fields that describe how a value sits in 16-bit registers, shared by every
 * register-based driver and simulator so that a profile means the same thing to both.
 */
import { z } from 'zod';
import { BYTE_ORDERS, DATA_TYPES } from './codec.js';

export const registerValueShape = {
  type: z
    .enum(DATA_TYPES)
    .default('uint16')
    .describe('Data type in the registers: bool, bit (one bit of a register), int16/uint16, int32/uint32, int64/uint64, float32, float64, string.'),
  byteOrder: z
    .enum(BYTE_ORDERS)
    .default('ABCD')
    .describe('Byte order of multi-register values: ABCD big-endian, CDAB word-swapped, BADC byte-swapped, DCBA little-endian.'),
  bit: z.number().int().min(0).max(15).optional().describe('For type `bit`: which bit of the register, 0 = least significant.'),
  length: z
    .number()
    .int()
    .min(1)
    .max(125)
    .optional()
    .describe('For type `string`: the number of registers (two characters each).'),
} as const;
