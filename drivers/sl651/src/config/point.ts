/**
 * An SL 651 point's own fields: which element of the station's reports it takes, optionally only
 * from some report types. The gateway adds the generic fields (id, unit, scale, ...).
 */
import { z } from 'zod';
import { ELEMENTS, resolveElement } from '../protocol/elements.js';
import { parseFunctionCode } from '../protocol/function-codes.js';

const functionCode = z
  .string()
  .refine((t) => parseFunctionCode(t) !== undefined, 'a function code in hex (32) or a name: test, equalInterval, timed, add, hourly')
  .describe('A report function code: hex (`32`) or name (`timed`).');

export const pointShape = {
  element: z
    .string()
    .refine((t) => resolveElement(t) !== undefined, {
      message: `an element identifier in hex (39, FF38) or an alias (${ELEMENTS.slice(0, 6)
        .map((e) => e.alias)
        .join(', ')}, ...)`,
    })
    .describe('The element (要素) to publish: hex identifier (`39`, extended `FF38`) or alias (`waterLevel`, `rain.total`, ...); see the README\'s element table.'),
  function: z
    .union([functionCode, z.array(functionCode).min(1)])
    .optional()
    .describe('Only take the element from these reports (e.g. `34` or [`32`, `33`]); default: every report (30-34).'),
} as const;

export const pointSchema = z.object(pointShape).strict().describe('Which element of a station\'s reports a point carries.');

export type Sl651PointFields = z.output<typeof pointSchema>;
