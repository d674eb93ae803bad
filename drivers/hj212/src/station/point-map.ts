/**
 * Which points take which value: (CN, code, field) to the points configured for it. Several points
 * may take the same value (e.g. with different scaling); a value no point takes is counted by the
 * station, not published.
 */
import type { PointRef } from '@sensegate/sdk';
import { DATA_KINDS, defaultField, type DataKind, type Hj212PointFields } from '../config/point.js';

export type Hj212Point = PointRef<Hj212PointFields>;

const CN_KIND = new Map<string, DataKind>();
for (const [kind, cns] of Object.entries(DATA_KINDS) as Array<[DataKind, readonly string[]]>) for (const cn of cns) CN_KIND.set(cn, kind);

/** The kind of data a CN carries, if it is a data upload. */
export function dataKindOf(cn: string): DataKind | undefined {
  return CN_KIND.get(cn);
}

const key = (cn: string, code: string, field: string) => `${cn}\u0000${code}\u0000${field}`;

export class PointMap {
  private readonly byValue = new Map<string, Hj212Point[]>();

  constructor(points: readonly Hj212Point[]) {
    for (const point of points) {
      const { code, data, field, command } = point.spec;
      if (command !== undefined || code === undefined || point.spec.enabled === false) continue;
      for (const cn of DATA_KINDS[data]) {
        const k = key(cn, code, field ?? defaultField(data));
        const list = this.byValue.get(k);
        if (list) list.push(point);
        else this.byValue.set(k, [point]);
      }
    }
  }

  lookup(cn: string, code: string, field: string): readonly Hj212Point[] | undefined {
    return this.byValue.get(key(cn, code, field));
  }

  get size(): number {
    return this.byValue.size;
  }
}
