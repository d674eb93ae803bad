/**
 * How pipelines and derived points are written in the configuration. A pipeline is a list of
 * one-key mappings, `- deadband: { absolute: 0.5 }`; each step's options are validated against
 * that step's own schema once the step is known (built in, or loaded from its package).
 */
import { duration, identifier } from '@sensegate/sdk';
import { z } from 'zod';

export const pipelineSchema = z
  .array(z.record(z.string(), z.unknown()))
  .describe(
    'Steps applied in order to every reading of the point, between normalization and the journal: `- deadband: {...}`, `- range: {...}`, `- spike: {...}`, `- throttle: {...}`, `- window: {...}`, `- alarm: {...}`, or a step package by name. See docs/pipeline.md.',
  );

const pointRef = z
  .string()
  .min(1)
  .describe('A point of this device by id, or of another device as `device/point`.');

export const aqiSchema = z
  .object({
    report: z
      .enum(['hourly', 'daily'])
      .default('hourly')
      .describe('`hourly`: the real-time AQI from hourly concentrations; `daily`: the daily AQI from 24-hour averages (HJ 633-2012).'),
    so2: pointRef.optional().describe('SO2 concentration in ug/m3 (hourly: 1-hour average; daily: 24-hour average).'),
    no2: pointRef.optional().describe('NO2 concentration in ug/m3 (hourly: 1-hour average; daily: 24-hour average).'),
    pm10: pointRef.optional().describe('PM10 concentration in ug/m3 (hourly: 1-hour average; daily: 24-hour average).'),
    pm25: pointRef.optional().describe('PM2.5 concentration in ug/m3 (hourly: 1-hour average; daily: 24-hour average).'),
    co: pointRef.optional().describe('CO concentration in mg/m3 (hourly: 1-hour average; daily: 24-hour average).'),
    o3: pointRef.optional().describe('O3 concentration in ug/m3 (hourly: 1-hour average; daily: the day\'s highest 1-hour average).'),
    o3_8h: pointRef.optional().describe('O3 8-hour moving average in ug/m3 (daily: the day\'s highest 8-hour moving average).'),
    so2_24h: pointRef
      .optional()
      .describe('Hourly report only: the SO2 24-hour average in ug/m3, used when the 1-hour value is above 800 ug/m3, beyond the 1-hour table (HJ 633-2012, note to table 1).'),
  })
  .strict()
  .describe('The air quality index per HJ 633-2012: the point is the AQI; `<id>.primary` (primary pollutants), `<id>.level` (1-6) and `<id>.iaqi.<pollutant>` come with it.');

export const derivedSchema = z
  .object({
    id: identifier('Id of the derived point, unique within its device.'),
    name: z.string().optional().describe('Human-readable name.'),
    description: z.string().optional().describe('Free text for operators.'),
    unit: z.string().optional().describe('Unit of the computed value.'),
    decimals: z.number().int().min(0).max(15).optional().describe('Round the computed value to this many decimal places.'),
    expression: z
      .string()
      .optional()
      .describe('Computes the value from other points\' feed values: `flow * head * 9.81 / (power * 1000)`. Ids with `-` or another device\'s points in backticks: `` `meter-1/power` ``. See docs/pipeline.md.'),
    from: pointRef.optional().describe('A copy of another point\'s readings before that point\'s own pipeline, to condense it differently (its hourly maximum beside its minute average).'),
    aqi: aqiSchema.optional(),
    maxAge: duration('An input older than this, compared with the newest input, makes the result uncertain (a stale value).').optional(),
    pipeline: pipelineSchema.optional(),
  })
  .strict()
  .describe('A point computed at the edge: by an expression, as a copy of another point, or as the air quality index.');

export type DerivedInput = z.output<typeof derivedSchema>;
