/**
 * How step states are saved: one row per step instance, keyed by device, point and position, with
 * a fingerprint of the step's options. A state saved under other options (the operator changed
 * the window size) is not handed back: the step starts afresh rather than misreading it.
 */
import { createHash } from 'node:crypto';
import type { ConfiguredStep } from './chain.js';

export function stateKey(device: string, point: string, index: number, step: string): string {
  return `${device}/${point}#${index}:${step}`;
}

/** Where a point's clock lag (see PointChain) is saved beside its step states. */
export function lagKey(device: string, point: string): string {
  return `${device}/${point}#lag`;
}

/** When the states were last saved, on the wall clock: a clock behind it at start went back while stopped. */
export const SAVED_AT_KEY = 'pipeline#savedAt';

export function fingerprint(configured: ConfiguredStep): string {
  return createHash('sha1').update(`${configured.step.name}\n${JSON.stringify(configured.options)}`).digest('hex').slice(0, 12);
}

export function encodeState(fp: string, state: unknown): string {
  return JSON.stringify({ o: fp, s: state });
}

/**
 * A saved state, read once: `current` when it was saved under the same options (reuse it), `stale`
 * when under other options (the step retires it and starts afresh), neither when there is none.
 */
export function readState(fp: string, text: string | undefined): { current?: unknown; stale?: unknown } {
  if (text === undefined) return {};
  try {
    const saved = JSON.parse(text) as { o?: unknown; s?: unknown };
    if (saved.s === undefined) return {};
    return saved.o === fp ? { current: saved.s } : { stale: saved.s };
  } catch {
    return {};
  }
}
