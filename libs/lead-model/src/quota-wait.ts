import { z } from 'zod';
import { OfferIdSchema } from './lead';
import { DESTINATION_TYPES } from './topics';

/**
 * `offers.quota-waits` (compacted): leads of an offer a sink holds because its destination's account is out of a
 * quota (Salesforce Web-to-Lead's daily limit per org, Marketo's daily quota), and when they will be sent. Key
 * `<offerId>|<quota account>`: route topics are keyed by the quota account, so one sink instance holds an account's
 * leads and writes its records; a tombstone when it holds none any more. A record whose `until` has passed is stale
 * (its writer stopped before it could say so): readers ignore it.
 */
export const QuotaWaitRecordSchema = z
  .object({
    offerId: OfferIdSchema,
    account: z.string().min(1).describe("The destination's quota account (the route-topic key), else the offer id"),
    destination: z.string().describe(`The destination type: ${DESTINATION_TYPES.join(', ')}`),
    leads: z.int().min(1).describe('Leads of the offer waiting for this quota now'),
    until: z.iso.datetime({ offset: true }).describe('When the last of them will be sent (the quota resets)'),
    errorClass: z.string().describe('Why they wait: the quota error class (docs/error-catalog.md)'),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .describe("An offer's leads a sink holds for a quota, and when they will be sent");

export type QuotaWaitRecord = z.infer<typeof QuotaWaitRecordSchema>;

export const QUOTA_WAIT_KEY_PATTERN = /^[^|]+\|.+$/;

export function quotaWaitKey(offerId: string, account: string): string {
  return `${offerId}|${account}`;
}
