/**
 * The fuzzing kit: seeded random and mutated inputs for every listener and parser, run for a time
 * budget, and a watch on the process while they run (event-loop stalls, resident memory).
 *
 *   const budget = fuzzBudget(3);                       // 3 s in `npm test`, longer in `npm run fuzz`
 *   const watch = watchProcess();
 *   const runs = await fuzzFor(budget, async (random) => {
 *     socket.write(random.chance(0.5) ? mutate(random, goodFrame) : random.bytes(random.int(2048)));
 *   });
 *   const seen = watch.stop();                          // { maxStallMs, peakRssBytes }
 *
 * Every run is reproducible: the seed comes from `SENSEGATE_FUZZ_SEED` when set, is printed when a
 * round fails, and a failure names the round. `SENSEGATE_FUZZ_SECONDS` replaces every budget (what
 * `npm run fuzz` sets for long runs).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { seededRandom } from '../simulate/random.js';

/** The time budget of one fuzz target, ms: `SENSEGATE_FUZZ_SECONDS` when set, else `defaultSeconds`. */
export function fuzzBudget(defaultSeconds: number, env: NodeJS.ProcessEnv = process.env): number {
  const override = Number(env.SENSEGATE_FUZZ_SECONDS);
  return Math.round((Number.isFinite(override) && override > 0 ? override : defaultSeconds) * 1000);
}

/** The seed of a run: `SENSEGATE_FUZZ_SEED` when set, else a fresh one. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const fixed = Number(env.SENSEGATE_FUZZ_SEED);
  return Number.isInteger(fixed) ? fixed >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}

/** A seeded source of random numbers, bytes and choices. */
export class FuzzRandom {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }

  /** A number in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[this.int(items.length)]!;
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  /** Printable ASCII, the alphabet of text protocols. */
  text(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(32 + this.int(95));
    return s;
  }
}

/** Byte runs that parsers tend to treat specially: delimiters, extremes, separators of text protocols. */
const INTERESTING: readonly Buffer[] = [
  Buffer.from([0x00]),
  Buffer.from([0xff]),
  Buffer.from([0x7f]),
  Buffer.from([0x80]),
  Buffer.from('\r\n'),
  Buffer.from('\n'),
  Buffer.from('##'),
  Buffer.from('9999'),
  Buffer.from('0000'),
  Buffer.from(';;'),
  Buffer.from('&&'),
  Buffer.from('=='),
  Buffer.from([0x7e, 0x7e]),
  Buffer.from([0x02]),
  Buffer.from([0x03]),
  Buffer.from([0x16]),
  Buffer.from('<'),
  Buffer.from('>'),
  Buffer.from('"'),
  Buffer.from('\\'),
  Buffer.from('%s%n'),
  Buffer.from('\u001b[31m'),
];

/**
 * One random mutation of a valid input (or several stacked): flipped bits, replaced or
 * interesting bytes, cut short, a slice repeated or removed, random bytes inserted. The result
 * is at most `maxLength` bytes.
 */
export function mutate(random: FuzzRandom, sample: Uint8Array, maxLength = 64 * 1024): Buffer {
  let data = Buffer.from(sample);
  const rounds = 1 + random.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = data.length === 0 ? 0 : random.int(data.length);
    switch (random.int(8)) {
      case 0: // flip a bit
        if (data.length > 0) data[at] = data[at]! ^ (1 << random.int(8));
        break;
      case 1: // replace a byte
        if (data.length > 0) data[at] = random.int(256);
        break;
      case 2: // splice in an interesting run
        data = Buffer.concat([data.subarray(0, at), random.pick(INTERESTING), data.subarray(at)]);
        break;
      case 3: // cut short
        data = data.subarray(0, at);
        break;
      case 4: {
        // repeat a slice
        const length = 1 + random.int(Math.max(1, data.length - at));
        const slice = data.subarray(at, at + length);
        const times = 1 + random.int(8);
        data = Buffer.concat([data.subarray(0, at), ...Array<Buffer>(times).fill(slice), data.subarray(at)]);
        break;
      }
      case 5: {
        // remove a slice
        const length = 1 + random.int(Math.max(1, Math.min(16, data.length - at)));
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + length)]);
        break;
      }
      case 6: // insert random bytes
        data = Buffer.concat([data.subarray(0, at), random.bytes(1 + random.int(32)), data.subarray(at)]);
        break;
      default: {
        // overwrite a digit with another digit: lengths and counts that lie
        const digits: number[] = [];
        for (let i = 0; i < data.length; i++) if (data[i]! >= 0x30 && data[i]! <= 0x39) digits.push(i);
        if (digits.length > 0) data[random.pick(digits)] = 0x30 + random.int(10);
      }
    }
  }
  return data.length > maxLength ? data.subarray(0, maxLength) : data;
}

/** Random bytes of a random length up to `maxLength`. */
export function garbage(random: FuzzRandom, maxLength: number): Buffer {
  return random.bytes(random.int(maxLength + 1));
}

export interface FuzzForOptions {
  /** Seed of the run (default: `fuzzSeed()`). */
  seed?: number;
  /** Stop after this many rounds even if time is left. */
  maxRounds?: number;
}

/**
 * Runs `round` again and again until `budgetMs` has passed; returns how many rounds ran. A round
 * that throws fails the run with the seed and the round's number, so it can be replayed with
 * `SENSEGATE_FUZZ_SEED`.
 */
export async function fuzzFor(
  budgetMs: number,
  round: (random: FuzzRandom, index: number) => void | Promise<void>,
  options: FuzzForOptions = {},
): Promise<number> {
  const seed = options.seed ?? fuzzSeed();
  const random = new FuzzRandom(seed);
  const until = performance.now() + budgetMs;
  let index = 0;
  while (performance.now() < until && index < (options.maxRounds ?? Number.POSITIVE_INFINITY)) {
    try {
      await round(random, index);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw Object.assign(new Error(`fuzz round ${index} failed (replay with SENSEGATE_FUZZ_SEED=${seed}): ${message}`), { cause: err });
    }
    index++;
  }
  return index;
}

export interface ProcessWatchResult {
  /** The longest the event loop was blocked while watched, ms. */
  maxStallMs: number;
  /** The highest resident set size seen, bytes (sampled every 50 ms). */
  peakRssBytes: number;
  /** Resident set size when the watch started, bytes. */
  startRssBytes: number;
}

export interface ProcessWatch {
  /** What was seen so far. */
  read(): ProcessWatchResult;
  /** Stops watching and returns what was seen. */
  stop(): ProcessWatchResult;
}

/** Watches this process's event loop and memory while a fuzz run goes on. */
export function watchProcess(): ProcessWatch {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const startRssBytes = process.memoryUsage.rss();
  let peakRssBytes = startRssBytes;
  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  }, 50);
  sampler.unref();
  const read = (): ProcessWatchResult => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    // The histogram counts from the expected tick: its max is the longest stall plus the resolution.
    return { maxStallMs: Math.max(0, delay.max / 1e6 - 10), peakRssBytes, startRssBytes };
  };
  return {
    read,
    stop() {
      const result = read();
      clearInterval(sampler);
      delay.disable();
      return result;
    },
  };
}
