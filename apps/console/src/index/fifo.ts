/**
 * Insertion order of keys, for evicting the oldest in O(1). (A Map's first key is not O(1) after many deletes: V8
 * keeps deleted entries as holes until the table is rebuilt, so `keys().next()` scans them every time.)
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    // Drop the consumed front once it is most of the array (amortised O(1)).
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * Shares one copy of strings that repeat across records (class, category, remediation, offer, destination, sink):
 * each record decoded from Kafka carries its own copy otherwise. Bounded: past `max` distinct strings, new ones are
 * kept as they are.
 */
export class Interner {
  private readonly seen = new Map<string, string>();

  constructor(private readonly max = 50_000) {}

  get<T extends string | undefined>(s: T): T {
    if (s === undefined) return s;
    const known = this.seen.get(s);
    if (known !== undefined) return known as T;
    if (this.seen.size < this.max) this.seen.set(s, s);
    return s;
  }
}
