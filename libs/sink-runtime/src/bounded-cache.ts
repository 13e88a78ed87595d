export interface BoundedCacheOptions {
  /** Entries kept at most; the least recently used goes first. */
  readonly maxEntries: number;
  /** An entry older than this is dropped when next read. */
  readonly maxAgeMs: number;
  readonly now?: () => number;
  /** Counts for metrics: a read that found a fresh entry, and an entry dropped (size or age). */
  readonly onHit?: () => void;
  readonly onEvict?: (reason: 'size' | 'age') => void;
}

/**
 * A map bounded by size (least recently used first out) and by age. A long-running sink sees many offers and
 * configuration versions; what it keeps per offer must not grow without bound.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly now: () => number;

  constructor(private readonly o: BoundedCacheOptions) {
    this.now = o.now ?? Date.now;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.now() - entry.at > this.o.maxAgeMs) {
      this.o.onEvict?.('age');
      return undefined;
    }
    // Re-inserted: Map iteration order is insertion order, so the first key is the least recently used.
    this.entries.set(key, entry);
    this.o.onHit?.();
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    while (this.entries.size > this.o.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
      this.o.onEvict?.('size');
    }
  }

  /** Returns the cached value, or loads, caches and returns it. */
  getOrLoad(key: string, load: () => V): V {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = load();
    this.set(key, value);
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Removes every entry whose key matches. */
  deleteWhere(match: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) if (match(key)) this.entries.delete(key);
  }

  /** Every value, without touching recency or age (for gauges). */
  *values(): IterableIterator<V> {
    for (const e of this.entries.values()) yield e.value;
  }

  get size(): number {
    return this.entries.size;
  }
}
