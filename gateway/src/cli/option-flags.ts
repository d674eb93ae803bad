/**
 * A driver's option block (a zod object schema) as command-line flags: each field is a
 * `--kebab-case` flag, its help the field's `.describe()`, numbers and booleans converted, arrays
 * repeated. Validation is the schema's own, and every problem names the flag it came from.
 */
import type { ParseArgsConfig } from 'node:util';
import { flagOf, jsonSchemaOf, SensegateError } from '@sensegate/sdk';
import type { z } from 'zod';

export interface OptionField {
  field: string;
  flag: string;
  /** JSON Schema type: string, number, integer, boolean, array (or undefined for unions). */
  type: string | undefined;
  description: string | undefined;
  default: unknown;
  enum: unknown[] | undefined;
  required: boolean;
}

type JsonSchema = { type?: string; description?: string; default?: unknown; enum?: unknown[]; properties?: Record<string, JsonSchema>; required?: string[] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function optionFields(schema: z.ZodObject<any>, leaveOut: readonly string[] = []): OptionField[] {
  const json = jsonSchemaOf(schema) as JsonSchema;
  return Object.entries(json.properties ?? {})
    .filter(([field]) => !leaveOut.includes(field))
    .map(([field, p]) => ({
      field,
      flag: flagOf(field),
      type: p.type,
      description: p.description,
      default: p.default,
      enum: p.enum,
      required: (json.required ?? []).includes(field) && p.default === undefined,
    }));
}

/** parseArgs options for these fields. */
export function parseArgsOptions(fields: readonly OptionField[]): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    fields.map((f) => [f.flag, f.type === 'boolean' ? { type: 'boolean' as const } : f.type === 'array' ? { type: 'string' as const, multiple: true } : { type: 'string' as const }]),
  );
}

/** The flags given, as the block's fields (numbers converted; a value that is not a number is left for the schema to refuse). */
export function blockOf(fields: readonly OptionField[], values: Record<string, unknown>): Record<string, unknown> {
  const block: Record<string, unknown> = {};
  for (const f of fields) {
    const value = values[f.flag];
    if (value === undefined) continue;
    block[f.field] = (f.type === 'number' || f.type === 'integer') && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
  }
  return block;
}

/** Validates a block with its schema; problems are usage errors naming the flag (or the positional field). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parseBlock(command: string, schema: z.ZodObject<any>, block: Record<string, unknown>, positional?: string): Record<string, unknown> {
  const parsed = schema.safeParse(block);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const problems = parsed.error.issues.map((issue) => {
    const [first, ...rest] = issue.path.map(String);
    const where = first === undefined ? 'options' : first === positional ? [first, ...rest].join('.') : [`--${flagOf(first)}`, ...rest].join('.');
    return `${where}: ${issue.message}`;
  });
  throw new SensegateError('SG_USAGE', `${command}: ${problems.join('; ')}`);
}

/** Help lines for the fields, in columns: `--flag VALUE  description (default: x)`. */
export function flagHelp(fields: readonly OptionField[]): string[] {
  const left = fields.map((f) => `  --${f.flag}${f.type === 'boolean' ? '' : ` ${placeholder(f)}`}`);
  const width = Math.max(20, ...left.map((l) => l.length));
  return fields.map((f, i) => {
    const notes = [f.description ?? '', f.enum && f.type !== 'array' ? `One of ${f.enum.join(', ')}.` : '', f.default !== undefined ? `Default: ${JSON.stringify(f.default)}.` : '', f.type === 'array' ? '(repeatable)' : '', f.required ? '(required)' : '']
      .filter(Boolean)
      .join(' ');
    return `${left[i]!.padEnd(width)}  ${notes}`.trimEnd();
  });
}

function placeholder(f: OptionField): string {
  if (f.type === 'number' || f.type === 'integer') return 'N';
  return f.field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

/** The value of `--name X` or `--name=X` in argv, read before the full parse (to know where to look for drivers). */
export function peekFlag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}
