import { z } from 'zod';

/** Response documentation of the destination endpoints (the request is lead-model's DestinationSchema). */
const Masked = z.record(z.string(), z.unknown()).describe('The destination with every secret field replaced by "***"');

export const DestinationViewSchema = z.object({
  offerId: z.string(),
  version: z.number().int(),
  destination: Masked,
  leadUrl: z.string().describe("The offer's signed lead URL: POST leads there without a token"),
  updatedAt: z.string(),
});

export const DestinationSavedSchema = z.object({
  offerId: z.string(),
  version: z.number().int(),
  destination: Masked,
  leadUrl: z.string(),
  validation: z.object({ status: z.literal('pending'), testLeadId: z.string() }),
});

export const OfferStatusSchema = z.object({
  offerId: z.string(),
  version: z.number().int(),
  validation: z.object({
    status: z.enum(['pending', 'passed', 'failed']),
    testLeadId: z.string(),
    errorClass: z.string().optional(),
    remediation: z.string().optional(),
    checkedAt: z.string().optional(),
  }),
  lastDelivery: z
    .object({
      leadId: z.string(),
      offerId: z.string(),
      destination: z.string(),
      externalId: z.string().optional(),
      attempts: z.number().int(),
      deliveredAt: z.string(),
      isTest: z.boolean(),
    })
    .optional(),
  deadLetters: z.number().int().optional(),
  autoReplay: z
    .object({ version: z.number().int(), replayed: z.number().int(), at: z.string().optional() })
    .optional()
    .describe('The last auto-replay: the validated version that started it, how many dead letters, when'),
  quotaWaits: z
    .array(
      z.object({
        destination: z.string().describe('The destination type'),
        leads: z.number().int().describe('Leads of the offer waiting for this quota now'),
        until: z.string().describe('When the last of them will be sent (the quota resets)'),
        errorClass: z.string().describe('The quota error class (docs/error-catalog.md)'),
      }),
    )
    .optional()
    .describe("Leads a sink holds for a destination's quota (Web-to-Lead's daily limit, Marketo's daily quota)"),
});
