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

/** Points by CN, code and field. Nested maps: a lookup hashes the strings it was given and builds no key. */
type ByField = Map<string, Hj212Point[]>;
type ByCode = Map<string, ByField>;

export class PointMap {
  private readonly byCn = new Map<string, ByCode>();
  private count = 0;

  constructor(points: readonly Hj212Point[]) {
    for (const point of points) {
      const { code, data, field, command } = point.spec;
      if (command !== undefined || code === undefined || point.spec.enabled === false) continue;
      for (const cn of DATA_KINDS[data]) {
        const byCode = getOrAdd(this.byCn, cn, () => new Map());
        const byField = getOrAdd(byCode, code, () => new Map());
        const name = field ?? defaultField(data);
        const list = byField.get(name);
        if (list) list.push(point);
        else {
          byField.set(name, [point]);
          this.count++;
        }
      }
    }
  }

  /** The points of one CN by code and field: looked up once per upload rather than once per value. */
  ofCn(cn: string): ReadonlyMap<string, ReadonlyMap<string, readonly Hj212Point[]>> | undefined {
    return this.byCn.get(cn);
  }

  /** Distinct (CN, code, field) values that some point takes. */
  get size(): number {
    return this.count;
  }
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}
