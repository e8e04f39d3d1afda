/**
 * A bounded least-recently-used map of rankings with a validity stamp: `get` returns an entry
 * only when it was stored under the same stamp (e.g. the space's vectors version and when the
 * query's vector was stored), so a changed input is never answered from the cache; a stale
 * entry is dropped on sight.
 */
export class RankingCache<V> {
  private readonly entries = new Map<string, { stamp: string; value: V }>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`cache capacity must be an integer ≥ 0, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, stamp: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.stamp !== stamp) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, stamp: string, value: V): void {
    if (this.capacity === 0) return;
    this.entries.delete(key);
    this.entries.set(key, { stamp, value });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
