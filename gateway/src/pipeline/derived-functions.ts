/**
 * Functions that derived-point expressions have beside the built-in arithmetic: the individual air
 * quality index of one pollutant per HJ 633-2012, `iaqi('pm25_24h', pm25.day.avg)`, for a site that
 * wants one pollutant's index without the whole `aqi:` block.
 */
import type { Value } from '@sensegate/sdk';
import { BREAKPOINTS, iaqi, type IaqiKind } from './aqi.js';
import type { ExpressionFunction } from './expression/index.js';

const KINDS = Object.keys(BREAKPOINTS) as IaqiKind[];

export const AQI_FUNCTIONS: Record<string, ExpressionFunction> = {
  iaqi: {
    minArgs: 2,
    maxArgs: 2,
    describe: `iaqi(kind, concentration): the individual AQI of one pollutant per HJ 633-2012; kind is one of ${KINDS.map((k) => `'${k}'`).join(', ')}`,
    call(args: Value[]): Value {
      const kind = args[0];
      const c = args[1];
      if (typeof kind !== 'string' || !(kind in BREAKPOINTS) || typeof c !== 'number') return null;
      return iaqi(kind as IaqiKind, c);
    },
    explain(args: readonly Value[]): string | undefined {
      const kind = args[0];
      if (typeof kind !== 'string' || !(kind in BREAKPOINTS)) return `iaqi() needs a kind such as 'pm25_24h' (one of ${KINDS.join(', ')}), got ${JSON.stringify(kind)}`;
      if (args[1] === null) return undefined;
      if (typeof args[1] !== 'number') return `iaqi() needs a number as the concentration, got ${JSON.stringify(args[1])}`;
      return `no IAQI for ${kind} at ${args[1]} (negative, or beyond what HJ 633-2012 indexes)`;
    },
  },
};
