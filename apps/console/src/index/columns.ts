/**
 * Building blocks of the index's columnar storage. The index holds hundreds of thousands of small records; as JS
 * objects each costs 300–500 bytes of heap (header, hidden class, boxed fields, its own copies of strings), as rows
 * of typed arrays it costs the bytes of its fields.
 */

/**
 * The next capacity of a column. Bounded (`limit`): the whole bound at once. A large typed array is zeroed pages
 * the kernel maps as rows are first written, so an unused tail costs address space, not memory; growing step by
 * step would instead free ever larger blocks, which the allocator keeps (and RSS shows). Unbounded: half as much
 * again.
 */
export function nextCapacity(current: number, needed: number, limit = Infinity): number {
  if (Number.isFinite(limit)) return Math.max(needed, limit);
  return Math.max(needed, 1024, Math.ceil(current * 1.5));
}

/** A typed array `length` long, the old values copied. */
export function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T, length: number): T {
  const next = new (a.constructor as new (n: number) => T)(length);
  next.set(a);
  return next;
}

/** A FIFO of int32 values in a growable ring (no per-item objects; O(1) push and shift). */
export class IntQueue {
  private ring = new Int32Array(64);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(v: number): void {
    if (this.count === this.ring.length) {
      const next = new Int32Array(this.ring.length * 2);
      for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) % this.ring.length] as number;
      this.ring = next;
      this.head = 0;
    }
    this.ring[(this.head + this.count) % this.ring.length] = v;
    this.count += 1;
  }

  shift(): number | undefined {
    if (this.count === 0) return undefined;
    const v = this.ring[this.head] as number;
    this.head = (this.head + 1) % this.ring.length;
    this.count -= 1;
    return v;
  }

  /** The i-th value from the front (0 = oldest). */
  at(i: number): number {
    return this.ring[(this.head + i) % this.ring.length] as number;
  }
}

/**
 * Strings that repeat across records (offer, class, category, remediation, message, sink, destination, topic),
 * each kept once and referred to by a small number. Counted: a string no record refers to any more is dropped,
 * so the table stays as bounded as the records.
 */
export class StringTable {
  private readonly strings: (string | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly free: number[] = [];

  /** The string's number, counting one more reference to it. */
  acquire(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      // A flat copy: a string sliced from a larger one (or built by concatenation) would keep its parts alive.
      const own = flatten(s);
      id = this.free.pop() ?? this.strings.length;
      this.strings[id] = own;
      this.refs[id] = 0;
      this.ids.set(own, id);
    }
    this.refs[id] = (this.refs[id] ?? 0) + 1;
    return id;
  }

  /** A reference fewer; negative ids (none) are ignored. */
  release(id: number): void {
    if (id < 0) return;
    const left = (this.refs[id] ?? 0) - 1;
    this.refs[id] = left;
    if (left > 0) return;
    const s = this.strings[id];
    if (s !== undefined) this.ids.delete(s);
    this.strings[id] = undefined;
    this.free.push(id);
  }

  get(id: number): string {
    return this.strings[id] ?? '';
  }

  /** The number of a string already held, without counting a reference (-1: not held). */
  find(s: string): number {
    return this.ids.get(s) ?? -1;
  }
}

/**
 * A string with no ties to the one it came from: V8 keeps slices and concatenations as views of their parents
 * (a 36-character id cut from a JSON text can pin the whole text); a round trip through a Buffer makes a flat copy.
 */
export function flatten(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
