import { z } from 'zod';
import { leadInputSchemas } from '@leadflow/lead-model';
import { ProblemSchema } from '../common/problem.schemas';

/** Most leads in one batch request. */
export const MAX_BATCH_LEADS = 1_000;

/**
 * The batch envelope, as the handler validates it. Items are validated one by one by lead-model's
 * `parseLeadInput` (so that one bad item does not reject the others); the envelope bounds their number.
 */
export const BatchEnvelopeSchema = z.object({
  leads: z
    .array(z.unknown())
    .min(1, 'at least one lead is required')
    .max(MAX_BATCH_LEADS, `at most ${MAX_BATCH_LEADS} leads per batch`),
});

export const LeadAcceptedSchema = z.object({
  leadId: z.string().describe("The producer's own leadId, one derived from the Idempotency-Key, or a new UUIDv7"),
});

export const BatchResultSchema = z.object({
  results: z
    .array(z.union([LeadAcceptedSchema, ProblemSchema]))
    .describe(
      'One result per item, in order: the leadId of an accepted item, or the problem details (status 400, errors) of a refused one',
    ),
});

/** The input shapes, as lead-model validates them: with the offer in the body, and with the offer in the URL. */
const bodyOffer = leadInputSchemas({ from: 'body' });
const urlOffer = leadInputSchemas({ from: 'url' });

export const CanonicalLeadInputSchema = bodyOffer.canonical;
export const MarketplaceLeadInputSchema = bodyOffer.marketplace;
export const LegacyLeadInputSchema = bodyOffer.legacy;
export const CanonicalOfferLeadInputSchema = urlOffer.canonical;
export const MarketplaceOfferLeadInputSchema = urlOffer.marketplace;
export const LegacyOfferLeadInputSchema = urlOffer.legacy;

/** What `POST /v1/leads` accepts: any of the three shapes, the offer named in the body. */
export const LeadInputSchema = z.union([CanonicalLeadInputSchema, MarketplaceLeadInputSchema, LegacyLeadInputSchema]);

/** What `POST /v1/offers/{offerId}/leads` accepts: the offer is the URL's. */
export const OfferLeadInputSchema = z.union([
  CanonicalOfferLeadInputSchema,
  MarketplaceOfferLeadInputSchema,
  LegacyOfferLeadInputSchema,
]);

/** The batch request as documented: items are checked one by one, so an item may be anything. */
export const BatchRequestSchema = z.object({
  leads: z
    .array(
      z.union([
        LeadInputSchema,
        z.unknown().describe('Any other item is refused in place: its result is its problem details'),
      ]),
    )
    .min(1)
    .max(MAX_BATCH_LEADS),
});
