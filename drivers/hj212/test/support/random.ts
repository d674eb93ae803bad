/** The SDK's seeded generator (mulberry32), so that a failing random case can be replayed. */
export { seededRandom as random } from '@sensegate/sdk/simulate';

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
