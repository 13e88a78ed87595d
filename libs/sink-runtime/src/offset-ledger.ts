import { PartitionTracker } from './partition-tracker';

/** A record handed to delivery, as the ledger knows it. */
export interface Ticket {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly generation: number;
}

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Which offsets may be committed: per partition, the one after the contiguous prefix of settled records (delivered
 * or dead-lettered), so a crash replays and never skips. A rebalance starts a new generation: what was taken
 * before it is never committed by us (the partition's new owner replays from the committed offset).
 */
export class OffsetLedger {
  private trackers = new Map<string, PartitionTracker>();
  private readonly committed = new Map<string, string>();
  private generation = 0;

  rebalanced(): void {
    this.generation++;
    this.trackers = new Map();
    this.committed.clear();
  }

  take(topic: string, partition: number, offset: string): Ticket {
    const key = `${topic}/${partition}`;
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new PartitionTracker()));
    tracker.add(offset);
    return { topic, partition, offset, generation: this.generation };
  }

  settle(t: Ticket): void {
    if (t.generation !== this.generation) return;
    this.trackers.get(`${t.topic}/${t.partition}`)?.settle(t.offset);
  }

  /** Offsets that moved since the last `markCommitted`. */
  pending(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const [key, tracker] of this.trackers) {
      const next = tracker.nextCommit;
      if (next === undefined || this.committed.get(key) === next) continue;
      const slash = key.lastIndexOf('/');
      out.push({ topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), offset: next });
    }
    return out;
  }

  markCommitted(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) this.committed.set(`${o.topic}/${o.partition}`, o.offset);
  }

  /** Records taken and not settled, in this generation. */
  get unsettled(): number {
    let n = 0;
    for (const t of this.trackers.values()) n += t.inFlight;
    return n;
  }
}
