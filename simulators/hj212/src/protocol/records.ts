/**
 * The CP of the station's data uploads: real-time values (CN 2011) and the statistics of a
 * period (2051 minute, 2061 hour, 2031 day), each value with its code's data flag:
 * `DataTime=20240501103000;a34004-Rtd=35,a34004-Flag=N;...` and
 * `DataTime=20240501102000;a34004-Min=31,a34004-Avg=34,a34004-Max=38,a34004-Flag=N;...`.
 */
import { formatCp, type CpField } from '@sensegate/driver-hj212/protocol';
import type { Instruments } from '../model/instruments.js';
import type { PeriodStats } from '../model/period-stats.js';

/** A parameter without a value (NaN: its generator gave none) is left out of the record. */
export function realtimeCp(dataTime: string, instruments: Instruments, sample: ArrayLike<number>): string {
  const groups: CpField[][] = [[['DataTime', dataTime]]];
  instruments.parameters.forEach((p, i) => {
    const v = sample[i]!;
    if (Number.isNaN(v)) return;
    groups.push([
      [`${p.code}-Rtd`, v.toFixed(p.decimals)],
      [`${p.code}-Flag`, instruments.flag(i)],
    ]);
  });
  return formatCp(groups);
}

/** Min, Avg and Max of every parameter that had samples in the period; Avg keeps the parameter's decimals. */
export function statisticsCp(dataTime: string, instruments: Instruments, period: PeriodStats): string {
  const groups: CpField[][] = [[['DataTime', dataTime]]];
  instruments.parameters.forEach((p, i) => {
    const s = period.of(i);
    if (!s) return;
    groups.push([
      [`${p.code}-Min`, s.min.toFixed(p.decimals)],
      [`${p.code}-Avg`, s.avg.toFixed(p.decimals)],
      [`${p.code}-Max`, s.max.toFixed(p.decimals)],
      [`${p.code}-Flag`, instruments.flag(i)],
    ]);
  });
  return formatCp(groups);
}
