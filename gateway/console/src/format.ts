/**
 * How the console writes numbers, times and sizes: in words a person standing at a pump reads at a
 * glance ("3 s ago", "12.4 m3/h", "1.2 MiB"). Pure functions, no state.
 */

export function ago(ts: number | undefined, now = Date.now()): string {
  if (ts === undefined) return 'never';
  const s = Math.round((now - ts) / 1000);
  if (s < 0) return 'just now';
  return `${duration(s * 1000)} ago`;
}

/** A span of time: `45 s`, `3 min`, `2 h 5 min`, `3 d 4 h`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms > 0 && ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A reading's value: numbers to a sensible precision, arrays and objects as JSON. */
export function value(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const abs = Math.abs(v);
    return v.toFixed(abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function clock(ts: number | undefined): string {
  if (ts === undefined) return '–';
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
