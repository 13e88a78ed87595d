import { z } from 'zod';
import { LeadIdSchema, OfferIdSchema } from './lead';
import { DeliveryReceiptSchema } from './receipt';

/**
 * `offers.status` (compacted): an offer's status as counted from ONE input partition (of `leads.delivered` or of a
 * `leads.dlq.<stage>` topic). Key `<offerId>|<input topic>|<input partition>`: each key has one writer, the
 * aggregator that owns that input partition, so a count is never written by two instances at once. A reader sums
 * an offer's records. The topic holds offers × input partitions records, whatever the number of leads.
 */
export const OFFER_STATUS_KEY_PATTERN = /^[^|]+\|[^|]+\|[0-9]+$/;

/** How many validation outcomes one record keeps (the newest; the current version's is among them). */
export const MAX_STATUS_VALIDATIONS = 8;

export const ValidationOutcomeSchema = z
  .object({
    leadId: LeadIdSchema.describe('The validation lead (isTest) this outcome is of'),
    status: z.enum(['passed', 'failed']),
    checkedAt: z.iso.datetime({ offset: true }).describe('When it was delivered or dead-lettered'),
    errorClass: z.string().optional().describe('failed: the error class (docs/error-catalog.md)'),
    remediation: z.string().optional().describe("failed: the dead letter's remediation header"),
  })
  .describe('The outcome of one validation lead on this input partition');

export const OfferStatusRecordSchema = z
  .object({
    offerId: OfferIdSchema,
    input: z
      .object({ topic: z.string().min(1), partition: z.int().min(0) })
      .describe('The input partition this record counts (leads.delivered or a leads.dlq.<stage> topic)'),
    offset: z
      .string()
      .regex(/^[0-9]+$/)
      .describe('The input offset after the last record counted (the aggregator commits it in the same transaction)'),
    deadLetters: z.int().min(0).describe("The offer's dead letters on this input partition since counting began"),
    lastDelivery: DeliveryReceiptSchema.optional().describe("The offer's latest receipt on this input partition"),
    validations: z
      .array(ValidationOutcomeSchema)
      .max(MAX_STATUS_VALIDATIONS)
      .describe(
        `The newest validation outcomes on this input partition, oldest first (at most ${MAX_STATUS_VALIDATIONS})`,
      ),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .describe("An offer's status counted from one input partition; a reader sums the offer's records");

export type OfferStatusRecord = z.infer<typeof OfferStatusRecordSchema>;
export type ValidationOutcomeRecord = z.infer<typeof ValidationOutcomeSchema>;

/** The record key of an offer's status counted from one input partition. */
export function offerStatusKey(offerId: string, topic: string, partition: number): string {
  return `${offerId}|${topic}|${partition}`;
}
