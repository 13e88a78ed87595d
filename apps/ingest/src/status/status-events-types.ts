/** The events the offer status is folded from, and a validation lead's outcome (types only: no imports of ours). */

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
