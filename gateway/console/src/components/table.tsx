/**
 * A table that becomes a list of cards on a narrow screen: each cell carries its column's label
 * (`data-label`), which the stylesheet shows beside the value under 640 px. Rows are keyed, so a
 * live update changes the cells in place instead of rebuilding the table.
 */
import type { ComponentChildren } from 'preact';

export interface Column<T> {
  label: string;
  cell(row: T): ComponentChildren;
  /** A class for the cells of this column (`num` right-aligns). */
  class?: string;
}

export interface TableProps<T> {
  rows: readonly T[];
  columns: ReadonlyArray<Column<T>>;
  rowKey(row: T): string;
  rowClass?(row: T): string;
  empty?: ComponentChildren;
  label?: string;
}

export function Table<T>({ rows, columns, rowKey, rowClass, empty, label }: TableProps<T>) {
  if (rows.length === 0) return <p class="muted empty">{empty ?? 'Nothing to show.'}</p>;
  return (
    <table class="table cards" aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th class={c.class}>{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} class={rowClass?.(row)} data-key={rowKey(row)}>
            {columns.map((c) => (
              <td class={c.class} data-label={c.label}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
