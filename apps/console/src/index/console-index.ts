import { matchesFilter, type DeadLetterFilter, type LedgerEntry } from '@leadflow/dead-letters';
import { Fifo, Interner } from './fifo';
import type { DeadLetterSummary, IndexEvent } from './index-events';

/** How much the index may hold; beyond it the oldest entries go (counts of what went are kept where noted). */
export interface IndexLimits {
  /** Dead letters kept in detail (the overview's counts and replay selection work on these). */
  readonly maxDeadLetters: number;
  /** Leads whose history is kept (oldest first out); an e-mail hash goes with its lead. */
  readonly maxLeads: number;
  /** Recent deliveries and dead letters kept per offer for its page. */
  readonly recentPerOffer: number;
}

export const DEFAULT_LIMITS: IndexLimits = { maxDeadLetters: 250_000, maxLeads: 100_000, recentPerOffer: 20 };

/** One step of a lead's history. */
export type HistoryStep =
  | Extract<IndexEvent, { kind: 'accepted' | 'routed' | 'delivered' }>
  | { readonly kind: 'dead-lettered'; readonly at: number; readonly deadLetter: DeadLetterSummary }
  | { readonly kind: 'replayed'; readonly at: number; readonly entry: LedgerEntry };

export interface GroupRow {
  readonly stage: string;
  readonly errorClass: string;
  readonly category: string;
  readonly offerId: string;
  readonly remediation: string;
  count: number;
  replayed: number;
  oldest: number;
  newest: number;
}

export interface ValidationState {
  readonly leadId: string;
  readonly status: 'passed' | 'failed';
  readonly at: number;
  readonly errorClass?: string;
  readonly remediation?: string;
}

interface OfferActivity {
  delivered: number;
  deadLetters: number;
  readonly recentDeliveries: Extract<IndexEvent, { kind: 'delivered' }>[];
  validation?: ValidationState;
}

const HOUR = 3_600_000;

/**
 * The console's in-memory view of dead letters, receipts, replays and each lead's path, fed one event at a time
 * from the topics (rebuilt from Kafka at start). Bounded by `IndexLimits`; answers every page from memory, so no
 * page reads a topic. Pure: no Kafka, no clock of its own (callers pass `now`).
 */
export class ConsoleIndex {
  private readonly deadLetters = new Map<string, DeadLetterSummary>();
  private readonly groups = new Map<string, GroupRow>();
  private readonly ledger = new Map<string, LedgerEntry>();
  /** A lead's steps; a lone step is kept as is (most leads have one on record: an array would double its cost). */
  private readonly trails = new Map<string, HistoryStep | HistoryStep[]>();
  /** Lead ids by e-mail hash; a lone id as is, for the same reason. */
  private readonly emails = new Map<string, string | string[]>();
  private readonly offers = new Map<string, OfferActivity>();
  private readonly deliveredByType = new Map<string, number>();
  /** Dead letters per hour (epoch hour), for the trend; hours older than 8 days are dropped. */
  private readonly hourly = new Map<number, number>();
  private readonly leadOrder = new Fifo<string>();
  private readonly emailOrder = new Fifo<string>();
  private readonly deadLetterOrder = new Fifo<string>();
  private readonly strings = new Interner();
  private evictedDeadLetters = 0;
  private evictedLeads = 0;
  private events = 0;

  constructor(private readonly limits: IndexLimits = DEFAULT_LIMITS) {}

  apply(event: IndexEvent): void {
    this.events += 1;
    const ev = this.interned(event);
    switch (ev.kind) {
      case 'accepted':
        this.step(ev.leadId, ev);
        if (ev.emailHash) this.rememberEmail(ev.emailHash, ev.leadId);
        return;
      case 'routed':
        this.step(ev.leadId, ev);
        return;
      case 'delivered':
        return this.delivered(ev);
      case 'dead-lettered':
        return this.deadLettered(ev.deadLetter, ev.emailHash);
      case 'replayed':
        return this.replayed(ev.entry);
      case 'ledger-cleared':
        return this.ledgerCleared(ev.replayOf);
    }
  }

  /** The event with its repeating strings shared. */
  private interned(ev: IndexEvent): IndexEvent {
    const i = this.strings;
    switch (ev.kind) {
      case 'accepted':
      case 'routed':
        return { ...ev, offerId: i.get(ev.offerId), ...(ev.kind === 'routed' ? { topic: i.get(ev.topic) } : {}) };
      case 'delivered':
        return { ...ev, offerId: i.get(ev.offerId), destination: i.get(ev.destination) };
      case 'dead-lettered': {
        const d = ev.deadLetter;
        return {
          ...ev,
          deadLetter: {
            ...d,
            offerId: i.get(d.offerId),
            errorClass: i.get(d.errorClass),
            category: i.get(d.category),
            message: i.get(d.message),
            remediation: i.get(d.remediation),
            sink: i.get(d.sink),
          },
        };
      }
      default:
        return ev;
    }
  }

  /** Sizes, for metrics and the bench. */
  stats() {
    return {
      events: this.events,
      deadLetters: this.deadLetters.size,
      leads: this.trails.size,
      ledger: this.ledger.size,
      offers: this.offers.size,
      evictedDeadLetters: this.evictedDeadLetters,
      evictedLeads: this.evictedLeads,
    };
  }

  /** Dead letters by stage, class and offer, newest first; the 24 h and 7 d trend; deliveries by type. */
  overview(now: number) {
    const groups = [...this.groups.values()]
      .filter((g) => g.count > 0)
      .sort((a, b) => b.newest - a.newest || b.count - a.count)
      .map((g) => ({ ...g, oldest: iso(g.oldest), newest: iso(g.newest) }));
    const hourNow = Math.floor(now / HOUR);
    const last24h = Array.from({ length: 24 }, (_, i) => {
      const h = hourNow - 23 + i;
      return { start: iso(h * HOUR), count: this.hourly.get(h) ?? 0 };
    });
    const last7d = Array.from({ length: 7 }, (_, i) => {
      const first = hourNow - (7 - i) * 24 + 1;
      let count = 0;
      for (let h = first; h < first + 24; h++) count += this.hourly.get(h) ?? 0;
      return { start: iso(first * HOUR), count };
    });
    const failedValidations = [...this.offers.entries()]
      .filter(([, a]) => a.validation?.status === 'failed')
      .map(([offerId, a]) => ({ offerId, ...validationView(a.validation as ValidationState) }))
      .sort((a, b) => b.at.localeCompare(a.at));
    return {
      deadLetters: {
        total: this.deadLetters.size,
        replayed: groups.reduce((n, g) => n + g.replayed, 0),
        groups,
      },
      trend: { last24h, last7d },
      delivered: [...this.deliveredByType.entries()]
        .map(([destination, count]) => ({ destination, count }))
        .sort((a, b) => b.count - a.count || a.destination.localeCompare(b.destination)),
      failedValidations,
    };
  }

  /** What the index knows of an offer's traffic (its configuration comes from the offer table). */
  offer(offerId: string) {
    const a = this.offers.get(offerId);
    const recentDeadLetters: DeadLetterSummary[] = [];
    // Newest first: walk the insertion order backwards until enough are found.
    const all = [...this.deadLetters.values()];
    for (let i = all.length - 1; i >= 0 && recentDeadLetters.length < this.limits.recentPerOffer; i--) {
      const d = all[i];
      if (d && d.offerId === offerId) recentDeadLetters.push(d);
    }
    const autoReplays = [...this.ledger.values()]
      .filter((e) => e.offerId === offerId && e.by.startsWith('auto-replay'))
      .slice(-this.limits.recentPerOffer);
    return {
      delivered: a?.delivered ?? 0,
      deadLetters: a?.deadLetters ?? 0,
      recentDeliveries: [...(a?.recentDeliveries ?? [])].reverse(),
      recentDeadLetters: recentDeadLetters.map((d) => this.deadLetterView(d)),
      validation: a?.validation ? validationView(a.validation) : undefined,
      autoReplays,
    };
  }

  /** Every offer the index has seen traffic for. */
  offerIds(): string[] {
    return [...this.offers.keys()].sort();
  }

  /** A lead's history in time order, or undefined when the index holds nothing of it. */
  history(leadId: string): readonly HistoryStep[] | undefined {
    const trail = this.trails.get(leadId);
    if (trail === undefined) return undefined;
    return (Array.isArray(trail) ? [...trail] : [trail]).sort((a, b) => a.at - b.at || order(a) - order(b));
  }

  /** Lead ids whose e-mail has this keyed hash. */
  leadsByEmailHash(hash: string): readonly string[] {
    const ids = this.emails.get(hash);
    return ids === undefined ? [] : Array.isArray(ids) ? ids : [ids];
  }

  /** The dead letters a replay filter selects, split into those the ledger holds and those it would replay. */
  select(filter: DeadLetterFilter): {
    matched: number;
    alreadyReplayed: number;
    pending: DeadLetterSummary[];
    all: DeadLetterSummary[];
  } {
    let alreadyReplayed = 0;
    const pending: DeadLetterSummary[] = [];
    const all: DeadLetterSummary[] = [];
    for (const d of this.deadLetters.values()) {
      if (!matchesFilter(d, filter)) continue;
      all.push(d);
      if (this.ledger.has(d.id)) alreadyReplayed += 1;
      else pending.push(d);
    }
    return { matched: all.length, alreadyReplayed, pending, all };
  }

  deadLetterView(d: DeadLetterSummary) {
    const replay = this.ledger.get(d.id);
    return { ...d, failedAt: d.failedAt, replayed: replay ? { at: replay.replayedAt, by: replay.by } : null };
  }

  private step(leadId: string, s: HistoryStep): void {
    const trail = this.trails.get(leadId);
    if (trail === undefined) {
      this.trails.set(leadId, s);
      this.leadOrder.push(leadId);
      if (this.trails.size > this.limits.maxLeads) {
        const oldest = this.leadOrder.shift();
        if (oldest !== undefined) this.trails.delete(oldest);
        this.evictedLeads += 1;
      }
    } else if (Array.isArray(trail)) trail.push(s);
    else this.trails.set(leadId, [trail, s]);
  }

  private rememberEmail(hash: string, leadId: string): void {
    const ids = this.emails.get(hash);
    if (ids !== undefined) {
      // One address rarely has many leads; past 100 the oldest are forgotten (and the scan stays short).
      if (!Array.isArray(ids)) {
        if (ids !== leadId) this.emails.set(hash, [ids, leadId]);
      } else if (!ids.includes(leadId)) {
        ids.push(leadId);
        if (ids.length > 100) ids.shift();
      }
      return;
    }
    this.emails.set(hash, leadId);
    this.emailOrder.push(hash);
    if (this.emails.size > this.limits.maxLeads) {
      const oldest = this.emailOrder.shift();
      if (oldest !== undefined) this.emails.delete(oldest);
    }
  }

  private activity(offerId: string): OfferActivity {
    let a = this.offers.get(offerId);
    if (!a) {
      a = { delivered: 0, deadLetters: 0, recentDeliveries: [] };
      this.offers.set(offerId, a);
    }
    return a;
  }

  private delivered(ev: Extract<IndexEvent, { kind: 'delivered' }>): void {
    this.step(ev.leadId, ev);
    this.deliveredByType.set(ev.destination, (this.deliveredByType.get(ev.destination) ?? 0) + 1);
    const a = this.activity(ev.offerId);
    a.delivered += 1;
    a.recentDeliveries.push(ev);
    if (a.recentDeliveries.length > this.limits.recentPerOffer) a.recentDeliveries.shift();
    if (ev.isTest) this.validated(a, { leadId: ev.leadId, status: 'passed', at: ev.at });
  }

  private deadLettered(d: DeadLetterSummary, emailHash: string | undefined): void {
    if (this.deadLetters.has(d.id)) return;
    this.deadLetters.set(d.id, d);
    this.deadLetterOrder.push(d.id);
    const g = this.group(d);
    g.count += 1;
    if (this.ledger.has(d.id)) g.replayed += 1;
    g.newest = Math.max(g.newest, d.at);
    g.oldest = Math.min(g.oldest, d.at);
    const hour = Math.floor(d.at / HOUR);
    this.hourly.set(hour, (this.hourly.get(hour) ?? 0) + 1);
    if (this.hourly.size > 24 * 8) {
      const cutoff = Math.max(...this.hourly.keys()) - 24 * 8;
      for (const h of this.hourly.keys()) if (h < cutoff) this.hourly.delete(h);
    }
    if (d.offerId !== undefined) {
      const a = this.activity(d.offerId);
      a.deadLetters += 1;
      if (d.isTest && d.leadId)
        this.validated(a, {
          leadId: d.leadId,
          status: 'failed',
          at: d.at,
          errorClass: d.errorClass,
          remediation: d.remediation,
        });
    }
    if (d.leadId) {
      this.step(d.leadId, { kind: 'dead-lettered', at: d.at, deadLetter: d });
      if (emailHash) this.rememberEmail(emailHash, d.leadId);
    }
    if (this.deadLetters.size > this.limits.maxDeadLetters) this.evictDeadLetter();
  }

  private evictDeadLetter(): void {
    const id = this.deadLetterOrder.shift();
    const oldest = id === undefined ? undefined : this.deadLetters.get(id);
    if (!oldest) return;
    this.deadLetters.delete(oldest.id);
    const g = this.group(oldest);
    g.count -= 1;
    if (this.ledger.has(oldest.id)) g.replayed -= 1;
    this.evictedDeadLetters += 1;
  }

  private group(d: DeadLetterSummary): GroupRow {
    const offerId = d.offerId ?? '(unknown)';
    const key = `${d.stage}\u0000${d.errorClass}\u0000${offerId}`;
    let g = this.groups.get(key);
    if (!g) {
      g = {
        stage: d.stage,
        errorClass: d.errorClass,
        category: d.category,
        offerId,
        remediation: d.remediation,
        count: 0,
        replayed: 0,
        oldest: d.at,
        newest: d.at,
      };
      this.groups.set(key, g);
    }
    return g;
  }

  /** The latest validation lead decides; a delivery overrides a dead letter of the same lead (a replay fixed it). */
  private validated(a: OfferActivity, v: ValidationState): void {
    const cur = a.validation;
    if (!cur || v.at > cur.at || (v.leadId === cur.leadId && v.status === 'passed')) a.validation = v;
  }

  private replayed(entry: LedgerEntry): void {
    const known = this.ledger.has(entry.replayOf);
    this.ledger.set(entry.replayOf, entry);
    const d = this.deadLetters.get(entry.replayOf);
    if (d && !known) this.group(d).replayed += 1;
    const leadId = entry.leadId ?? d?.leadId;
    if (leadId && !known) this.step(leadId, { kind: 'replayed', at: Date.parse(entry.replayedAt) || 0, entry });
  }

  private ledgerCleared(replayOf: string): void {
    if (!this.ledger.delete(replayOf)) return;
    const d = this.deadLetters.get(replayOf);
    if (d) this.group(d).replayed -= 1;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

function validationView(v: ValidationState) {
  return {
    leadId: v.leadId,
    status: v.status,
    at: iso(v.at),
    ...(v.errorClass ? { errorClass: v.errorClass } : {}),
    ...(v.remediation ? { remediation: v.remediation } : {}),
  };
}

/** Ties in time keep the pipeline's order. */
const STEP_ORDER: Record<HistoryStep['kind'], number> = {
  accepted: 0,
  routed: 1,
  'dead-lettered': 2,
  replayed: 3,
  delivered: 4,
};
/** A replayed record re-enters after its ledger entry (same transaction, same instant). */
const order = (s: HistoryStep): number => (s.kind === 'accepted' && s.replayOf ? 3.5 : STEP_ORDER[s.kind]);
