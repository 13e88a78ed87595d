import { createHash } from 'node:crypto';
import { ByteKeyTable } from './byte-key-table';
import { grown, IntQueue, nextCapacity, type StringTable } from './columns';

/** Kinds of step, as stored. */
export const Step = { accepted: 0, routed: 1, deadLettered: 2, replayed: 3, delivered: 4 } as const;
export type StepKind = (typeof Step)[keyof typeof Step];

/** One step as stored: `offer` is a string number; `a` too for routed (topic) and delivered (destination). */
export interface StepRow {
  readonly kind: StepKind;
  readonly at: number;
  readonly offer: number;
  readonly a: number;
  readonly b: number;
  readonly flags: number;
  readonly extra: unknown;
}

const NONE = -1;
const HEX = '0123456789abcdef';
const MAX_LEADS_PER_EMAIL = 100;

/**
 * Leads' histories, bounded so that what the console is for stays: a lead with a dead letter in the index keeps
 * its history as long as the index keeps one of its dead letters (so dead-lettered leads are bounded by the
 * dead-letter limit, and leave with their last dead letter); every other lead (delivered or in flight) is one of
 * at most `maxOthers`, oldest out first. A flood of delivered leads never pushes out a dead-lettered one.
 *
 * Stored as rows of typed arrays: a lead id in the canonical UUID form (what ingest assigns) as 16 bytes found
 * through an open-addressing table, any other id as a string; steps as rows linked per lead; an e-mail's keyed
 * hash as 16 bytes.
 */
export class LeadHistories {
  private capacity = 0;
  private keys = new Uint8Array(0);
  /** A lead's newest step (steps link newest to oldest). */
  private head = new Int32Array(0);
  private deadLetters = new Int32Array(0);
  private gen = new Int32Array(0);
  private live = new Uint8Array(0);
  private emails = new Uint8Array(0);
  private hasEmail = new Uint8Array(0);
  private used = 0;
  private readonly freeSlots: number[] = [];
  private readonly ids: ByteKeyTable;
  /** A lead id's bytes while it is looked up (one per call: no allocation per record). */
  private readonly scratch = new Uint8Array(16);
  private readonly byEmail: ByteKeyTable;
  private readonly oddIds = new Map<string, number>();
  private readonly oddIdOf = new Map<number, string>();
  /** Leads without a dead letter, oldest first (slot and generation; stale entries are skipped). */
  private readonly others = new IntQueue();
  private readonly otherGens = new IntQueue();
  private count = 0;
  private otherCount = 0;
  private evictedCount = 0;

  private stepCap = 0;
  private sKind = new Uint8Array(0);
  private sFlags = new Uint8Array(0);
  private sAt = new Float64Array(0);
  private sOffer = new Int32Array(0);
  private sA = new Int32Array(0);
  private sB = new Int32Array(0);
  private sNext = new Int32Array(0);
  private readonly sExtra: unknown[] = [];
  private stepsUsed = 0;
  private readonly freeSteps: number[] = [];

  /** `maxOthers`: leads without a dead letter; `maxDeadLettered`: the dead-letter limit (sizes the columns). */
  constructor(
    private readonly strings: StringTable,
    private readonly maxOthers: number,
    private readonly maxDeadLettered = Infinity,
  ) {
    this.ids = new ByteKeyTable(() => this.keys, maxOthers + maxDeadLettered);
    this.byEmail = new ByteKeyTable(() => this.emails, maxOthers + maxDeadLettered);
  }

  get size(): number {
    return this.count;
  }
  get evicted(): number {
    return this.evictedCount;
  }

  /** The lead's slot, or -1. */
  find(leadId: string): number {
    return uuidBytes(leadId, this.scratch) ? this.ids.first(this.scratch) : (this.oddIds.get(leadId) ?? NONE);
  }

  /** The lead's slot, made (as a lead without dead letters, newest) when it is new. */
  touch(leadId: string): number {
    const found = this.find(leadId);
    if (found !== NONE) return found;
    const slot = this.freeSlots.pop() ?? this.newSlot();
    this.live[slot] = 1;
    this.head[slot] = NONE;
    this.deadLetters[slot] = 0;
    this.hasEmail[slot] = 0;
    if (uuidBytes(leadId, this.scratch)) {
      this.keys.set(this.scratch, slot * 16);
      this.ids.insert(slot);
    } else {
      const own = Buffer.from(leadId, 'utf8').toString('utf8');
      this.oddIds.set(own, slot);
      this.oddIdOf.set(slot, own);
    }
    this.count += 1;
    this.otherCount += 1;
    this.others.push(slot);
    this.otherGens.push(this.gen[slot] as number);
    while (this.otherCount > this.maxOthers && this.evictOldestOther(slot));
    return slot;
  }

  idOf(slot: number): string {
    const odd = this.oddIdOf.get(slot);
    if (odd !== undefined) return odd;
    let s = '';
    for (let i = 0; i < 16; i++) {
      const b = this.keys[slot * 16 + i] as number;
      s += (HEX[b >> 4] as string) + (HEX[b & 15] as string);
      if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
    }
    return s;
  }

  addStep(slot: number, row: StepRow): void {
    const st = this.freeSteps.pop() ?? this.newStep();
    this.sKind[st] = row.kind;
    this.sFlags[st] = row.flags;
    this.sAt[st] = row.at;
    this.sOffer[st] = row.offer;
    this.sA[st] = row.a;
    this.sB[st] = row.b;
    this.sNext[st] = this.head[slot] as number;
    this.sExtra[st] = row.extra;
    this.head[slot] = st;
  }

  /** The lead's steps, newest first (as added). */
  *steps(slot: number): Generator<StepRow> {
    for (let st = this.head[slot] as number; st !== NONE; st = this.sNext[st] as number)
      yield {
        kind: this.sKind[st] as StepKind,
        at: this.sAt[st] as number,
        offer: this.sOffer[st] as number,
        a: this.sA[st] as number,
        b: this.sB[st] as number,
        flags: this.sFlags[st] as number,
        extra: this.sExtra[st],
      };
  }

  /** One more of the index's dead letters is this lead's: it leaves the others' queue (for good). */
  deadLetterAdded(slot: number): void {
    if (this.deadLetters[slot] === 0) this.otherCount -= 1;
    this.deadLetters[slot] = (this.deadLetters[slot] as number) + 1;
  }

  /** One of its dead letters left the index; with the last one, the lead's history goes too. */
  deadLetterGone(slot: number): void {
    if (!this.live[slot] || (this.deadLetters[slot] as number) <= 0) return;
    this.deadLetters[slot] = (this.deadLetters[slot] as number) - 1;
    if (this.deadLetters[slot] === 0) {
      this.remove(slot);
      this.evictedCount += 1;
    }
  }

  /** Remembers the lead's e-mail hash (its first one; an address already on 100 leads is not added to more). */
  rememberEmail(slot: number, hash: string): void {
    if (this.hasEmail[slot]) return;
    const key = hashBytes(hash);
    if (this.byEmail.all(key, MAX_LEADS_PER_EMAIL).length >= MAX_LEADS_PER_EMAIL) return;
    this.emails.set(key, slot * 16);
    this.hasEmail[slot] = 1;
    this.byEmail.insert(slot);
  }

  /** Slots of the leads with this e-mail hash. */
  withEmail(hash: string): number[] {
    return this.byEmail.all(hashBytes(hash), MAX_LEADS_PER_EMAIL);
  }

  private evictOldestOther(keep: number): boolean {
    const slot = this.others.shift();
    const g = this.otherGens.shift();
    if (slot === undefined) return false;
    // Stale: the lead left already, or has a dead letter now (then it is kept with its dead letters).
    if (!this.live[slot] || this.gen[slot] !== g || (this.deadLetters[slot] as number) > 0) return true;
    if (slot === keep) {
      this.others.push(slot);
      this.otherGens.push(g as number);
      return false;
    }
    this.otherCount -= 1;
    this.remove(slot);
    this.evictedCount += 1;
    return true;
  }

  private remove(slot: number): void {
    for (let st = this.head[slot] as number; st !== NONE;) {
      const next = this.sNext[st] as number;
      this.strings.release(this.sOffer[st] as number);
      const kind = this.sKind[st];
      if (kind === Step.routed || kind === Step.delivered) this.strings.release(this.sA[st] as number);
      this.sExtra[st] = undefined;
      this.freeSteps.push(st);
      st = next;
    }
    this.head[slot] = NONE;
    if (this.hasEmail[slot]) this.byEmail.remove(slot);
    this.hasEmail[slot] = 0;
    const odd = this.oddIdOf.get(slot);
    if (odd !== undefined) {
      this.oddIds.delete(odd);
      this.oddIdOf.delete(slot);
    } else this.ids.remove(slot);
    this.live[slot] = 0;
    this.gen[slot] = ((this.gen[slot] as number) + 1) | 0;
    this.count -= 1;
    this.freeSlots.push(slot);
  }

  private newSlot(): number {
    const slot = this.used;
    this.used += 1;
    if (slot >= this.capacity) {
      const n = nextCapacity(this.capacity, slot + 1, this.maxOthers + this.maxDeadLettered + 1);
      this.keys = grown(this.keys, n * 16);
      this.emails = grown(this.emails, n * 16);
      this.head = grown(this.head, n);
      this.deadLetters = grown(this.deadLetters, n);
      this.gen = grown(this.gen, n);
      this.live = grown(this.live, n);
      this.hasEmail = grown(this.hasEmail, n);
      this.capacity = n;
    }
    return slot;
  }

  private newStep(): number {
    const st = this.stepsUsed;
    this.stepsUsed += 1;
    if (st >= this.stepCap) {
      // Most leads have a few steps (accepted, routed, delivered): room for three per lead first.
      const n = nextCapacity(this.stepCap, Math.max(st + 1, Math.min(3 * this.capacity, 4_000_000)));
      this.sKind = grown(this.sKind, n);
      this.sFlags = grown(this.sFlags, n);
      this.sAt = grown(this.sAt, n);
      this.sOffer = grown(this.sOffer, n);
      this.sA = grown(this.sA, n);
      this.sB = grown(this.sB, n);
      this.sNext = grown(this.sNext, n);
      this.stepCap = n;
    }
    return st;
  }
}

/** Writes a canonical (lower-case, hyphenated) UUID's 16 bytes into `out`; false (and `out` undefined) otherwise. */
function uuidBytes(id: string, out: Uint8Array): boolean {
  if (id.length !== 36) return false;
  let n = 0;
  for (let i = 0; i < 36;) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45) return false;
      i += 1;
      continue;
    }
    const hi = hexValue(id.charCodeAt(i));
    const lo = hexValue(id.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return false;
    out[n++] = (hi << 4) | lo;
    i += 2;
  }
  return true;
}

/** 0–15 for '0'–'9' and 'a'–'f' (lower case only: ids are given back as they came), else -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** An e-mail hash as 16 bytes: the console's own hashes are 22 base64url characters; anything else is digested. */
function hashBytes(hash: string): Uint8Array {
  if (/^[A-Za-z0-9_-]{22}$/.test(hash)) return Buffer.from(hash, 'base64url').subarray(0, 16);
  return createHash('sha256').update(hash, 'utf8').digest().subarray(0, 16);
}
