import type { DestinationOf, DestinationType, Lead, LeadflowError } from '@leadflow/lead-model';

export interface DeliveryContext {
  /** Aborted when the attempt's timeout passes or the sink shuts down: pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

export interface DeliveryResult {
  /** The destination's id for the record, when it returns one (receipt field). */
  readonly externalId?: string;
}

/**
 * What a destination contributes: a mapping (deliver) and a classifier. Everything else — consuming,
 * concurrency, retries, dead letters, receipts, commits — is the runtime's.
 */
export interface Sink<T extends DestinationType = DestinationType> {
  readonly type: T;
  /** Delivers one lead; must be idempotent on `lead.leadId` (a crash replays). */
  deliver(lead: Lead, destination: DestinationOf<T>, ctx: DeliveryContext): Promise<DeliveryResult>;
  /** Maps whatever `deliver` threw to a class of the error catalog (a table-driven function). */
  classify(err: unknown): LeadflowError;
}
