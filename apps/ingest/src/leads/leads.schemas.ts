import { z } from 'zod';
import { LeadSchema } from '@leadflow/lead-model';
import { ProblemSchema } from '../http/problem.schemas';

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
  results: z.array(z.union([LeadAcceptedSchema, ProblemSchema])).describe('One result per item, in order'),
});

/*
 * Documentation of the two non-canonical input shapes. lead-model maps them by hand (case-insensitive
 * names, "Source-Action|Offer" strings) into the canonical lead, which LeadSchema then validates; these
 * schemas describe what a producer may send and are not used for validation.
 */
export const MarketplaceLeadSchema = z
  .object({
    UserDetails: z.object({
      FirstName: z.string(),
      LastName: z.string(),
      Email: z.string(),
      Phone: z.string().optional(),
      Country: z.string().optional(),
      Company: z.string().optional(),
      Title: z.string().optional(),
    }),
    LeadSource: z.string().describe('"AzureMarketplace" or "Source-Action|Offer"'),
    ActionCode: z.string().optional(),
    OfferTitle: z.string().optional(),
    Description: z.string().optional(),
  })
  .describe("The marketplace's HTTPS-endpoint body (property names case-insensitive)");

export const LegacyLeadSchema = z
  .object({
    first_name: z.string(),
    last_name: z.string(),
    email: z.string(),
    company: z.string().optional(),
    phone: z.string().optional(),
    title: z.string().optional(),
    country: z.string().optional(),
    description: z.string().optional(),
    lead_source: z.string().describe('"Source-Action|Offer"'),
  })
  .describe('The legacy flat form');

/** What the lead endpoints accept; leadId, occurredAt, isTest and piiSuppressed of the canonical form are optional. */
export const LeadInputSchema = z.union([LeadSchema, MarketplaceLeadSchema, LegacyLeadSchema]);

export const BatchRequestSchema = z.object({ leads: z.array(LeadInputSchema).min(1).max(MAX_BATCH_LEADS) });
