/** Command-line option parsing with clear usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SensegateError } from '@sensegate/sdk';

type Options = NonNullable<ParseArgsConfig['options']>;
type HelpOption = { help: { type: 'boolean'; short: 'h' } };
/** What parseOptions returns: node:util's parseArgs result for these options and `--help`. */
export type ParsedOptions<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: HelpOption & T; allowPositionals: true; strict: true }>>;

export function parseOptions<T extends Options>(command: string, argv: string[], options: T): ParsedOptions<T> {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new SensegateError('SG_USAGE', `sensegate ${command}: ${(err as Error).message}`);
  }
}

export function required(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new SensegateError('SG_USAGE', `sensegate ${command}: --${name} is required (see \`sensegate ${command} --help\`)`);
  }
  return value;
}

export function positiveInt(command: string, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new SensegateError('SG_USAGE', `sensegate ${command}: --${name} must be a whole number, got "${value}"`);
  return n;
}
