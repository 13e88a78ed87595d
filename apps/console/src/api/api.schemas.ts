import { z } from 'zod';
import { DLQ_STAGES, ERROR_CATEGORIES, LIMITS, OFFER_ID_PATTERN } from '@leadflow/lead-model';

/**
 * The console API's request and response shapes. Handlers validate requests with these and type their answers
 * with them; the OpenAPI document (openapi.ts) is generated from the same schemas.
 */

const text = (max: number) => z.string().max(max);
export const OfferIdSchema = z.string().min(1).max(LIMITS.offerId).regex(OFFER_ID_PATTERN);
export const LeadIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits, ".", "_", ":" or "-"');

/** A replay or list filter as typed in the page: comma-separated lists, times as RFC 3339 or an age (2h, 7d). */
export const FilterSchema = z
  .object({
    stage: text(200)
      .optional()
      .describe(`comma-separated: ${DLQ_STAGES.join(', ')}`),
    class: text(2_000).optional().describe('comma-separated error classes, or a family: TABLE.*'),
    category: text(200)
      .optional()
      .describe(`comma-separated: ${ERROR_CATEGORIES.join(', ')}`),
    offer: text(4_000).optional().describe('comma-separated offer ids'),
    since: text(64).optional().describe('failed at or after: RFC 3339, or an age such as 30m, 2h, 7d'),
    until: text(64).optional().describe('failed before: RFC 3339, or an age'),
  })
  .strict();

export const ReplayPreviewRequestSchema = z
  .object({
    filter: FilterSchema,
    all: z.boolean().optional().describe('an empty filter selects nothing unless this is true'),
  })
  .strict();

export const ReplayStartRequestSchema = z
  .object({
    filter: FilterSchema,
    all: z.boolean().optional(),
    confirm: z.literal(true).describe('the page asks the analyst to confirm a dry run first'),
    rate: z.number().int().min(1).max(100_000).optional().describe('most leads per second'),
  })
  .strict();

export const EmailSearchRequestSchema = z.object({ email: z.string().min(3).max(320) }).strict();

/** A list's filter travels in the URL: each field at most this long (the OpenAPI document states the same limit). */
export const QUERY_FIELD_MAX = 64;
const queryField = text(QUERY_FIELD_MAX).optional();

export const DeadLetterListQuerySchema = FilterSchema.extend({
  stage: queryField,
  class: queryField,
  category: queryField,
  offer: queryField,
  since: queryField,
  until: queryField,
  limit: z.coerce.number().int().min(1).max(500).optional(),
}).strict();

const Iso = z.string().describe('RFC 3339');

export const DeadLetterSchema = z.object({
  id: z.string().describe('<dlq topic>/<partition>/<offset>'),
  stage: z.string(),
  leadId: z.string().optional(),
  offerId: z.string().optional(),
  errorClass: z.string(),
  category: z.string(),
  message: z.string(),
  remediation: z.string(),
  failedAt: Iso,
  at: z.number(),
  attempts: z.number().optional(),
  sink: z.string().optional(),
  destinationVersion: z.number().optional(),
  isTest: z.boolean(),
  replayed: z.object({ at: Iso, by: z.string() }).nullable(),
});

const GroupSchema = z.object({
  stage: z.string(),
  errorClass: z.string(),
  category: z.string(),
  offerId: z.string(),
  remediation: z.string(),
  count: z.number().int(),
  replayed: z.number().int(),
  oldest: Iso,
  newest: Iso,
});

const ValidationSchema = z.object({
  leadId: z.string(),
  status: z.enum(['passed', 'failed']),
  at: Iso,
  errorClass: z.string().optional(),
  remediation: z.string().optional(),
});

const Bucket = z.object({ start: Iso, count: z.number().int() });

export const OverviewSchema = z.object({
  ready: z.boolean().describe('false while the index is still reading the topics'),
  deadLetters: z.object({ total: z.number().int(), replayed: z.number().int(), groups: z.array(GroupSchema) }),
  trend: z.object({ last24h: z.array(Bucket), last7d: z.array(Bucket) }),
  delivered: z.array(z.object({ destination: z.string(), count: z.number().int() })),
  failedValidations: z.array(ValidationSchema.extend({ offerId: z.string() })),
});

const DeliverySchema = z.object({
  leadId: z.string(),
  at: z.number(),
  destination: z.string(),
  externalId: z.string().optional(),
  attempts: z.number(),
  isTest: z.boolean(),
});

export const OfferSchema = z.object({
  offerId: z.string(),
  destination: z
    .object({
      version: z.number().int(),
      updatedAt: Iso,
      type: z.string(),
      settings: z.record(z.string(), z.unknown()).describe('the destination with every secret replaced by ***'),
      autoReplay: z.boolean(),
    })
    .nullable(),
  versions: z.array(z.object({ version: z.number().int(), updatedAt: Iso, type: z.string().nullable() })),
  validation: ValidationSchema.nullable(),
  delivered: z.number().int(),
  deadLetters: z.number().int(),
  recentDeliveries: z.array(DeliverySchema),
  recentDeadLetters: z.array(DeadLetterSchema),
  autoReplays: z.array(
    z.object({ replayOf: z.string(), replayedAt: Iso, by: z.string(), leadId: z.string().optional() }),
  ),
  quotaWaits: z
    .array(
      z.object({
        destination: z.string().describe('the destination type whose quota is spent'),
        leads: z.number().int().describe('leads of this offer a sink holds now'),
        until: Iso.describe('when the last of them will be sent (the quota resets)'),
        errorClass: z.string().describe('why they wait: the quota error class'),
        updatedAt: Iso.describe('when the sink last said so'),
      }),
    )
    .describe(
      "leads held for a destination's quota, the wait ending first first; a wait whose time passed is left out",
    ),
});

export const OfferListSchema = z.object({
  offers: z.array(
    z.object({
      offerId: z.string(),
      type: z.string().nullable(),
      version: z.number().int().nullable(),
      delivered: z.number().int(),
      deadLetters: z.number().int(),
    }),
  ),
});

export const HistoryStepSchema = z.object({
  kind: z.enum(['accepted', 'replayed-in', 'routed', 'delivered', 'dead-lettered', 'replayed']),
  at: Iso,
  title: z.string(),
  detail: z.string(),
  offerId: z.string().optional(),
  deadLetter: DeadLetterSchema.optional(),
  externalId: z.string().optional(),
  by: z.string().optional(),
  traceUrl: z.string().optional(),
});

export const LeadHistorySchema = z.object({
  leadId: z.string(),
  offerId: z.string().nullable(),
  state: z.enum(['delivered', 'dead-lettered', 'replayed', 'in-flight']),
  steps: z.array(HistoryStepSchema),
  traceUrl: z.string().nullable(),
});

export const RevealSchema = z.object({
  leadId: z.string(),
  revealedBy: z.string(),
  leads: z.array(z.object({ deadLetterId: z.string(), lead: z.unknown() })),
});

export const LeadSearchResultSchema = z.object({ leadIds: z.array(z.string()) });

export const ReplayPreviewSchema = z.object({
  matched: z.number().int(),
  alreadyReplayed: z.number().int(),
  wouldReplay: z.number().int(),
  sample: z.array(DeadLetterSchema).describe('up to 20 of those that would be replayed, newest first'),
});

export const ReplayJobSchema = z.object({
  id: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  by: z.string(),
  filter: FilterSchema,
  startedAt: Iso,
  finishedAt: Iso.nullable(),
  done: z.number().int(),
  total: z.number().int().nullable(),
  matched: z.number().int().nullable(),
  alreadyReplayed: z.number().int().nullable(),
  replayed: z.number().int().nullable(),
  error: z.string().nullable(),
});

export const DeadLetterListSchema = z.object({ deadLetters: z.array(DeadLetterSchema), total: z.number().int() });

export type Overview = z.infer<typeof OverviewSchema>;
export type OfferView = z.infer<typeof OfferSchema>;
export type LeadHistory = z.infer<typeof LeadHistorySchema>;
export type HistoryStepView = z.infer<typeof HistoryStepSchema>;
export type ReplayJobView = z.infer<typeof ReplayJobSchema>;
export type RawFilterBody = z.infer<typeof FilterSchema>;
