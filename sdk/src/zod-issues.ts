/**
 * Zod issues in words a person editing a YAML file understands: "is required", "expected number,
 * got "fast"", "must be at least 1, got number 0", "unknown field "colour"". Zod's own messages
 * ("Invalid input: expected number, received string") describe the validator, not the file.
 *
 * Parse with `schema.safeParse(value, { reportInput: true })`: without the input a missing field
 * cannot be told from a wrong one, and messages cannot say what was written instead.
 */
import { z } from 'zod';
import { formatPath } from './yaml-source.js';

type Issue = z.core.$ZodIssue;

/** One problem, at a path relative to the validated value (plus any `base`). */
export interface ZodProblem {
  path: Array<string | number>;
  message: string;
}

/**
 * Every issue of `error` as a problem with a path and a message. An unknown-keys issue becomes one
 * problem per key, at the key's own path, so each stray field is reported (and located) where it
 * was written. `base` is where the validated value sits in the file, e.g. `['devices', 2]`.
 */
export function describeZodError(error: z.ZodError, base: ReadonlyArray<string | number> = []): ZodProblem[] {
  const out: ZodProblem[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...(issue.path as Array<string | number>)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key], message: `unknown field "${key}"` });
    } else {
      out.push({ path, message: describeZodIssue(issue) });
    }
  }
  return out;
}

/** One issue as a short message, without its path. */
export function describeZodIssue(issue: Issue): string {
  // A message the schema's author wrote (`.min(1, 'give at least one point')`) knows better than any
  // generic rewording; only zod's stock messages are replaced.
  if (!hasStockMessage(issue)) return issue.message;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `expected ${issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(issue.input)}`;
    case 'invalid_union':
      return describeUnion(issue);
    case 'too_small':
    case 'too_big':
      return describeBound(issue);
    default:
      return issue.message;
  }
}

/** How a value written in the file is shown in a message: `null`, `a list`, `a mapping`, `"text"`, `number 3`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return `${typeof v} ${String(v)}`;
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion): string {
  // A discriminated union whose tag matched no option: the valid tags are the whole story. Zod puts
  // the tag field at the end of the issue's path and the whole object in `input`.
  const tagged = issue as { discriminator?: string; options?: unknown[] };
  if (tagged.discriminator) {
    const options = (tagged.options ?? []).map((v) => JSON.stringify(v)).join(', ');
    const input = issue.input as Record<string, unknown> | undefined;
    const tag = input && typeof input === 'object' ? input[tagged.discriminator] : undefined;
    return tag === undefined ? `is required: one of ${options}` : `must be one of ${options}, got ${describeValue(tag)}`;
  }
  if (issue.input === undefined) return 'is required';
  // Report the branch that got furthest, which is almost always what the user meant. A branch that
  // failed only because the value has another type says nothing about what the user meant; a type
  // error deeper inside a branch does (the value had the right shape, one field was wrong).
  const branches = issue.errors.map((branch) => branch.filter((e) => e.code !== 'invalid_type' || e.path.length > 0));
  const deepest = [...branches].sort((a, b) => b.length - a.length)[0]?.[0];
  if (deepest) {
    const message = describeZodIssue(deepest);
    // The problem is reported at the union's path; name the field inside it that was wrong.
    return deepest.path.length > 0 ? `${formatPath(deepest.path as Array<string | number>)}: ${message}` : message;
  }
  // Every branch wanted another type: say which types would do.
  const expected = [...new Set(issue.errors.flat().flatMap((e) => (e.code === 'invalid_type' ? [e.expected] : [])))];
  return expected.length > 0 ? `expected ${expected.join(' or ')}, got ${describeValue(issue.input)}` : issue.message;
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = String(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const exact = issue.exact === true;
  const word = exact ? 'exactly' : small ? (issue.inclusive === false ? 'more than' : 'at least') : issue.inclusive === false ? 'less than' : 'at most';
  const got = issue.input === undefined ? '' : `, got ${describeValue(issue.input)}`;
  switch (issue.origin) {
    case 'number':
    case 'int':
    case 'bigint':
      return `must be ${exact ? '' : `${numberWord(small, issue.inclusive)} `}${limit}${got}`;
    case 'string':
      return `must have ${word} ${limit} character${limit === '1' ? '' : 's'}${got}`;
    case 'array':
    case 'set': {
      const count = Array.isArray(issue.input) ? `, got ${issue.input.length}` : '';
      return `must have ${word} ${limit} item${limit === '1' ? '' : 's'}${count}`;
    }
    default:
      return issue.message;
  }
}

/** "at least 1" / "above 0" for numbers, where "more than" would read oddly next to a decimal limit. */
function numberWord(small: boolean, inclusive: boolean | undefined): string {
  if (small) return inclusive === false ? 'above' : 'at least';
  return inclusive === false ? 'below' : 'at most';
}

/**
 * Whether the issue carries zod's own message rather than one the schema's author wrote: zod's
 * locale would produce exactly this text for this issue.
 */
function hasStockMessage(issue: Issue): boolean {
  const stock = z.config().localeError?.(issue as never);
  const text = typeof stock === 'string' ? stock : stock?.message;
  return text === undefined || text === issue.message;
}
