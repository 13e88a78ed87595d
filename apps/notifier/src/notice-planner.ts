import {
  ERROR_CATALOG,
  isErrorClass,
  NoticeKeys,
  type DeliveryReceipt,
  type ErrorCategory,
  type NoticeRecord,
} from '@leadflow/lead-model';
import type { BrokenNotice, FixedNotice, LeadLine, LeadNotice, Notice } from './notice';

export interface PlannerSettings {
  /** Leads of one offer in one window above which the rest of the window goes into a digest (0: always digest). */
  readonly digestAbove: number;
  readonly digestWindowMs: number;
  readonly digestGraceMs: number;
  /** At most one reminder per this long while a destination stays broken. */
  readonly reminderMs: number;
  /**
   * With auto-replay, the "fixed" notice waits this long after the validation lead passed, counting the replay
   * ledger's `auto-replay <offerId> v<version>` entries, so it can say how many leads were sent again.
   */
  readonly autoReplaySettleMs: number;
}

/** A `leads.replay.ledger` entry as the planner needs it. */
export interface ReplayEvent {
  readonly replayOf: string;
  readonly by: string;
}

/** What the planner needs to know of an offer's current destination. */
export interface OfferView {
  readonly version: number;
  readonly type: string;
  /** Empty when the offer has no contacts or switched notifications off. */
  readonly contacts: readonly string[];
  readonly autoReplay: boolean;
}

/** A dead letter as the notifier reads it: ids, class and version from the headers; no customer field. */
export interface DeadLetterEvent {
  readonly offerId: string;
  readonly leadId: string;
  readonly isTest: boolean;
  readonly source?: string;
  readonly action?: string;
  readonly piiSuppressed: boolean;
  /** The stage that gave up: `router` or a destination type. */
  readonly stage: string;
  readonly errorClass: string;
  readonly category: ErrorCategory;
  readonly destinationVersion?: number;
  readonly failedAt: string;
}

export type NotifierEvent =
  | { readonly kind: 'delivered'; readonly receipt: DeliveryReceipt }
  | { readonly kind: 'dead-letter'; readonly deadLetter: DeadLetterEvent };

export interface Decision {
  /** Notices to send now, in order. */
  readonly notices: readonly Notice[];
  /** The record's lead waits in this digest: its offset may not be committed before the digest is recorded. */
  readonly heldBy?: string;
}

interface Broken {
  readonly version: number;
  readonly errorClass: string;
  readonly destination: string;
  readonly since: number;
  lastNoticeAt: number;
  waiting: number;
}

interface OpenDigest {
  readonly offerId: string;
  readonly windowStart: number;
  recipients: readonly string[];
  readonly leads: Map<string, LeadLine>;
}

/**
 * The notifier's decisions, with no I/O: which notice an event causes, for whom, single or digest, and the
 * broken → reminder → fixed state of each offer. The shell feeds it events in topic order, sends what it returns,
 * and reports back with `recorded` what is on `notices.sent`; on start it is rebuilt from that topic (`restore`).
 */
export class NoticePlanner {
  readonly #sent = new Set<string>();
  readonly #broken = new Map<string, Broken>();
  readonly #counts = new Map<string, number>();
  readonly #digests = new Map<string, OpenDigest>();
  /**
   * Auto-replay entries read before their "fixed" notice was decided (the ledger and the receipts are different
   * topics, read in no fixed order), by actor; the oldest actors are forgotten past 1,000.
   */
  readonly #earlyReplays = new Map<string, Set<string>>();
  /** "Fixed" notices waiting for auto-replay to be counted, by notice key. */
  readonly #fixing = new Map<string, { notice: FixedNotice; dueAt: number; actor: string; replayed: Set<string> }>();

  constructor(private readonly s: PlannerSettings) {}

  /** True when a notice with this key (or a digest covering this lead) was recorded. */
  hasRecorded(key: string): boolean {
    return this.#sent.has(key);
  }

  /** Rebuilds memory from `notices.sent`: what was sent, and which offers are broken since when. */
  restore(records: readonly NoticeRecord[]): void {
    for (const r of [...records].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt))) this.recorded(r);
  }

  /** A notice is on `notices.sent` (sent or dead-lettered): never again. */
  recorded(r: NoticeRecord): void {
    this.#sent.add(r.key);
    for (const leadId of r.leadIds ?? []) this.#sent.add(NoticeKeys.lead(r.offerId, leadId));
    const at = Date.parse(r.eventAt);
    if ((r.kind === 'broken' || r.kind === 'reminder') && r.version !== undefined) {
      const b = this.#broken.get(r.offerId);
      if (b && b.version === r.version) {
        b.lastNoticeAt = Math.max(b.lastNoticeAt, at);
        b.waiting = Math.max(b.waiting, r.waiting ?? 0);
      } else if (!b || b.version < r.version) {
        this.#broken.set(r.offerId, {
          version: r.version,
          errorClass: r.errorClass ?? 'INTERNAL.UNEXPECTED',
          destination: '',
          since: at,
          lastNoticeAt: at,
          waiting: r.waiting ?? 0,
        });
      }
    }
    if (r.kind === 'fixed' && r.version !== undefined) {
      const b = this.#broken.get(r.offerId);
      if (b && b.version < r.version) this.#broken.delete(r.offerId);
    }
  }

  decide(event: NotifierEvent, offer: OfferView | undefined): Decision {
    return event.kind === 'delivered'
      ? this.#delivered(event.receipt, offer)
      : this.#deadLetter(event.deadLetter, offer);
  }

  /** Digests whose window (and grace) ended by `now`; each leaves the planner's open set. */
  due(now: number): Notice[] {
    const out: Notice[] = [];
    for (const [key, f] of this.#fixing) {
      if (now < f.dueAt) continue;
      this.#fixing.delete(key);
      out.push({ ...f.notice, replayed: f.replayed.size });
    }
    for (const [key, d] of this.#digests) {
      const end = d.windowStart + this.s.digestWindowMs;
      if (now < end + this.s.digestGraceMs) continue;
      this.#digests.delete(key);
      const leads = [...d.leads.values()].sort((a, b) => a.at.localeCompare(b.at));
      out.push({
        kind: 'digest',
        key,
        offerId: d.offerId,
        recipients: d.recipients,
        eventAt: new Date(end).toISOString(),
        windowStart: new Date(d.windowStart).toISOString(),
        windowEnd: new Date(end).toISOString(),
        leads,
      });
    }
    // Window counters older than any open window are no longer needed.
    const oldest = now - 2 * this.s.digestWindowMs - this.s.digestGraceMs;
    for (const k of this.#counts.keys()) if (Number(k.slice(k.lastIndexOf('|') + 1)) < oldest) this.#counts.delete(k);
    return out;
  }

  /** Digests still collecting leads. */
  get openDigests(): number {
    return this.#digests.size;
  }

  /**
   * A replay ledger entry: counted for a pending "fixed" notice when auto-replay of that offer and version wrote it.
   * Returns that notice's key (the entry's offset waits for its record), or undefined.
   */
  replayed(e: ReplayEvent): string | undefined {
    for (const [key, f] of this.#fixing) {
      if (f.actor !== e.by) continue;
      f.replayed.add(e.replayOf);
      return key;
    }
    if (e.by.startsWith('auto-replay ')) {
      const early = this.#earlyReplays.get(e.by) ?? new Set<string>();
      early.add(e.replayOf);
      this.#earlyReplays.set(e.by, early);
      if (this.#earlyReplays.size > 1_000) this.#earlyReplays.delete(this.#earlyReplays.keys().next().value ?? '');
    }
    return undefined;
  }

  /** Whether an offer is broken, at which version, with how many leads waiting (metrics, tests). */
  brokenState(offerId: string): { version: number; waiting: number } | undefined {
    const b = this.#broken.get(offerId);
    return b ? { version: b.version, waiting: b.waiting } : undefined;
  }

  #delivered(r: DeliveryReceipt, offer: OfferView | undefined): Decision {
    if (r.isTest) {
      const fixed = this.#fixed(r, offer);
      if (!fixed || !fixed.autoReplay || this.s.autoReplaySettleMs === 0) return { notices: fixed ? [fixed] : [] };
      // Auto-replay starts on this very receipt (ingest): wait, counting its ledger entries.
      const actor = `auto-replay ${fixed.offerId} v${fixed.version}`;
      this.#fixing.set(fixed.key, {
        notice: fixed,
        dueAt: Date.parse(r.deliveredAt) + this.s.autoReplaySettleMs,
        actor,
        replayed: this.#earlyReplays.get(actor) ?? new Set(),
      });
      this.#earlyReplays.delete(actor);
      return { notices: [], heldBy: fixed.key };
    }
    return this.#leadNotice(
      {
        leadId: r.leadId,
        ...(r.source ? { source: r.source } : {}),
        ...(r.action ? { action: r.action } : {}),
        at: r.deliveredAt,
        destination: String(r.destination),
        delivered: true,
        withheld: r.piiSuppressed === true,
      },
      r.offerId,
      offer,
    );
  }

  /** The validation lead of a version newer than the broken one was delivered: the destination works again. */
  #fixed(r: DeliveryReceipt, offer: OfferView | undefined): FixedNotice | undefined {
    const b = this.#broken.get(r.offerId);
    if (!b || !offer || offer.version <= b.version) return undefined;
    this.#broken.delete(r.offerId);
    const key = NoticeKeys.fixed(r.offerId, offer.version);
    if (offer.contacts.length === 0 || this.#sent.has(key) || this.#fixing.has(key)) return undefined;
    const notice: FixedNotice = {
      kind: 'fixed',
      key,
      offerId: r.offerId,
      recipients: offer.contacts,
      eventAt: r.deliveredAt,
      version: offer.version,
      destination: offer.type,
      waiting: b.waiting,
      autoReplay: offer.autoReplay,
    };
    return notice;
  }

  #deadLetter(d: DeadLetterEvent, offer: OfferView | undefined): Decision {
    const info = isErrorClass(d.errorClass) ? ERROR_CATALOG[d.errorClass] : undefined;
    const offerWide = d.category === 'configuration' && info !== undefined && !('perRecord' in info);
    if (offerWide) return { notices: this.#onConfigurationError(d, offer) };
    // Data errors, per-record rules and exhausted transient errors: the lead's own notice says it was not delivered.
    if (d.isTest) return { notices: [] };
    return this.#leadNotice(
      {
        leadId: d.leadId,
        ...(d.source ? { source: d.source } : {}),
        ...(d.action ? { action: d.action } : {}),
        at: d.failedAt,
        destination: d.stage,
        delivered: false,
        errorClass: d.errorClass,
        withheld: d.piiSuppressed,
      },
      d.offerId,
      offer,
    );
  }

  #onConfigurationError(d: DeadLetterEvent, offer: OfferView | undefined): Notice[] {
    const at = Date.parse(d.failedAt);
    const version = Math.max(d.destinationVersion ?? 0, offer?.version ?? 0);
    const stale = d.destinationVersion !== undefined && d.destinationVersion < version;
    let b = this.#broken.get(d.offerId);
    if (stale) {
      // An earlier version's lead, still dead-lettered after the change: it waits for replay like the others.
      if (b && !d.isTest) b.waiting += 1;
      return [];
    }
    const notices: Notice[] = [];
    const contacts = offer?.contacts ?? [];
    if (!b || b.version < version) {
      b = {
        version,
        errorClass: d.errorClass,
        destination: d.stage,
        since: at,
        lastNoticeAt: at,
        waiting: (b?.waiting ?? 0) + (d.isTest ? 0 : 1),
      };
      this.#broken.set(d.offerId, b);
      const key = NoticeKeys.broken(d.offerId, version);
      if (contacts.length > 0 && !this.#sent.has(key)) notices.push(this.#brokenNotice('broken', key, d, b, contacts));
      return notices;
    }
    if (!d.isTest) b.waiting += 1;
    if (at - b.lastNoticeAt >= this.s.reminderMs) {
      const key = NoticeKeys.reminder(d.offerId, version, Math.floor(at / this.s.reminderMs));
      b.lastNoticeAt = at;
      if (contacts.length > 0 && !this.#sent.has(key))
        notices.push(this.#brokenNotice('reminder', key, d, b, contacts));
    }
    return notices;
  }

  #brokenNotice(
    kind: 'broken' | 'reminder',
    key: string,
    d: DeadLetterEvent,
    b: Broken,
    recipients: readonly string[],
  ): BrokenNotice {
    return {
      kind,
      key,
      offerId: d.offerId,
      recipients,
      eventAt: d.failedAt,
      version: b.version,
      destination: d.stage,
      errorClass: d.errorClass,
      remediation: isErrorClass(d.errorClass) ? ERROR_CATALOG[d.errorClass].remediation : '',
      waiting: b.waiting,
      since: new Date(b.since).toISOString(),
    };
  }

  #leadNotice(line: LeadLine, offerId: string, offer: OfferView | undefined): Decision {
    const key = NoticeKeys.lead(offerId, line.leadId);
    if (!offer || offer.contacts.length === 0 || this.#sent.has(key)) return { notices: [] };
    const at = Date.parse(line.at);
    const windowStart = Math.floor(at / this.s.digestWindowMs) * this.s.digestWindowMs;
    const countKey = `${offerId}|${windowStart}`;
    const n = (this.#counts.get(countKey) ?? 0) + 1;
    this.#counts.set(countKey, n);
    const digestKey = NoticeKeys.digest(offerId, windowStart);
    // A lead of a window whose digest already went out (a late receipt) gets a notice of its own.
    if (n <= this.s.digestAbove || this.#sent.has(digestKey)) {
      const notice: LeadNotice = {
        kind: 'lead',
        key,
        offerId,
        recipients: offer.contacts,
        eventAt: line.at,
        lead: line,
      };
      return { notices: [notice] };
    }
    let digest = this.#digests.get(digestKey);
    if (!digest) {
      digest = { offerId, windowStart, recipients: offer.contacts, leads: new Map() };
      this.#digests.set(digestKey, digest);
    }
    digest.recipients = offer.contacts;
    digest.leads.set(line.leadId, line);
    return { notices: [], heldBy: digestKey };
  }
}
