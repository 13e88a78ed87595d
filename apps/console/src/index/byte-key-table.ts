/** Linear probing stays short up to about this load (~2.5 probes to find a key, ~8 to miss one, at 0.7). */
const MAX_LOAD = 0.7;

/**
 * Slots found by a 16-byte key kept in a column of the owner's (a lead id, an e-mail hash): an open-addressing
 * table (linear probing) of slot numbers in an Int32Array, 6 bytes per slot at most, where a Map would hold a
 * string key and an entry of ~80 bytes. Several slots may share a key (`all`).
 */
export class ByteKeyTable {
  /** slot + 1; 0 = empty. */
  private table: Int32Array;
  private count = 0;

  /**
   * `bytes()` gives the owner's current key column (it grows); slot s's key is at s * 16. `expected`: how many
   * keys it will hold at most, if known (sized once for it).
   */
  constructor(
    private readonly bytes: () => Uint8Array,
    expected = 0,
  ) {
    let size = 1024;
    while (Number.isFinite(expected) && size * MAX_LOAD < expected) size *= 2;
    this.table = new Int32Array(size);
  }

  insert(slot: number): void {
    if (this.count + 1 > this.table.length * MAX_LOAD) this.rehash(this.table.length * 2);
    const mask = this.table.length - 1;
    let i = this.home(this.bytes(), slot * 16) & mask;
    while (this.table[i] !== 0) i = (i + 1) & mask;
    this.table[i] = slot + 1;
    this.count += 1;
  }

  /** The first slot with this key, or -1. */
  first(key: Uint8Array): number {
    const found = this.scan(key, 1);
    return found.length > 0 ? (found[0] as number) : -1;
  }

  /** Every slot with this key (at most `max`). */
  all(key: Uint8Array, max = Infinity): number[] {
    return this.scan(key, max);
  }

  /** Linear probing's deletion: later entries of the same run move back into the hole. */
  remove(slot: number): void {
    const bytes = this.bytes();
    const mask = this.table.length - 1;
    let i = this.home(bytes, slot * 16) & mask;
    while (this.table[i] !== slot + 1) {
      if (this.table[i] === 0) return;
      i = (i + 1) & mask;
    }
    this.table[i] = 0;
    this.count -= 1;
    for (let j = (i + 1) & mask; this.table[j] !== 0; j = (j + 1) & mask) {
      const v = this.table[j] as number;
      const home = this.home(bytes, (v - 1) * 16) & mask;
      // Move it back unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        this.table[i] = v;
        this.table[j] = 0;
        i = j;
      }
    }
  }

  private scan(key: Uint8Array, max: number): number[] {
    const bytes = this.bytes();
    const mask = this.table.length - 1;
    const out: number[] = [];
    for (let i = this.home(key, 0) & mask; out.length < max; i = (i + 1) & mask) {
      const v = this.table[i] as number;
      if (v === 0) break;
      if (equal(bytes, (v - 1) * 16, key)) out.push(v - 1);
    }
    return out;
  }

  private rehash(size: number): void {
    const old = this.table;
    const bytes = this.bytes();
    this.table = new Int32Array(size);
    const mask = size - 1;
    for (const v of old) {
      if (v === 0) continue;
      let i = this.home(bytes, (v - 1) * 16) & mask;
      while (this.table[i] !== 0) i = (i + 1) & mask;
      this.table[i] = v;
    }
  }

  /** Mixes the key's last four bytes (random in v4 and v7 ids; a v7 starts with its time) with its first four. */
  private home(b: Uint8Array, o: number): number {
    const w0 = ((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8);
    const w3 =
      ((b[o + 12] as number) << 24) |
      ((b[o + 13] as number) << 16) |
      ((b[o + 14] as number) << 8) |
      (b[o + 15] as number);
    return (Math.imul(w3 ^ w0, 0x9e3779b1) ^ (w3 >>> 15)) >>> 0;
  }
}

function equal(bytes: Uint8Array, o: number, key: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (bytes[o + i] !== key[i]) return false;
  return true;
}
