/**
 * Offsets of one partition that were handed to delivery, and which of them are settled (delivered or
 * dead-lettered). The committable offset is the one after the longest settled prefix: a crash then
 * replays, never skips.
 */
export class PartitionTracker {
  private readonly pending = new Set<bigint>();
  private readonly order: bigint[] = [];
  private head = 0;
  private committable: bigint | undefined;
  private taken: bigint | undefined;

  add(offset: string): void {
    const o = BigInt(offset);
    this.pending.add(o);
    this.order.push(o);
    if (this.taken === undefined || o >= this.taken) this.taken = o + 1n;
  }

  settle(offset: string): void {
    this.pending.delete(BigInt(offset));
    while (this.head < this.order.length) {
      const o = this.order[this.head];
      if (o === undefined || this.pending.has(o)) break;
      this.committable = o + 1n;
      this.head++;
    }
    if (this.head > 1024) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The next offset to commit (after the settled prefix), or undefined if nothing new settled. */
  get nextCommit(): string | undefined {
    return this.committable?.toString();
  }

  /** The offset after the last record taken, or undefined if none was. */
  get nextTake(): string | undefined {
    return this.taken?.toString();
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
