/**
 * Normalized quality of a reading. Platform consumers can rely on these three values alone;
 * the protocol's own status (OPC UA status code, Modbus exception, HJ 212 flag) travels beside
 * it in `Reading.status`.
 */
export type Quality = 'good' | 'uncertain' | 'bad';

export const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad'];

const rank: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

/** The worse of two qualities: a value computed from several inputs is never better than its worst input. */
export function worstQuality(a: Quality, b: Quality): Quality {
  return rank[a] >= rank[b] ? a : b;
}
