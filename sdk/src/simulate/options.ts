/**
 * Command-line options of a simulator CLI: parsed strictly (an unknown or malformed option is a
 * usage error that ends with the command's usage text), and the number checks every simulator
 * needs, each naming the option and what it got.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SensegateError } from '../errors.js';

/** The option declarations `parseSimulatorOptions` takes (those of Node's `parseArgs`). */
export type SimulatorOptionSpecs = NonNullable<ParseArgsConfig['options']>;
/**
 * The `parseArgs` configuration `parseSimulatorOptions` uses. Exported so the published type
 * declarations carry it: `ParsedSimulatorOptions` is derived from it.
 */
export type StrictConfig<O extends SimulatorOptionSpecs, K extends boolean> = { args: string[]; options: O; strict: true; allowPositionals: false; tokens: K };

/** What `parseSimulatorOptions` returns: `values` typed from the options, and `tokens` when asked for. */
export type ParsedSimulatorOptions<O extends SimulatorOptionSpecs, K extends boolean = false> = ReturnType<typeof parseArgs<StrictConfig<O, K>>>;

/** Throws SG_USAGE with this message (the CLI prints it with its usage and exits 2). */
export function usageError(message: string): never {
  throw new SensegateError('SG_USAGE', message);
}

/**
 * `parseArgs` with strict options and no positionals; a parse error becomes SG_USAGE followed by
 * `usage`. With `tokens: true` the tokens come back too (for options whose order matters).
 */
export function parseSimulatorOptions<O extends SimulatorOptionSpecs, K extends boolean = false>(
  argv: string[],
  options: O,
  usage: string,
  settings: { tokens?: K; prefix?: string } = {},
): ParsedSimulatorOptions<O, K> {
  try {
    return parseArgs<StrictConfig<O, K>>({
      args: argv,
      options,
      strict: true,
      allowPositionals: false,
      tokens: (settings.tokens ?? false) as K,
    });
  } catch (err) {
    return usageError(`${settings.prefix ?? ''}${(err as Error).message}\n\n${usage}`);
  }
}

/** A whole number option within `min`..`max`, or undefined when not given. */
export function wholeNumberOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) usageError(`--${name} needs a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}
