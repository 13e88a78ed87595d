import { DLQ_STAGES, type DlqStage } from '@leadflow/lead-model';
import { flatten, grown, IntQueue, nextCapacity, type StringTable } from './columns';
import type { DeadLetterSummary } from './index-events';

const NONE = -1;
const IS_TEST = 1;
/** `topic/partition/offset`, as `positionId` (libs/dead-letters) writes a dead letter's id. */
const POSITION = /^(.+\/\d+)\/(\d+)$/;
const iso = (ms: number): string => new Date(ms).toISOString();
/** A count as kept (-1: none); one beyond int32 is not a count a dead letter carries. */
const int32OrNone = (n: number | undefined): number => (n !== undefined && n >= 0 && n <= 0x7fffffff ? n | 0 : NONE);

/**
 * The dead letters the index keeps in detail, one row of typed arrays each (~90 bytes, against ~500 as objects):
 * the id as a topic-partition number and an offset, repeating strings as numbers of a shared `StringTable`, the
 * lead as the number its owner gives it, times as float64. Oldest out first (`evictOldest`). Rows are numbered
 * slots; a slot is reused after its dead letter left, `seq` tells the one it holds now.
 */
export class DeadLetterColumns {
  private capacity = 0;
  private tp = new Int32Array(0);
  private offset = new Float64Array(0);
  private stage = new Uint8Array(0);
  private flags = new Uint8Array(0);
  private leadRef = new Int32Array(0);
  private offer = new Int32Array(0);
  private errorClass = new Int32Array(0);
  private category = new Int32Array(0);
  private message = new Int32Array(0);
  private remediation = new Int32Array(0);
  private sink = new Int32Array(0);
  private atMs = new Float64Array(0);
  /** -1: none (attempts and versions are counts from 1). */
  private attempts = new Int32Array(0);
  private version = new Int32Array(0);
  private groupRef = new Int32Array(0);
  private seqOf = new Int32Array(0);
  private nextSeq = 1;
  private readonly free: number[] = [];
  private used = 0;
  /** Slots oldest first. */
  private readonly order = new IntQueue();
  /** `topic/partition` prefixes by number, and their numbers. */
  private readonly partitions: string[] = [];
  private readonly partitionIds = new Map<string, number>();
  /**
   * Each partition's slots in arrival order, which is offset order (a partition is read in order; eviction takes
   * the oldest, which is the oldest of its partition too): an id is found by binary search, 4 bytes per row.
   */
  private readonly byPartition: IntQueue[] = [];
  /** Ids not in `positionId`'s form (kept as they are), and `failedAt` texts not in `toISOString`'s form. */
  private readonly oddIds = new Map<number, string>();
  private readonly oddIdSlots = new Map<string, number>();
  private readonly oddFailedAt = new Map<number, string>();

  /** `limit`: the most rows ever held (sizes the columns). */
  constructor(
    private readonly strings: StringTable,
    private readonly limit = Infinity,
  ) {}

  get size(): number {
    return this.order.size;
  }

  /** Keeps a dead letter; its lead and group are the caller's numbers. Returns its slot. */
  add(d: DeadLetterSummary, lead: number, group: number): number {
    const slot = this.free.pop() ?? this.newSlot();
    const pos = POSITION.exec(d.id);
    const offset = pos ? Number(pos[2]) : NaN;
    const p = pos && Number.isSafeInteger(offset) ? this.partition(pos[1] as string) : NONE;
    const rows = p === NONE ? undefined : (this.byPartition[p] as IntQueue);
    // Offsets arrive in order; one that does not (a partition read again) is kept as an odd id, still found.
    if (rows && (rows.size === 0 || (this.offset[rows.at(rows.size - 1)] as number) < offset)) {
      this.tp[slot] = p;
      this.offset[slot] = offset;
      rows.push(slot);
    } else {
      this.tp[slot] = NONE;
      const id = flatten(d.id);
      this.oddIds.set(slot, id);
      this.oddIdSlots.set(id, slot);
    }
    this.stage[slot] = Math.max(0, DLQ_STAGES.indexOf(d.stage));
    this.flags[slot] = d.isTest ? IS_TEST : 0;
    this.leadRef[slot] = lead;
    this.offer[slot] = d.offerId === undefined ? NONE : this.strings.acquire(d.offerId);
    this.errorClass[slot] = this.strings.acquire(d.errorClass);
    this.category[slot] = this.strings.acquire(d.category);
    this.message[slot] = this.strings.acquire(d.message);
    this.remediation[slot] = this.strings.acquire(d.remediation);
    this.sink[slot] = d.sink === undefined ? NONE : this.strings.acquire(d.sink);
    this.atMs[slot] = d.at;
    this.attempts[slot] = int32OrNone(d.attempts);
    this.version[slot] = int32OrNone(d.destinationVersion);
    this.groupRef[slot] = group;
    this.seqOf[slot] = this.nextSeq;
    this.nextSeq = (this.nextSeq % 0x7fffffff) + 1;
    if (d.failedAt !== iso(d.at)) this.oddFailedAt.set(slot, d.failedAt);
    this.order.push(slot);
    return slot;
  }

  /** Lets the oldest dead letter go; returns its slot's lead and group (read before the slot is reused). */
  evictOldest(): { lead: number; group: number; id: string } | undefined {
    const slot = this.order.shift();
    if (slot === undefined) return undefined;
    const gone = { lead: this.leadRef[slot] as number, group: this.groupRef[slot] as number, id: this.id(slot) };
    const p = this.tp[slot] as number;
    if (p === NONE) {
      this.oddIdSlots.delete(gone.id);
      this.oddIds.delete(slot);
    } else this.byPartition[p]?.shift();
    this.oddFailedAt.delete(slot);
    for (const col of [this.offer, this.errorClass, this.category, this.message, this.remediation, this.sink])
      this.strings.release(col[slot] as number);
    this.seqOf[slot] = 0;
    this.free.push(slot);
    return gone;
  }

  /** The slot holding the dead letter with this id, or -1. */
  find(id: string): number {
    const pos = POSITION.exec(id);
    const p = pos ? this.partitionIds.get(pos[1] as string) : undefined;
    const rows = p === undefined ? undefined : this.byPartition[p];
    if (pos && rows) {
      const offset = Number(pos[2]);
      let lo = 0;
      let hi = rows.size - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const slot = rows.at(mid);
        const o = this.offset[slot] as number;
        if (o === offset) return slot;
        if (o < offset) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return this.oddIdSlots.get(id) ?? NONE;
  }

  private partition(prefix: string): number {
    let p = this.partitionIds.get(prefix);
    if (p === undefined) {
      p = this.partitions.push(flatten(prefix)) - 1;
      this.partitionIds.set(this.partitions[p] as string, p);
      this.byPartition.push(new IntQueue());
    }
    return p;
  }

  /** Slots newest first (`newestFirst`) or oldest first. */
  *slots(newestFirst = false): Generator<number> {
    const n = this.order.size;
    for (let i = 0; i < n; i++) yield this.order.at(newestFirst ? n - 1 - i : i);
  }

  id(slot: number): string {
    const p = this.tp[slot] as number;
    return p === NONE ? (this.oddIds.get(slot) ?? '') : `${this.partitions[p]}/${this.offset[slot]}`;
  }

  seq(slot: number): number {
    return this.seqOf[slot] as number;
  }
  at(slot: number): number {
    return this.atMs[slot] as number;
  }
  lead(slot: number): number {
    return this.leadRef[slot] as number;
  }
  group(slot: number): number {
    return this.groupRef[slot] as number;
  }
  /** The offer's string number (-1: none). */
  offerRef(slot: number): number {
    return this.offer[slot] as number;
  }
  stageOf(slot: number): DlqStage {
    return DLQ_STAGES[this.stage[slot] as number] as DlqStage;
  }
  errorClassOf(slot: number): string {
    return this.strings.get(this.errorClass[slot] as number);
  }
  categoryOf(slot: number): string {
    return this.strings.get(this.category[slot] as number);
  }
  offerIdOf(slot: number): string | undefined {
    const o = this.offer[slot] as number;
    return o === NONE ? undefined : this.strings.get(o);
  }
  failedAtOf(slot: number): string {
    return this.oddFailedAt.get(slot) ?? iso(this.atMs[slot] as number);
  }
  versionOf(slot: number): number | undefined {
    const v = this.version[slot] as number;
    return v === NONE ? undefined : v;
  }

  /** The dead letter as an object again (for an answer); `leadId` is its lead's id, from the caller. */
  summary(slot: number, leadId: string | undefined): DeadLetterSummary {
    const s = this.strings;
    const offerId = this.offerIdOf(slot);
    const attempts = this.attempts[slot] as number;
    const sink = this.sink[slot] as number;
    const version = this.versionOf(slot);
    return {
      id: this.id(slot),
      stage: this.stageOf(slot),
      ...(leadId !== undefined ? { leadId } : {}),
      ...(offerId !== undefined ? { offerId } : {}),
      errorClass: this.errorClassOf(slot),
      category: this.categoryOf(slot),
      message: s.get(this.message[slot] as number),
      remediation: s.get(this.remediation[slot] as number),
      failedAt: this.failedAtOf(slot),
      at: this.atMs[slot] as number,
      ...(attempts === NONE ? {} : { attempts }),
      ...(sink === NONE ? {} : { sink: s.get(sink) }),
      ...(version !== undefined ? { destinationVersion: version } : {}),
      isTest: ((this.flags[slot] as number) & IS_TEST) !== 0,
    };
  }

  private newSlot(): number {
    const slot = this.used;
    this.used += 1;
    if (slot >= this.capacity) {
      const n = nextCapacity(this.capacity, slot + 1, this.limit + 1);
      this.tp = grown(this.tp, n);
      this.offset = grown(this.offset, n);
      this.stage = grown(this.stage, n);
      this.flags = grown(this.flags, n);
      this.leadRef = grown(this.leadRef, n);
      this.offer = grown(this.offer, n);
      this.errorClass = grown(this.errorClass, n);
      this.category = grown(this.category, n);
      this.message = grown(this.message, n);
      this.remediation = grown(this.remediation, n);
      this.sink = grown(this.sink, n);
      this.atMs = grown(this.atMs, n);
      this.attempts = grown(this.attempts, n);
      this.version = grown(this.version, n);
      this.groupRef = grown(this.groupRef, n);
      this.seqOf = grown(this.seqOf, n);
      this.capacity = n;
    }
    return slot;
  }
}
