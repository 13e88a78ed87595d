import type { DeadLetterFilter } from '@leadflow/dead-letters';
import type { OfferDestinationRecord } from '@leadflow/lead-model';
import type { DeliveryEvent } from '../status/status-index';

/** What a validation lead's counted receipt tells auto-replay (offers.status keeps no more of it). */
export type ValidationReceipt = Pick<DeliveryEvent, 'leadId' | 'offerId' | 'isTest'>;

/** One auto-replay: an offer's configuration-category dead letters, once its version `version` is validated. */
export interface AutoReplayPlan {
  readonly offerId: string;
  readonly version: number;
  readonly filter: DeadLetterFilter;
  /** `leadflow.replay.by` of this auto-replay: names the offer version whose validation started it. */
  readonly by: string;
}

export const autoReplayActor = (offerId: string, version: number) => `auto-replay ${offerId} v${version}`;

/**
 * Whether a delivery receipt starts an auto-replay (pure): it must be the validation lead of the offer's
 * current configuration version, and that configuration must have opted in with `autoReplay: true`. The
 * dead letters replayed are the offer's configuration errors that failed under an earlier version (or
 * before the offer had one): a fix saved as this version can repair them, not errors of this version.
 */
export function autoReplayPlan(
  receipt: ValidationReceipt,
  record: OfferDestinationRecord | undefined,
  validationLeadId: (offerId: string, version: number, updatedAt: string) => string,
): AutoReplayPlan | undefined {
  if (!receipt.isTest || !record || record.offerId !== receipt.offerId) return undefined;
  if ((record.destination as { autoReplay?: unknown }).autoReplay !== true) return undefined;
  if (validationLeadId(record.offerId, record.version, record.updatedAt) !== receipt.leadId) return undefined;
  return {
    offerId: record.offerId,
    version: record.version,
    filter: { offers: [record.offerId], categories: ['configuration'], destinationVersionBelow: record.version },
    by: autoReplayActor(record.offerId, record.version),
  };
}
