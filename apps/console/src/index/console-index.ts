import { matchesFilter, type DeadLetterFilter, type FilterSubject, type LedgerEntry } from '@leadflow/dead-letters';
import { flatten, StringTable } from './columns';
import { DeadLetterColumns } from './dead-letter-columns';
import { LeadHistories, Step, type StepRow } from './lead-histories';
import type { DeadLetterSummary, IndexEvent } from './index-events';

/** How much the index may hold; beyond it the oldest entries go (counts of what went are kept where noted). */
export interface IndexLimits {
  /** Dead letters kept in detail (the overview's counts and replay selection work on these). */
  readonly maxDeadLetters: number;
  /**
   * Leads without a dead letter in the index (delivered or in flight) whose history is kept, oldest first out. A
   * lead with a dead letter in the index is not counted here: its history stays while one of its dead letters
   * does (bounded by `maxDeadLetters`). An e-mail hash goes with its lead.
   */
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

/** What a replay filter selects from the index (counted without copying a dead letter). */
export interface Selection {
  readonly matched: number;
  readonly alreadyReplayed: number;
  /** Selected and not in the ledger: what a replay would publish. */
  readonly wouldReplay: number;
  /** The newest `limit` selected (`pendingOnly`: of those a replay would publish), newest first. */
  newest(limit: number, pendingOnly?: boolean): DeadLetterSummary[];
}

const NONE = -1;
const IS_TEST = 1;

/**
 * The console's in-memory view of dead letters, receipts, replays and each lead's path, fed one event at a time
 * from the topics (rebuilt from Kafka at start). Bounded by `IndexLimits`; answers every page from memory, so no
 * page reads a topic. Pure: no Kafka, no clock of its own (callers pass `now`).
 *
 * Dead letters and histories are rows of typed arrays (dead-letter-columns.ts, lead-histories.ts): at 200,000
 * dead letters and 1,000,000 receipts the index must fit the console's 200 MB heap with room to spare.
 */
export class ConsoleIndex {
  private readonly strings = new StringTable();
  private readonly deadLetters: DeadLetterColumns;
  private readonly leads: LeadHistories;
  private readonly groups: GroupRow[] = [];
  private readonly groupIds = new Map<string, number>();
  private readonly ledger = new Map<string, LedgerEntry>();
  private readonly offers = new Map<string, OfferActivity>();
  private readonly deliveredByType = new Map<string, number>();
  /** Dead letters per hour (epoch hour), for the trend; hours older than 8 days are dropped. */
  private readonly hourly = new Map<number, number>();
  private evictedDeadLetters = 0;
  private events = 0;

  constructor(private readonly limits: IndexLimits = DEFAULT_LIMITS) {
    this.deadLetters = new DeadLetterColumns(this.strings, limits.maxDeadLetters);
    this.leads = new LeadHistories(this.strings, limits.maxLeads, limits.maxDeadLetters);
  }

  apply(ev: IndexEvent): void {
    this.events += 1;
    switch (ev.kind) {
      case 'accepted': {
        const lead = this.leads.touch(ev.leadId);
        const extra =
          ev.traceId || ev.replayOf || ev.replayBy
            ? {
                ...(ev.traceId ? { traceId: flatten(ev.traceId) } : {}),
                ...(ev.replayOf ? { replayOf: flatten(ev.replayOf) } : {}),
                ...(ev.replayBy ? { replayBy: flatten(ev.replayBy) } : {}),
              }
            : undefined;
        this.leads.addStep(lead, {
          kind: Step.accepted,
          at: ev.at,
          offer: this.strings.acquire(ev.offerId),
          a: NONE,
          b: 0,
          flags: ev.isTest ? IS_TEST : 0,
          extra,
        });
        if (ev.emailHash) this.leads.rememberEmail(lead, ev.emailHash);
        return;
      }
      case 'routed':
        this.leads.addStep(this.leads.touch(ev.leadId), {
          kind: Step.routed,
          at: ev.at,
          offer: this.strings.acquire(ev.offerId),
          a: this.strings.acquire(ev.topic),
          b: 0,
          flags: 0,
          extra: undefined,
        });
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

  /** Sizes, for metrics and the bench. */
  stats() {
    return {
      events: this.events,
      deadLetters: this.deadLetters.size,
      leads: this.leads.size,
      ledger: this.ledger.size,
      offers: this.offers.size,
      evictedDeadLetters: this.evictedDeadLetters,
      evictedLeads: this.leads.evicted,
    };
  }

  /**
   * Dead letters by stage, class and offer, newest first; the 24 h and 7 d trend; deliveries by type. With `keep`
   * (a caller scoped to some publishers), only those offers' dead letters count, the trend is counted from the
   * dead letters kept in detail, and deliveries by type (not kept per offer) are left out.
   */
  overview(now: number, keep?: (offerId: string | undefined) => boolean) {
    const hourly = keep ? this.hourlyOf(keep) : this.hourly;
    const groups = this.groups
      .filter((g) => g.count > 0 && (!keep || keep(g.offerId)))
      .sort((a, b) => b.newest - a.newest || b.count - a.count)
      .map((g) => ({ ...g, oldest: iso(g.oldest), newest: iso(g.newest) }));
    const hourNow = Math.floor(now / HOUR);
    const last24h = Array.from({ length: 24 }, (_, i) => {
      const h = hourNow - 23 + i;
      return { start: iso(h * HOUR), count: hourly.get(h) ?? 0 };
    });
    const last7d = Array.from({ length: 7 }, (_, i) => {
      const first = hourNow - (7 - i) * 24 + 1;
      let count = 0;
      for (let h = first; h < first + 24; h++) count += hourly.get(h) ?? 0;
      return { start: iso(first * HOUR), count };
    });
    const failedValidations = [...this.offers.entries()]
      .filter(([offerId, a]) => a.validation?.status === 'failed' && (!keep || keep(offerId)))
      .map(([offerId, a]) => ({ offerId, ...validationView(a.validation as ValidationState) }))
      .sort((a, b) => b.at.localeCompare(a.at));
    let total = this.deadLetters.size;
    if (keep) {
      const kept = this.offerTest(keep);
      total = 0;
      for (const slot of this.deadLetters.slots()) if (kept(slot)) total += 1;
    }
    return {
      deadLetters: { total, replayed: groups.reduce((n, g) => n + g.replayed, 0), groups },
      trend: { last24h, last7d },
      delivered: [...(keep ? [] : this.deliveredByType.entries())]
        .map(([destination, count]) => ({ destination, count }))
        .sort((a, b) => b.count - a.count || a.destination.localeCompare(b.destination)),
      failedValidations,
    };
  }

  /** `keep` asked once per offer, not once per dead letter. */
  private offerTest(keep: (offerId: string | undefined) => boolean): (slot: number) => boolean {
    const answers = new Map<number, boolean>();
    return (slot) => {
      const ref = this.deadLetters.offerRef(slot);
      let yes = answers.get(ref);
      if (yes === undefined) {
        yes = keep(ref === NONE ? undefined : this.strings.get(ref));
        answers.set(ref, yes);
      }
      return yes;
    };
  }

  /** Dead letters per hour among those `keep` keeps (the scoped overview's trend). */
  private hourlyOf(keep: (offerId: string | undefined) => boolean): Map<number, number> {
    const out = new Map<number, number>();
    const kept = this.offerTest(keep);
    for (const slot of this.deadLetters.slots()) {
      if (!kept(slot)) continue;
      const h = Math.floor(this.deadLetters.at(slot) / HOUR);
      out.set(h, (out.get(h) ?? 0) + 1);
    }
    return out;
  }

  /** What the index knows of an offer's traffic (its configuration comes from the offer table). */
  offer(offerId: string) {
    const a = this.offers.get(offerId);
    const recentDeadLetters: DeadLetterSummary[] = [];
    const ref = this.strings.find(offerId);
    if (ref !== NONE)
      for (const slot of this.deadLetters.slots(true)) {
        if (recentDeadLetters.length >= this.limits.recentPerOffer) break;
        if (this.deadLetters.offerRef(slot) === ref) recentDeadLetters.push(this.summary(slot));
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
    const lead = this.leads.find(leadId);
    if (lead === NONE) return undefined;
    const id = this.leads.idOf(lead);
    const steps: HistoryStep[] = [];
    for (const row of this.leads.steps(lead)) {
      const step = this.step(id, row);
      if (step) steps.push(step);
    }
    // Stored newest first: reversed, ties in time and kind keep their arrival order through the (stable) sort.
    return steps.reverse().sort((a, b) => a.at - b.at || order(a) - order(b));
  }

  /** Lead ids whose e-mail has this keyed hash. */
  leadsByEmailHash(hash: string): readonly string[] {
    return this.leads.withEmail(hash).map((slot) => this.leads.idOf(slot));
  }

  /**
   * The dead letters a replay filter selects (and `keep` keeps: a scoped caller's offers), split into those the
   * ledger holds and those a replay would publish. Counts without copying; `newest` copies only what it returns.
   */
  select(filter: DeadLetterFilter, keep?: (offerId: string | undefined) => boolean): Selection {
    const dls = this.deadLetters;
    const kept = keep ? this.offerTest(keep) : () => true;
    const timed = filter.since !== undefined || filter.until !== undefined;
    const needsLead = filter.leadIds !== undefined;
    // One subject reused for every row: the filter reads its fields, nothing keeps it.
    const subject: { -readonly [K in keyof FilterSubject]: FilterSubject[K] } = {
      stage: 'router',
      errorClass: '',
      category: '',
      failedAt: '',
    };
    const matched: number[] = [];
    const pending: boolean[] = [];
    let alreadyReplayed = 0;
    for (const slot of dls.slots()) {
      if (!kept(slot)) continue;
      subject.stage = dls.stageOf(slot);
      subject.errorClass = dls.errorClassOf(slot);
      subject.category = dls.categoryOf(slot);
      subject.offerId = dls.offerIdOf(slot);
      subject.leadId = needsLead ? this.leadIdOf(slot) : undefined;
      subject.failedAt = timed ? dls.failedAtOf(slot) : '';
      subject.destinationVersion = dls.versionOf(slot);
      if (!matchesFilter(subject, filter)) continue;
      const replayed = this.ledger.size > 0 && this.ledger.has(dls.id(slot));
      if (replayed) alreadyReplayed += 1;
      matched.push(slot);
      pending.push(!replayed);
    }
    return {
      matched: matched.length,
      alreadyReplayed,
      wouldReplay: matched.length - alreadyReplayed,
      newest: (limit, pendingOnly = false) => {
        // Newest first; among equal times the one that arrived first (as a stable sort by time would).
        const best: number[] = [];
        for (let i = matched.length - 1; i >= 0; i--) {
          if (pendingOnly && !pending[i]) continue;
          const slot = matched[i] as number;
          const at = dls.at(slot);
          if (best.length >= limit && at <= dls.at(best[best.length - 1] as number)) continue;
          let j = best.length;
          while (j > 0 && dls.at(best[j - 1] as number) <= at) j--;
          best.splice(j, 0, slot);
          if (best.length > limit) best.pop();
        }
        return best.map((slot) => this.summary(slot));
      },
    };
  }

  deadLetterView(d: DeadLetterSummary) {
    const replay = this.ledger.get(d.id);
    return { ...d, failedAt: d.failedAt, replayed: replay ? { at: replay.replayedAt, by: replay.by } : null };
  }

  private leadIdOf(slot: number): string | undefined {
    const lead = this.deadLetters.lead(slot);
    return lead === NONE ? undefined : this.leads.idOf(lead);
  }

  private summary(slot: number): DeadLetterSummary {
    return this.deadLetters.summary(slot, this.leadIdOf(slot));
  }

  /** A stored step as the history shows it; a dead letter the index let go is left out. */
  private step(leadId: string, row: StepRow): HistoryStep | undefined {
    const s = this.strings;
    const offerId = s.get(row.offer);
    switch (row.kind) {
      case Step.accepted: {
        const x = (row.extra ?? {}) as { traceId?: string; replayOf?: string; replayBy?: string };
        return { kind: 'accepted', leadId, offerId, at: row.at, isTest: (row.flags & IS_TEST) !== 0, ...x };
      }
      case Step.routed:
        return { kind: 'routed', leadId, offerId, at: row.at, topic: s.get(row.a) };
      case Step.delivered: {
        const externalId = row.extra as string | undefined;
        return {
          kind: 'delivered',
          leadId,
          offerId,
          at: row.at,
          destination: s.get(row.a),
          ...(externalId !== undefined ? { externalId } : {}),
          attempts: row.b,
          isTest: (row.flags & IS_TEST) !== 0,
        };
      }
      case Step.deadLettered:
        return this.deadLetters.seq(row.a) === row.b
          ? { kind: 'dead-lettered', at: row.at, deadLetter: this.summary(row.a) }
          : undefined;
      case Step.replayed:
        return { kind: 'replayed', at: row.at, entry: row.extra as LedgerEntry };
    }
  }

  private activity(offerId: string): OfferActivity {
    let a = this.offers.get(offerId);
    if (!a) {
      a = { delivered: 0, deadLetters: 0, recentDeliveries: [] };
      this.offers.set(flatten(offerId), a);
    }
    return a;
  }

  private delivered(ev: Extract<IndexEvent, { kind: 'delivered' }>): void {
    const lead = this.leads.touch(ev.leadId);
    this.leads.addStep(lead, {
      kind: Step.delivered,
      at: ev.at,
      offer: this.strings.acquire(ev.offerId),
      a: this.strings.acquire(ev.destination),
      b: ev.attempts,
      flags: ev.isTest ? IS_TEST : 0,
      extra: ev.externalId === undefined ? undefined : flatten(ev.externalId),
    });
    const destination = this.strings.get(this.strings.find(ev.destination));
    this.deliveredByType.set(destination, (this.deliveredByType.get(destination) ?? 0) + 1);
    const a = this.activity(ev.offerId);
    a.delivered += 1;
    // The few kept per offer are copies with flat strings (the event's may be slices of a record's text).
    a.recentDeliveries.push({
      ...ev,
      leadId: flatten(ev.leadId),
      offerId: this.strings.get(this.strings.find(ev.offerId)),
      destination,
      ...(ev.externalId !== undefined ? { externalId: flatten(ev.externalId) } : {}),
    });
    if (a.recentDeliveries.length > this.limits.recentPerOffer) a.recentDeliveries.shift();
    if (ev.isTest) this.validated(a, { leadId: flatten(ev.leadId), status: 'passed', at: ev.at });
  }

  private deadLettered(d: DeadLetterSummary, emailHash: string | undefined): void {
    if (this.deadLetters.find(d.id) !== NONE) return;
    const lead = d.leadId ? this.leads.touch(d.leadId) : NONE;
    const group = this.group(d);
    const slot = this.deadLetters.add(d, lead, group);
    const g = this.groups[group] as GroupRow;
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
          leadId: flatten(d.leadId),
          status: 'failed',
          at: d.at,
          errorClass: g.errorClass,
          remediation: g.remediation,
        });
    }
    if (lead !== NONE) {
      this.leads.deadLetterAdded(lead);
      this.leads.addStep(lead, {
        kind: Step.deadLettered,
        at: d.at,
        offer: NONE,
        a: slot,
        b: this.deadLetters.seq(slot),
        flags: 0,
        extra: undefined,
      });
      if (emailHash) this.leads.rememberEmail(lead, emailHash);
    }
    if (this.deadLetters.size > this.limits.maxDeadLetters) this.evictDeadLetter();
  }

  private evictDeadLetter(): void {
    const gone = this.deadLetters.evictOldest();
    if (!gone) return;
    const g = this.groups[gone.group] as GroupRow;
    g.count -= 1;
    if (this.ledger.has(gone.id)) g.replayed -= 1;
    this.evictedDeadLetters += 1;
    if (gone.lead !== NONE) this.leads.deadLetterGone(gone.lead);
  }

  /** The group's number (groups are few: stage × class × offer; they stay, at count 0 when emptied). */
  private group(d: DeadLetterSummary): number {
    const offerId = d.offerId ?? '(unknown)';
    const key = `${d.stage}\u0000${d.errorClass}\u0000${offerId}`;
    let id = this.groupIds.get(key);
    if (id === undefined) {
      id = this.groups.length;
      this.groups.push({
        stage: d.stage,
        errorClass: flatten(d.errorClass),
        category: flatten(d.category),
        offerId: flatten(offerId),
        remediation: flatten(d.remediation),
        count: 0,
        replayed: 0,
        oldest: d.at,
        newest: d.at,
      });
      this.groupIds.set(flatten(key), id);
    }
    return id;
  }

  /** The latest validation lead decides; a delivery overrides a dead letter of the same lead (a replay fixed it). */
  private validated(a: OfferActivity, v: ValidationState): void {
    const cur = a.validation;
    if (!cur || v.at > cur.at || (v.leadId === cur.leadId && v.status === 'passed')) a.validation = v;
  }

  private replayed(entry: LedgerEntry): void {
    const known = this.ledger.has(entry.replayOf);
    this.ledger.set(entry.replayOf, entry);
    const slot = this.deadLetters.find(entry.replayOf);
    if (slot !== NONE && !known) (this.groups[this.deadLetters.group(slot)] as GroupRow).replayed += 1;
    const leadId = entry.leadId ?? (slot !== NONE ? this.leadIdOf(slot) : undefined);
    if (leadId && !known)
      this.leads.addStep(this.leads.touch(leadId), {
        kind: Step.replayed,
        at: Date.parse(entry.replayedAt) || 0,
        offer: NONE,
        a: NONE,
        b: 0,
        flags: 0,
        extra: entry,
      });
  }

  private ledgerCleared(replayOf: string): void {
    if (!this.ledger.delete(replayOf)) return;
    const slot = this.deadLetters.find(replayOf);
    if (slot !== NONE) (this.groups[this.deadLetters.group(slot)] as GroupRow).replayed -= 1;
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
