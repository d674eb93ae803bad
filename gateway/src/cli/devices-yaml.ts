/**
 * Writes what `discover` and `browse` found as a `devices:` block to paste into a configuration.
 * Ids and names are always quoted; other strings are quoted only when YAML would read them as
 * something else. A one-key mapping (a secret's `{ env: VAR }`) is written on one line.
 */
import type { DiscoveredDevice } from '@sensegate/sdk';

const KEYWORDS = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

export function devicesYaml(header: readonly string[], driver: string, devices: readonly DiscoveredDevice[]): string {
  const lines = [...header.map((h) => `# ${h}`), 'devices:'];
  for (const d of devices) {
    lines.push(`  - id: ${JSON.stringify(d.id)}`);
    if (d.name) lines.push(`    name: ${JSON.stringify(d.name)}`);
    lines.push(`    driver: ${scalar(driver)}`);
    if (d.profile) lines.push(`    profile: ${scalar(d.profile)}`);
    for (const [key, value] of Object.entries(d.settings ?? {})) lines.push(...field(key, value, 4));
    lines.push(...field('connection', d.connection, 4));
    if (d.points?.length) {
      lines.push('    points:');
      for (const point of d.points) lines.push(...listItem(point, 6));
    }
  }
  return lines.join('\n') + '\n';
}

function field(key: string, value: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return [`${pad}${key}: [${value.map(scalar).join(', ')}]`];
    return [`${pad}${key}:`, ...value.flatMap((v) => listItem(v as Record<string, unknown>, indent + 2))];
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 1 && (typeof entries[0]![1] !== 'object' || entries[0]![1] === null)) return [`${pad}${key}: { ${entries[0]![0]}: ${scalar(entries[0]![1])} }`];
    return [`${pad}${key}:`, ...entries.flatMap(([k, v]) => field(k, v, indent + 2))];
  }
  return [`${pad}${key}: ${key === 'id' || key === 'name' ? JSON.stringify(String(value)) : scalar(value)}`];
}

function listItem(item: Record<string, unknown>, indent: number): string[] {
  const lines = Object.entries(item).flatMap(([k, v]) => field(k, v, indent + 2));
  if (lines.length === 0) return [`${' '.repeat(indent)}- {}`];
  lines[0] = `${' '.repeat(indent)}- ${lines[0]!.slice(indent + 2)}`;
  return lines;
}

function scalar(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value) ?? 'null';
  const plain = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/.test(value) && !KEYWORDS.test(value) && Number.isNaN(Number(value));
  return plain ? value : JSON.stringify(value);
}
