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
  /** The type of an array's items. */
  items: string | undefined;
  description: string | undefined;
  default: unknown;
  enum: unknown[] | undefined;
  required: boolean;
}

type JsonSchema = { type?: string; items?: JsonSchema; description?: string; default?: unknown; enum?: unknown[]; properties?: Record<string, JsonSchema>; required?: string[] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function optionFields(schema: z.ZodObject<any>, leaveOut: readonly string[] = []): OptionField[] {
  const json = jsonSchemaOf(schema) as JsonSchema;
  return Object.entries(json.properties ?? {})
    .filter(([field]) => !leaveOut.includes(field))
    .map(([field, p]) => ({
      field,
      flag: flagOf(field),
      type: p.type,
      items: p.items?.type,
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
  const numeric = (type: string | undefined, value: unknown) =>
    (type === 'number' || type === 'integer') && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
  const block: Record<string, unknown> = {};
  for (const f of fields) {
    const value = values[f.flag];
    if (value === undefined) continue;
    block[f.field] = Array.isArray(value) ? value.map((v) => numeric(f.items, v)) : numeric(f.type, value);
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

/** Help rows for the fields: `--flag VALUE` and its description, type notes and default. */
export function flagRows(fields: readonly OptionField[]): Array<[string, string]> {
  return fields.map((f) => {
    const notes = [f.description ?? '', f.enum && f.type !== 'array' ? `One of ${f.enum.join(', ')}.` : '', f.default !== undefined ? `Default: ${String(f.default)}.` : '', f.type === 'array' ? '(repeatable)' : '', f.required ? '(required)' : '']
      .filter(Boolean)
      .join(' ');
    return [`--${f.flag}${f.type === 'boolean' ? '' : ` ${placeholder(f)}`}`, notes];
  });
}

/** Rows of `left  text` in two columns, the text wrapped to the width with a hanging indent. */
export function helpColumns(rows: ReadonlyArray<readonly [string, string]>, width = 100): string[] {
  const column = Math.min(24, Math.max(...rows.map(([l]) => l.length)));
  const indent = ' '.repeat(column + 4);
  const lines: string[] = [];
  for (const [label, text] of rows) {
    const wrapped = wrap(text, width - indent.length).split('\n');
    if (label.length > column) lines.push(`  ${label}`);
    else lines.push(`  ${label.padEnd(column)}  ${wrapped.shift() ?? ''}`.trimEnd());
    for (const line of wrapped) lines.push(`${indent}${line}`);
  }
  return lines;
}

/** `securityMode` -> MODE, `passwordEnv` -> VAR, numbers -> N. */
function placeholder(f: OptionField): string {
  const type = f.type === 'array' ? f.items : f.type;
  if (type === 'number' || type === 'integer') return 'N';
  const last = /[A-Z][a-z0-9]*$/.exec(f.field)?.[0] ?? f.field;
  return last === 'Env' ? 'VAR' : last.toUpperCase();
}

/** Wraps a paragraph to the width. */
export function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
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
