/**
 * The column of a CSV file that a `csv` generator replays. Plain comma-separated text with a header
 * row; double quotes may wrap a field. Numbers become numbers, true/false booleans, the rest text.
 */
import { readFileSync } from 'node:fs';
import { SensegateError } from '../errors.js';
import type { Value } from '../reading.js';

export function readCsvColumn(file: string, column: string): Value[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SensegateError('SG_CONFIG_NOT_FOUND', `cannot read CSV file ${file}: ${(err as Error).message}`, { source: file });
  }
  const lines = text.split(/\r?\n/);
  const header = splitRow(lines[0] ?? '').map((h) => h.trim());
  const index = header.indexOf(column);
  if (index < 0) {
    throw new SensegateError('SG_CONFIG_INVALID', `${file}:1: no column "${column}" in the header (columns: ${header.join(', ')})`, { source: file });
  }
  const values: Value[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '') continue;
    const cell = (splitRow(line)[index] ?? '').trim();
    if (cell === '') {
      throw new SensegateError('SG_CONFIG_INVALID', `${file}:${n + 1}: column "${column}" is empty`, { source: `${file}:${n + 1}` });
    }
    values.push(cellValue(cell));
  }
  if (values.length === 0) throw new SensegateError('SG_CONFIG_INVALID', `${file}: no data rows after the header`, { source: file });
  return values;
}

function cellValue(cell: string): Value {
  const n = Number(cell);
  if (Number.isFinite(n)) return n;
  if (/^true$/i.test(cell)) return true;
  if (/^false$/i.test(cell)) return false;
  return cell;
}

function splitRow(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') cells.push(cell), (cell = '');
    else cell += c;
  }
  cells.push(cell);
  return cells;
}
