/** A small seeded generator (mulberry32), so that a failing random case can be replayed. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one generator: an integer below `n`, an element, a string from an alphabet. */
export function picker(rnd: () => number) {
  const int = (n: number) => Math.floor(rnd() * n);
  return {
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    text: (alphabet: string, length: number) => Array.from({ length }, () => alphabet[int(alphabet.length)]).join(''),
    bytes: (length: number) => Buffer.from(Array.from({ length }, () => int(256))),
  };
}
