import { PartitionTracker } from './partition-tracker';

/** A record handed to delivery, as the ledger knows it. */
export interface Ticket {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The partition's tracker when the record was taken: a ticket of a partition since lost settles nothing. */
  readonly tracker: PartitionTracker;
}

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Which offsets may be committed: per partition, the one after the contiguous prefix of settled records (delivered
 * or dead-lettered), so a crash replays and never skips. At a rebalance, a partition the instance keeps keeps its
 * record of what was taken (its leads in flight settle and are committed as before, and fetching resumes after the
 * last record taken, not from the committed offset: no lead in flight is taken twice); a partition that moved away
 * is forgotten (its new owner replays from the committed offset).
 */
export class OffsetLedger {
  private trackers = new Map<string, PartitionTracker>();
  private readonly committed = new Map<string, string>();

  /**
   * A new assignment. Returns where each kept partition's fetching must resume (the consumer otherwise starts again
   * from the committed offset and takes the leads in flight a second time).
   */
  rebalanced(kept: (topic: string, partition: number) => boolean): OffsetToCommit[] {
    const resume: OffsetToCommit[] = [];
    const trackers = new Map<string, PartitionTracker>();
    for (const [key, tracker] of this.trackers) {
      const { topic, partition } = split(key);
      if (kept(topic, partition)) {
        trackers.set(key, tracker);
        const next = tracker.nextTake;
        if (next !== undefined) resume.push({ topic, partition, offset: next });
      } else {
        this.committed.delete(key);
      }
    }
    this.trackers = trackers;
    return resume;
  }

  take(topic: string, partition: number, offset: string): Ticket {
    const key = `${topic}/${partition}`;
    let tracker = this.trackers.get(key);
    if (!tracker) this.trackers.set(key, (tracker = new PartitionTracker()));
    tracker.add(offset);
    return { topic, partition, offset, tracker };
  }

  settle(t: Ticket): void {
    if (this.trackers.get(`${t.topic}/${t.partition}`) === t.tracker) t.tracker.settle(t.offset);
  }

  /** Offsets that moved since the last `markCommitted`. */
  pending(): OffsetToCommit[] {
    const out: OffsetToCommit[] = [];
    for (const [key, tracker] of this.trackers) {
      const next = tracker.nextCommit;
      if (next === undefined || this.committed.get(key) === next) continue;
      out.push({ ...split(key), offset: next });
    }
    return out;
  }

  markCommitted(offsets: readonly OffsetToCommit[]): void {
    for (const o of offsets) this.committed.set(`${o.topic}/${o.partition}`, o.offset);
  }

  /** Records of one partition taken and not settled. */
  unsettledIn(topic: string, partition: number): number {
    return this.trackers.get(`${topic}/${partition}`)?.inFlight ?? 0;
  }

  /** Records taken and not settled, of the partitions held. */
  get unsettled(): number {
    let n = 0;
    for (const t of this.trackers.values()) n += t.inFlight;
    return n;
  }
}

function split(key: string): { topic: string; partition: number } {
  const slash = key.lastIndexOf('/');
  return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)) };
}
