/**
 * The configuration reference in Markdown, generated from the JSON Schema (itself generated from the
 * zod schemas), so the documentation cannot drift from what the gateway accepts.
 */

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  $ref?: string;
};

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return [...new Set(variants.map(typeOf))].join(' \\| ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' && s.properties) return 'mapping';
  if (s.type === 'object') return 'mapping';
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  let t = s.type ?? 'any';
  const min = s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER ? s.minimum : undefined;
  const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  if (min !== undefined || max !== undefined) t += ` (${min ?? ''}..${max ?? ''})`;
  return t;
}

function objectOf(s: JsonSchema): JsonSchema | undefined {
  if (s.properties) return s;
  for (const v of s.anyOf ?? s.oneOf ?? []) if (v.properties) return v;
  if (s.items) return objectOf(s.items);
  return undefined;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Rows `path | type | default | description` for every field below `schema`, depth first. */
export function fieldRows(schema: JsonSchema, prefix = ''): string[] {
  const obj = objectOf(schema);
  if (!obj?.properties) return [];
  const rows: string[] = [];
  const required = new Set(obj.required ?? []);
  for (const [name, field] of Object.entries(obj.properties)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const list = field.type === 'array' || field.items ? '[]' : '';
    const def = field.default === undefined ? (required.has(name) ? '*required*' : '') : `\`${JSON.stringify(field.default)}\``;
    rows.push(`| \`${path}${list}\` | ${typeOf(field)} | ${def} | ${cell(field.description ?? '')} |`);
    const nested = objectOf(field);
    // Union members with different shapes (secrets, devices) are described by their own sections.
    if (nested && !(field.anyOf && field.anyOf.filter((v) => v.properties).length > 1)) rows.push(...fieldRows(nested, path + list));
  }
  return rows;
}

export function fieldTable(schema: JsonSchema, prefix = ''): string {
  return ['| field | type | default | description |', '|---|---|---|---|', ...fieldRows(schema, prefix)].join('\n');
}
