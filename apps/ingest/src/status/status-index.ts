/**
 * What the ingest knows about deliveries: outcomes of validation leads, and per offer the last
 * delivery and how many leads were dead-lettered. Fed from `leads.delivered` and the dead-letter
 * topics; pure and in memory, bounded by the number of offers plus a capped set of test outcomes.
 */

import type { DeliveryReceipt } from '@leadflow/lead-model';

/** A receipt read from `leads.delivered`. */
export type DeliveryEvent = DeliveryReceipt;

export interface DeadLetterEvent {
  readonly leadId: string;
  readonly offerId: string;
  readonly isTest: boolean;
  readonly errorClass: string;
  readonly remediation?: string;
  readonly failedAt: string;
  readonly stage: string;
}

export type ValidationOutcome =
  | { readonly status: 'pending' }
  | { readonly status: 'passed'; readonly checkedAt: string }
  | {
      readonly status: 'failed';
      readonly errorClass: string;
      readonly remediation?: string;
      readonly checkedAt: string;
    };

/** The last auto-replay of an offer: which validated version started it, how many leads, when. */
export interface AutoReplayStatus {
  readonly version: number;
  readonly replayed: number;
  /** When the latest of those leads was replayed; absent when there was nothing to replay. */
  readonly at?: string;
}

export interface OfferActivity {
  readonly lastDelivery?: DeliveryEvent;
  readonly deadLetters: number;
  readonly autoReplay?: AutoReplayStatus;
}

export class OfferStatusIndex {
  private readonly outcomes = new Map<string, Exclude<ValidationOutcome, { status: 'pending' }>>();
  private readonly activity = new Map<
    string,
    { lastDelivery?: DeliveryEvent; deadLetters: number; autoReplay?: AutoReplayStatus }
  >();

  /** `maxOutcomes` caps remembered validation outcomes; the oldest are forgotten first. */
  constructor(private readonly maxOutcomes = 50_000) {}

  recordDelivery(e: DeliveryEvent): void {
    const a = this.touch(e.offerId);
    if (!a.lastDelivery || e.deliveredAt >= a.lastDelivery.deliveredAt) a.lastDelivery = e;
    // A delivery is final: it overrides an earlier dead letter of the same lead (a successful replay).
    if (e.isTest) this.remember(e.leadId, { status: 'passed', checkedAt: e.deliveredAt });
  }

  recordDeadLetter(e: DeadLetterEvent): void {
    this.touch(e.offerId).deadLetters += 1;
    if (!e.isTest || this.outcomes.get(e.leadId)?.status === 'passed') return;
    this.remember(e.leadId, {
      status: 'failed',
      errorClass: e.errorClass,
      ...(e.remediation ? { remediation: e.remediation } : {}),
      checkedAt: e.failedAt,
    });
  }

  /** An auto-replay finished; a newer version's replay replaces an older one's. */
  recordAutoReplay(offerId: string, status: AutoReplayStatus): void {
    const a = this.touch(offerId);
    if (!a.autoReplay || status.version >= a.autoReplay.version) a.autoReplay = status;
  }

  validation(testLeadId: string): ValidationOutcome {
    return this.outcomes.get(testLeadId) ?? { status: 'pending' };
  }

  private touch(offerId: string): { lastDelivery?: DeliveryEvent; deadLetters: number; autoReplay?: AutoReplayStatus } {
    let a = this.activity.get(offerId);
    if (!a) {
      a = { deadLetters: 0 };
      this.activity.set(offerId, a);
    }
    return a;
  }

  offer(offerId: string): OfferActivity {
    return this.activity.get(offerId) ?? { deadLetters: 0 };
  }

  private remember(leadId: string, outcome: Exclude<ValidationOutcome, { status: 'pending' }>): void {
    this.outcomes.delete(leadId);
    this.outcomes.set(leadId, outcome);
    if (this.outcomes.size > this.maxOutcomes) {
      const oldest = this.outcomes.keys().next().value;
      if (oldest !== undefined) this.outcomes.delete(oldest);
    }
  }
}
