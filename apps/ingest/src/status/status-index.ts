/**
 * What the ingest knows about deliveries, as `offers.status` holds it: per offer, its records (one per input
 * partition of `leads.delivered` and of the dead-letter topics) summed into the last delivery, the dead-letter count
 * and the outcomes of validation leads. Pure and in memory, bounded by offers × input partitions: it does not grow
 * with the leads delivered (docs/decisions/0008-offer-status-topic.md).
 */

import type { OfferStatusRecord, QuotaWaitRecord } from '@leadflow/lead-model';
import { sumOffer, validationOf } from './offer-status-fold';
import type { DeliveryEvent, ValidationOutcome } from './status-events-types';

export type { DeadLetterEvent, DeliveryEvent, ValidationOutcome } from './status-events-types';

/** The last auto-replay of an offer: which validated version started it, how many leads, when. */
export interface AutoReplayStatus {
  readonly version: number;
  readonly replayed: number;
  /** When the latest of those leads was replayed; absent when there was nothing to replay. */
  readonly at?: string;
}

/** Leads of an offer a sink holds for a quota, and when the last of them will be sent. */
export interface QuotaWaitStatus {
  readonly destination: string;
  readonly leads: number;
  readonly until: string;
  readonly errorClass: string;
}

export interface OfferActivity {
  readonly lastDelivery?: DeliveryEvent;
  readonly deadLetters: number;
  readonly autoReplay?: AutoReplayStatus;
  readonly quotaWaits?: readonly QuotaWaitStatus[];
}

export class OfferStatusIndex {
  /** Per offer, its `offers.status` records by key. */
  private readonly records = new Map<string, Map<string, OfferStatusRecord>>();
  private readonly autoReplays = new Map<string, AutoReplayStatus>();
  /** Per offer, its `offers.quota-waits` records by key (one per quota account). */
  private readonly quotaWaits = new Map<string, Map<string, QuotaWaitRecord>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Applies an `offers.quota-waits` record (undefined: a tombstone, the sink holds none of them any more). */
  applyQuotaWait(key: string, offerId: string, record: QuotaWaitRecord | undefined): void {
    let of = this.quotaWaits.get(offerId);
    if (record) {
      if (!of) this.quotaWaits.set(offerId, (of = new Map()));
      of.set(key, record);
    } else if (of) {
      of.delete(key);
      if (of.size === 0) this.quotaWaits.delete(offerId);
    }
  }

  /** Applies an `offers.status` record (undefined: a tombstone); returns the record it replaced. */
  apply(key: string, offerId: string, record: OfferStatusRecord | undefined): OfferStatusRecord | undefined {
    let of = this.records.get(offerId);
    const previous = of?.get(key);
    if (record) {
      if (!of) this.records.set(offerId, (of = new Map()));
      of.set(key, record);
    } else if (of) {
      of.delete(key);
      if (of.size === 0) this.records.delete(offerId);
    }
    return previous;
  }

  /** The records counted from one input partition, by offer: what an aggregator taking it over starts from. */
  recordsOfInput(topic: string, partition: number): Map<string, OfferStatusRecord> {
    const out = new Map<string, OfferStatusRecord>();
    for (const [offerId, of] of this.records)
      for (const r of of.values()) if (r.input.topic === topic && r.input.partition === partition) out.set(offerId, r);
    return out;
  }

  /** An auto-replay finished; a newer version's replay replaces an older one's. */
  recordAutoReplay(offerId: string, status: AutoReplayStatus): void {
    const previous = this.autoReplays.get(offerId);
    if (!previous || status.version >= previous.version) this.autoReplays.set(offerId, status);
  }

  validation(offerId: string, testLeadId: string): ValidationOutcome {
    return validationOf(this.records.get(offerId)?.values() ?? [], testLeadId);
  }

  offer(offerId: string): OfferActivity {
    const totals = sumOffer(this.records.get(offerId)?.values() ?? []);
    const autoReplay = this.autoReplays.get(offerId);
    // A record whose time has passed is stale: its sink stopped before it could say the leads went.
    const now = this.now().toISOString();
    const quotaWaits = [...(this.quotaWaits.get(offerId)?.values() ?? [])]
      .filter((w) => w.until > now)
      .map((w) => ({ destination: w.destination, leads: w.leads, until: w.until, errorClass: w.errorClass }));
    return { ...totals, ...(autoReplay ? { autoReplay } : {}), ...(quotaWaits.length > 0 ? { quotaWaits } : {}) };
  }

  /** How many offers have a status. */
  get offers(): number {
    return this.records.size;
  }
}
