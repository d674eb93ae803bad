/**
 * `alarm`: a threshold alarm on one point, a tap that passes every reading on unchanged and raises
 * `alarm.raise` / `alarm.clear` events beside them.
 *
 * - Conditions: `above`, `below`, both (out of band: one alarm, which stays active if the value
 *   jumps from one side to the other without passing through the band), or `equals`.
 * - Hysteresis: an `above` alarm clears at `above - hysteresis` or below, a `below` alarm at
 *   `below + hysteresis` or above; a value between raise and clear threshold neither raises nor
 *   clears, and breaks any pending delay.
 * - `onDelay` / `offDelay`, on reading timestamps: the condition must hold without a break. A tick
 *   confirms a pending raise or clear once its delay has passed by the gateway's clock, with the
 *   last value seen (the device may report rarely); the event is dated when the delay ended.
 * - Bad readings (bad quality, or not a finite number for `above`/`below`) follow `onBad`. Under
 *   `hold` they are ignored altogether, so a delay keeps running and a tick may still confirm it.
 * - Out-of-order readings (older than the newest reading judged, or than an event a tick dated)
 *   are passed on but not judged: a delay never moves backwards and no event is dated before
 *   the one it follows.
 * - All state is plain JSON, saved with the events by the gateway: after a restart an active alarm
 *   stays active without a second raise, and a pending delay carries on.
 * - A step of the gateway's clock (for points it stamps) moves the pending delay and the newest
 *   judged timestamp with it: a delay is never cut short by a step forward, nor readings ignored
 *   for an hour after a step back.
 * - Two alarm steps on one point need different `name`s (a step cannot see its siblings, so this
 *   is not checked): consumers pair a raise with its clear by device, point and name.
 */
import { defineStep, type DeviceEvent, type StepContext, type Value } from '@sensegate/sdk';
import { clearThreshold, raiseCondition, usable, verdictOf } from './alarm-condition.js';
import { clearMessage, raiseMessage, type MessageFacts } from './alarm-message.js';
import { alarmName, alarmOptions, checkAlarmOptions, type AlarmOptions } from './alarm-options.js';

/** One alarm's state on one point; every field survives `JSON.parse(JSON.stringify(state))`. */
export interface AlarmState {
  active: boolean;
  /** When the raise condition began: a pending raise while inactive (null: none); the start of the condition while active. */
  since: number | null;
  /** When the alarm was raised (its event's `ts`); null while inactive. */
  raisedAt: number | null;
  /** While active: when the clear condition began, a pending clear (null: none). */
  clearing: number | null;
  /** Timestamp of the newest reading judged (or event dated by a tick): older readings are not judged. */
  ts: number | null;
  /** The last reading judged: its value (a tick confirms with it), whether it was bad, and its status. */
  value: Value;
  bad: boolean;
  status: string | null;
}

type Ctx = StepContext<AlarmOptions>;

/** The `alarm` pipeline step. */
export const alarmStep = defineStep<AlarmOptions, AlarmState>({
  name: 'alarm',
  description: 'Threshold alarm (above, below, out of band, or equals) with hysteresis, on-delay and off-delay: raises and clears events, passes readings on unchanged.',
  options: alarmOptions,
  check: (o) => checkAlarmOptions(o),
  init: () => ({ active: false, since: null, raisedAt: null, clearing: null, ts: null, value: null, bad: false, status: null }),

  process(state, reading, ctx) {
    if (state.ts !== null && reading.ts < state.ts) return reading;
    const o = ctx.options;
    const isUsable = usable(o, reading);
    const verdict = verdictOf(o, reading, isUsable);
    if (verdict === 'ignore') return reading;
    const v = reading.value;
    state.ts = reading.ts;
    // NaN and Infinity do not survive JSON; kept as null, the event says the same before and after a restart.
    state.value = typeof v === 'number' && !Number.isFinite(v) ? null : v;
    state.bad = !isUsable;
    state.status = reading.status ?? null;
    if (!state.active) {
      if (verdict !== 'raise') state.since = null;
      else {
        if (state.since === null) state.since = reading.ts;
        if (reading.ts - state.since >= o.onDelay) raise(state, ctx, reading.ts);
      }
    } else if (verdict !== 'clear') state.clearing = null;
    else {
      if (state.clearing === null) state.clearing = reading.ts;
      if (reading.ts - state.clearing >= o.offDelay) clear(state, ctx, reading.ts);
    }
    return reading;
  },

  clockStep(state, step) {
    // The gateway's clock jumped with this point's timestamps: a pending delay keeps counting the
    // time that really passes, and readings after a step back are judged, not taken for old ones.
    const shift = step.to - step.from;
    if (state.since !== null) state.since += shift;
    if (state.clearing !== null) state.clearing += shift;
    if (state.ts !== null) state.ts += shift;
    return undefined;
  },
  tick(state, now, ctx) {
    const o = ctx.options;
    if (!state.active) {
      if (state.since !== null && now - state.since >= o.onDelay) raise(state, ctx, state.since + o.onDelay);
    } else if (state.clearing !== null && now - state.clearing >= o.offDelay) {
      clear(state, ctx, state.clearing + o.offDelay);
    }
    return undefined;
  },

  describe(state, ctx) {
    const o = ctx.options;
    const d: Record<string, unknown> = { alarm: alarmName(o), active: state.active, severity: o.severity };
    if (state.active) {
      d.since = state.since;
      d.raisedAt = state.raisedAt;
    }
    if (state.ts !== null) d.value = state.value;
    const pending = state.active ? state.clearing : state.since;
    if (pending !== null) {
      d.pending = state.active ? 'clear' : 'raise';
      d.pendingSince = pending;
    }
    return d;
  },
  retire(state, ctx) {
    // Its options changed while it was raised: clear it, so no consumer keeps a raise that never ends.
    if (!state.active) return;
    const at = Math.max(Date.now(), state.ts ?? 0);
    const raisedAt = state.raisedAt ?? at;
    const name = alarmName(ctx.options);
    ctx.event(
      eventOf(ctx, 'alarm.clear', at, `${ctx.point.point} alarm ${name} cleared: its configuration changed`, {
        alarm: name,
        state: 'cleared',
        reason: 'reconfigured',
        value: state.value,
        raisedAt,
        duration: at - raisedAt,
      }, state),
    );
  },
});

function raise(state: AlarmState, ctx: Ctx, at: number): void {
  const o = ctx.options;
  const { condition, threshold } = raiseCondition(o, state.value, state.bad);
  const facts = factsOf(state, ctx, threshold);
  state.active = true;
  state.raisedAt = at;
  state.clearing = null;
  advance(state, at);
  ctx.event(
    eventOf(ctx, 'alarm.raise', at, raiseMessage(o, facts, condition), {
      alarm: facts.name,
      state: 'active',
      value: state.value,
      threshold,
      condition,
      since: state.since,
    }, state),
  );
}

function clear(state: AlarmState, ctx: Ctx, at: number): void {
  const o = ctx.options;
  const threshold = clearThreshold(o, state.value, state.bad);
  const facts = factsOf(state, ctx, threshold);
  const raisedAt = state.raisedAt ?? at;
  state.active = false;
  state.since = null;
  state.raisedAt = null;
  state.clearing = null;
  advance(state, at);
  ctx.event(
    eventOf(ctx, 'alarm.clear', at, clearMessage(o, facts), {
      alarm: facts.name,
      state: 'cleared',
      value: state.value,
      threshold,
      raisedAt,
      duration: at - raisedAt,
    }, state),
  );
}

/** A tick dates its event at the end of the delay, possibly after the newest reading: readings before it are late. */
function advance(state: AlarmState, at: number): void {
  if (state.ts === null || at > state.ts) state.ts = at;
}

function factsOf(state: AlarmState, ctx: Ctx, threshold: Value): MessageFacts {
  return {
    device: ctx.point.device,
    point: ctx.point.point,
    unit: ctx.point.unit,
    name: alarmName(ctx.options),
    value: state.value,
    threshold,
    bad: state.bad,
    status: state.status,
  };
}

function eventOf(ctx: Ctx, type: string, ts: number, message: string, data: Record<string, unknown>, state: AlarmState): DeviceEvent {
  if (ctx.point.unit !== undefined) data.unit = ctx.point.unit;
  // Why the reading was bad is the first thing an operator asks.
  if (state.bad && state.status !== null) data.status = state.status;
  return { type, ts, device: ctx.point.device, point: ctx.point.point, severity: ctx.options.severity, message, data };
}
