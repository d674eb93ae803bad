/**
 * What a user writes for an `alarm` step, and the checks across fields that the schema cannot
 * express. Which condition raises the alarm is decided here once: `above`, `below`, both (out of
 * band) or `equals`.
 */
import { duration, identifier } from '@sensegate/sdk';
import { z } from 'zod';
import { PLACEHOLDERS } from './alarm-message.js';

export const alarmOptions = z
  .object({
    above: z.number().optional().describe('Raise when the value is greater than this, in the point\'s unit. With `below`: an out-of-band alarm.'),
    below: z.number().optional().describe('Raise when the value is less than this, in the point\'s unit. With `above`: an out-of-band alarm (`below` must be less than `above`).'),
    equals: z
      .union([z.number(), z.boolean(), z.string()])
      .optional()
      .describe('Raise when the value equals this (a state point such as a pump fault). Not combined with `above`, `below` or `hysteresis`. `true`/`false` also match 1/0.'),
    hysteresis: z
      .number()
      .nonnegative()
      .optional()
      .describe('Default 0. An `above` alarm clears at `above - hysteresis` or below, a `below` alarm at `below + hysteresis` or above, so a value hovering at the threshold raises once.'),
    onDelay: duration('The condition must hold this long without a break (on reading timestamps) before the alarm is raised; a reading that breaks it starts the wait again.').default(0),
    offDelay: duration('The clear condition must hold this long without a break before the alarm clears.').default(0),
    severity: z.enum(['info', 'warning', 'critical']).default('warning').describe('Severity of the raise and of the clear that pairs with it.'),
    name: identifier('Names the alarm in its events and in `status`. Default: `high` (above), `low` (below), `range` (both), `state` (equals). Two alarm steps on one point need different names.').optional(),
    message: z
      .string()
      .min(1)
      .optional()
      .describe('Text of the raise event, with `{device} {point} {value} {threshold} {unit} {name}` filled in. Default: e.g. `pm25 above 75 ug/m3 for 2m: 82.3 ug/m3`.'),
    clearMessage: z
      .string()
      .min(1)
      .optional()
      .describe('Text of the clear event, with the same placeholders (`{threshold}` is the clear threshold). Default: e.g. `pm25 back to 70 ug/m3 or below: 65.1 ug/m3`.'),
    onBad: z
      .enum(['hold', 'clear', 'raise'])
      .default('hold')
      .describe('A bad-quality reading (or a non-numeric value for `above`/`below`): `hold` changes nothing and keeps any delay running; `clear` counts as the clear condition; `raise` counts as the raise condition (a lost sensor is an alarm).'),
  })
  .strict();

export type AlarmOptions = z.output<typeof alarmOptions>;

/** The alarm's name: the configured one, else a word for its condition. */
export function alarmName(o: AlarmOptions): string {
  if (o.name !== undefined) return o.name;
  if (o.equals !== undefined) return 'state';
  if (o.above !== undefined && o.below !== undefined) return 'range';
  return o.above !== undefined ? 'high' : 'low';
}

/** Problems across fields, one message each. */
export function checkAlarmOptions(o: AlarmOptions): string[] {
  const problems: string[] = [];
  const hysteresis = o.hysteresis ?? 0;
  if (o.above === undefined && o.below === undefined && o.equals === undefined) problems.push('give `above`, `below` (or both, for an out-of-band alarm) or `equals`');
  if (o.equals !== undefined && (o.above !== undefined || o.below !== undefined)) {
    problems.push('`equals` cannot be combined with `above` or `below`: use a second alarm step with its own `name`');
  }
  if (o.equals !== undefined && o.hysteresis !== undefined) problems.push('`hysteresis` does not apply to `equals`');
  if (o.above !== undefined && o.below !== undefined) {
    if (o.below >= o.above) problems.push(`below (${o.below}) must be less than above (${o.above})`);
    // The alarm clears only inside [below + hysteresis, above - hysteresis]; an empty band never clears.
    else if (o.below + hysteresis > o.above - hysteresis) {
      problems.push(`hysteresis (${hysteresis}) is too large for the band ${o.below} to ${o.above}: no value would clear the alarm (at most ${(o.above - o.below) / 2})`);
    }
  }
  for (const [field, text] of [['message', o.message], ['clearMessage', o.clearMessage]] as const) {
    for (const [, key] of text?.matchAll(/\{([^{}]*)\}/g) ?? []) {
      if (!PLACEHOLDERS.includes(key!)) problems.push(`${field}: unknown placeholder {${key}} (use ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
    }
  }
  return problems;
}
