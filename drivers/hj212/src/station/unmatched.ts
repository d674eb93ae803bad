/**
 * Values no point takes are logged once per CN, code and field. A station may send many codes
 * nobody configured, in every upload, so the check is nested map lookups on the strings the
 * values already are, not a key built for each value. Bounded: beyond MAX_KNOWN combinations it
 * starts over, and they are logged once more.
 */
export const MAX_KNOWN = 1024;

export class UnmatchedValues {
  private readonly known = new Map<string, Map<string, Set<string>>>();
  private size = 0;

  /** True the first time a combination is seen, i.e. when it should be logged. */
  first(cn: string, code: string, field: string): boolean {
    let byCode = this.known.get(cn);
    let fields = byCode?.get(code);
    if (fields?.has(field)) return false;
    if (this.size >= MAX_KNOWN) {
      this.known.clear();
      this.size = 0;
      byCode = undefined;
      fields = undefined;
    }
    if (!byCode) this.known.set(cn, (byCode = new Map()));
    if (!fields) byCode.set(code, (fields = new Set()));
    fields.add(field);
    this.size++;
    return true;
  }
}
