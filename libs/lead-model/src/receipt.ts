import type { DestinationType } from './topics';

/** The value of a `leads.delivered` record: a sink delivered the lead (audit, notifications, validation status). */
export interface DeliveryReceipt {
  readonly leadId: string;
  readonly offerId: string;
  readonly destination: DestinationType | string;
  /** The destination's id for the record, when it returns one. */
  readonly externalId?: string;
  /** The destination accepted the lead without confirming it was stored (Salesforce Web-to-Lead). */
  readonly unconfirmed?: boolean;
  readonly attempts: number;
  readonly deliveredAt: string;
  readonly isTest: boolean;
  /** The lead's source and action, for the publisher's notice (no customer data travels on this topic). */
  readonly source?: string;
  readonly action?: string;
  /** The customer's details were withheld (`.edu`): the notice says so. */
  readonly piiSuppressed?: boolean;
}
