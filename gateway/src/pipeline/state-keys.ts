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

export function fingerprint(configured: ConfiguredStep): string {
  return createHash('sha1').update(`${configured.step.name}\n${JSON.stringify(configured.options)}`).digest('hex').slice(0, 12);
}

export function encodeState(fp: string, state: unknown): string {
  return JSON.stringify({ o: fp, s: state });
}

/** The state saved under other options (to retire it), or undefined. */
export function staleState(fp: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    const saved = JSON.parse(text) as { o?: unknown; s?: unknown };
    return saved.o !== fp && saved.s !== undefined ? saved.s : undefined;
  } catch {
    return undefined;
  }
}

/** The saved state if it was saved under the same options, else undefined. */
export function decodeState(fp: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    const saved = JSON.parse(text) as { o?: unknown; s?: unknown };
    return saved.o === fp && saved.s !== undefined ? saved.s : undefined;
  } catch {
    return undefined;
  }
}
