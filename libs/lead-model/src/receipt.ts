import { z } from 'zod';
import { LeadIdSchema, OfferIdSchema } from './lead';
import { DESTINATION_TYPES, type DestinationType } from './topics';

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

/** {@link DeliveryReceipt} as a schema: what the AsyncAPI document (docs/asyncapi.yaml) states for `leads.delivered`. */
export const DeliveryReceiptSchema = z
  .object({
    leadId: LeadIdSchema,
    offerId: OfferIdSchema,
    destination: z.string().describe(`The destination type: ${DESTINATION_TYPES.join(', ')}`),
    externalId: z
      .string()
      .optional()
      .describe(
        "The destination's id for the record (Table table/partition/row, Dataverse leadid, Salesforce Lead id)",
      ),
    unconfirmed: z
      .boolean()
      .optional()
      .describe('true: the destination answered but cannot confirm it stored the lead (Salesforce Web-to-Lead)'),
    attempts: z.int().min(1).describe('Delivery attempts it took'),
    deliveredAt: z.iso.datetime({ offset: true }),
    isTest: z.boolean(),
    source: z.string().optional().describe("The lead's source (AzureMarketplace, AppSource, …), for notifications"),
    action: z.string().optional().describe("The lead's action (INS, PLT, …), for notifications"),
    piiSuppressed: z.boolean().optional().describe("true: the customer's details were withheld (.edu); notices say so"),
  })
  .describe('A delivery receipt: one per delivered lead (a lead delivered twice gets two)');

// The interface and the schema describe one value: a change to either that the other lacks fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _receiptInSync: Same<Required<z.infer<typeof DeliveryReceiptSchema>>, Required<DeliveryReceipt>> = true;
void _receiptInSync;
