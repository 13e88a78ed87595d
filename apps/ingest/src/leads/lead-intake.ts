import { parseLeadInput, suppressEduPii, type Lead } from '@leadflow/lead-model';
import type { ProblemFieldError } from '../common/problem';
import { leadIdFromIdempotencyKey, uuidV7 } from './lead-ids';

export interface IntakeOptions {
  /** The offer of an offer-scoped URL (a body naming another offer is refused by parseLeadInput). */
  readonly pathOfferId?: string;
  /** The request's `Idempotency-Key` (already validated), or, in a batch, the key of the item. */
  readonly idempotencyKey?: string;
  readonly now: Date;
  readonly newLeadId?: () => string;
}

export type IntakeResult =
  { readonly ok: true; readonly lead: Lead } | { readonly ok: false; readonly errors: readonly ProblemFieldError[] };

/**
 * One request body (any of the three input shapes) → the canonical lead that goes to Kafka. Pure.
 * leadId: the producer's own if it sent one; else derived from the Idempotency-Key (a retry gets the
 * same id, and sinks upsert by it); else a fresh UUIDv7. `.edu` customers lose their PII here, so it
 * never enters Kafka.
 */
export function intakeLead(input: unknown, opts: IntakeOptions): IntakeResult {
  // Drawn only for a lead that brings no id of its own (most producers send theirs).
  let fresh: string | undefined;
  const parsed = parseLeadInput(input, {
    ...(opts.pathOfferId !== undefined ? { offerId: opts.pathOfferId } : {}),
    now: opts.now,
    newLeadId: () => (fresh ??= (opts.newLeadId ?? uuidV7)()),
  });
  if (!parsed.ok) return { ok: false, errors: parsed.issues };
  let lead: Lead = parsed.lead;
  // parseLeadInput's own `leadId` option would override a producer's id; the key only replaces a fresh one.
  if (opts.idempotencyKey !== undefined && fresh !== undefined && lead.leadId === fresh) {
    lead = { ...lead, leadId: leadIdFromIdempotencyKey(lead.offerId, opts.idempotencyKey) };
  }
  return { ok: true, lead: suppressEduPii(lead) };
}

/** RFC 9110 token-ish: visible ASCII, 1..255 characters (also the OpenAPI document's pattern). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function validIdempotencyKey(key: string): boolean {
  return IDEMPOTENCY_KEY.test(key);
}
