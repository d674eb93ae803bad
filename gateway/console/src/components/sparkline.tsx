/**
 * A point's trend as an inline SVG line (no chart library): the samples it is given, scaled to
 * their own range, bad-quality samples as gaps. Its title gives the range in words for readers
 * who cannot see the line.
 */
export interface SparklineProps {
  ts: readonly number[];
  value: readonly number[];
  quality?: readonly string[];
  width?: number;
  height?: number;
  unit?: string;
}

export function Sparkline({ ts, value, quality, width = 120, height = 28, unit }: SparklineProps) {
  const n = Math.min(ts.length, value.length);
  if (n < 2) return <span class="muted sparkline-empty">collecting</span>;
  const t0 = ts[0]!;
  const t1 = ts[n - 1]!;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = value[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return <span class="muted sparkline-empty">no numbers</span>;
  const span = hi - lo || Math.abs(hi) || 1;
  const x = (t: number) => (t1 === t0 ? width : ((t - t0) / (t1 - t0)) * (width - 2) + 1);
  const y = (v: number) => height - 2 - ((v - lo) / span) * (height - 4);
  let d = '';
  let pen = false;
  for (let i = 0; i < n; i++) {
    const v = value[i]!;
    if (!Number.isFinite(v) || quality?.[i] === 'bad') {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(ts[i]!).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  }
  const u = unit ? ` ${unit}` : '';
  return (
    <svg class="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`trend from ${lo}${u} to ${hi}${u}`}>
      <title>{`${n} samples, ${fmt(lo)} to ${fmt(hi)}${u}`}</title>
      <path d={d} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" />
    </svg>
  );
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}
