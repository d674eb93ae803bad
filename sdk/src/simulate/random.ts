/** A small seeded PRNG (mulberry32): the same seed gives the same random walk on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives a per-point seed, so adding a point does not change the walks of the others. */
export function seedFor(seed: number, unitId: number, pointId: string): number {
  let h = (seed ^ Math.imul(unitId, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < pointId.length; i++) h = Math.imul(h ^ pointId.charCodeAt(i), 16777619) >>> 0;
  return h;
}
