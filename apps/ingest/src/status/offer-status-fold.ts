/**
 * The offer status as `offers.status` holds it (pure): the aggregator folds one input record into the offer's record
 * of that input partition; a reader sums an offer's records into what `GET /v1/offers/{offerId}/status` answers.
 */

import { MAX_STATUS_VALIDATIONS, type OfferStatusRecord, type ValidationOutcomeRecord } from '@leadflow/lead-model';
import type { DeadLetterEvent, DeliveryEvent, ValidationOutcome } from './status-events-types';

/** The input partition a record was read from, and the offset after it. */
export interface InputPosition {
  readonly topic: string;
  readonly partition: number;
  /** The input offset after the record folded in. */
  readonly nextOffset: string;
}

function empty(offerId: string, at: InputPosition): OfferStatusRecord {
  return {
    offerId,
    input: { topic: at.topic, partition: at.partition },
    offset: at.nextOffset,
    deadLetters: 0,
    validations: [],
    updatedAt: new Date(0).toISOString(),
  };
}

/** Keeps the newest outcomes; a lead's outcome moves to the end when it changes. */
function withOutcome(
  list: readonly ValidationOutcomeRecord[],
  outcome: ValidationOutcomeRecord,
): ValidationOutcomeRecord[] {
  const next = [...list.filter((v) => v.leadId !== outcome.leadId), outcome];
  return next.slice(Math.max(0, next.length - MAX_STATUS_VALIDATIONS));
}

export function foldDelivery(
  previous: OfferStatusRecord | undefined,
  e: DeliveryEvent,
  at: InputPosition,
  now: Date,
): OfferStatusRecord {
  const r = previous ?? empty(e.offerId, at);
  const newer = !r.lastDelivery || e.deliveredAt >= r.lastDelivery.deliveredAt;
  return {
    ...r,
    offset: at.nextOffset,
    ...(newer ? { lastDelivery: e } : {}),
    // A delivery is final: it overrides an earlier dead letter of the same lead (a successful replay).
    validations: e.isTest
      ? withOutcome(r.validations, { leadId: e.leadId, status: 'passed', checkedAt: e.deliveredAt })
      : r.validations,
    updatedAt: now.toISOString(),
  };
}

export function foldDeadLetter(
  previous: OfferStatusRecord | undefined,
  e: DeadLetterEvent,
  at: InputPosition,
  now: Date,
): OfferStatusRecord {
  const r = previous ?? empty(e.offerId, at);
  const passed = r.validations.some((v) => v.leadId === e.leadId && v.status === 'passed');
  return {
    ...r,
    offset: at.nextOffset,
    deadLetters: r.deadLetters + 1,
    validations:
      e.isTest && !passed
        ? withOutcome(r.validations, {
            leadId: e.leadId,
            status: 'failed',
            errorClass: e.errorClass,
            ...(e.remediation ? { remediation: e.remediation } : {}),
            checkedAt: e.failedAt,
          })
        : r.validations,
    updatedAt: now.toISOString(),
  };
}

/** What an offer's records add up to. */
export interface OfferTotals {
  readonly lastDelivery?: DeliveryEvent;
  readonly deadLetters: number;
}

export function sumOffer(records: Iterable<OfferStatusRecord>): OfferTotals {
  let lastDelivery: DeliveryEvent | undefined;
  let deadLetters = 0;
  for (const r of records) {
    deadLetters += r.deadLetters;
    if (r.lastDelivery && (!lastDelivery || r.lastDelivery.deliveredAt > lastDelivery.deliveredAt))
      lastDelivery = r.lastDelivery;
  }
  return { ...(lastDelivery ? { lastDelivery } : {}), deadLetters };
}

/**
 * A validation lead's outcome over an offer's records: its receipt (on `leads.delivered`) wins over its dead letters
 * (on the dead-letter topics) whichever was counted first, as a successful replay ends the story; else its latest
 * dead letter.
 */
export function validationOf(records: Iterable<OfferStatusRecord>, leadId: string): ValidationOutcome {
  let failed: ValidationOutcomeRecord | undefined;
  for (const r of records)
    for (const v of r.validations) {
      if (v.leadId !== leadId) continue;
      if (v.status === 'passed') return { status: 'passed', checkedAt: v.checkedAt };
      if (!failed || v.checkedAt > failed.checkedAt) failed = v;
    }
  if (!failed) return { status: 'pending' };
  return {
    status: 'failed',
    errorClass: failed.errorClass ?? 'UNKNOWN',
    ...(failed.remediation ? { remediation: failed.remediation } : {}),
    checkedAt: failed.checkedAt,
  };
}
