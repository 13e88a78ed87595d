import { z } from 'zod';
import { ERROR_CATALOG, ERROR_CATEGORIES, type ErrorClass } from './errors';
import { Headers, LEAD_EVENT_TYPE, MAX_ERROR_MESSAGE } from './headers';
import { LeadIdSchema } from './lead';
import { DEAD_LETTER_POSITION_PATTERN } from './replay-ledger';

/**
 * The record header sets of the contract as schemas (header values are UTF-8 strings): what the AsyncAPI
 * document (docs/asyncapi.yaml) states. The names come from {@link Headers}; the writers are
 * `leadCloudEventHeaders`, `deadLetterHeaders` and libs/dead-letters' replay.
 */

/** W3C trace context, version 00. */
export const TRACEPARENT_PATTERN = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const traceparent = z
  .string()
  .regex(TRACEPARENT_PATTERN)
  .describe("W3C trace context: the caller's or the active span's, when there is one");
const time = z.iso.datetime({ offset: true });

/** CloudEvents 1.0, Kafka protocol binding, binary content mode: the lead is the value, its attributes `ce_*` headers. */
export const LeadCloudEventHeadersSchema = z
  .object({
    [Headers.ceSpecVersion]: z.literal('1.0'),
    [Headers.ceId]: LeadIdSchema.describe('The lead id'),
    [Headers.ceSource]: z
      .string()
      .min(1)
      .describe('`/leadflow/ingest`; the router writes `/leadflow/router` on a record that came without one'),
    [Headers.ceType]: z.literal(LEAD_EVENT_TYPE),
    [Headers.ceTime]: time.describe("The lead's occurredAt"),
    [Headers.contentType]: z.literal('application/json'),
    [Headers.traceparent]: traceparent.optional(),
    [Headers.acceptedAt]: time
      .optional()
      .describe('When ingest accepted the lead (its 202): the start of the delivery latency the sinks measure'),
  })
  .describe('CloudEvents binary-mode headers of a lead record, and the W3C trace context');

/** What a producer writing straight to `leads.ingested` may send: every header optional, each used when present. */
export const DirectProducerHeadersSchema = z
  .object({
    [Headers.ceSpecVersion]: z.literal('1.0').optional(),
    [Headers.ceId]: LeadIdSchema.optional().describe('The lead id when the body has none'),
    [Headers.ceSource]: z.string().min(1).optional(),
    [Headers.ceType]: z.literal(LEAD_EVENT_TYPE).optional(),
    [Headers.ceTime]: time.optional().describe("The lead's occurredAt when the body has none"),
    [Headers.contentType]: z.literal('application/json').optional(),
    [Headers.traceparent]: traceparent.optional(),
  })
  .describe(
    'Optional CloudEvents headers of a record on leads.ingested (the router completes them on its route topic)',
  );

const replayed = {
  [Headers.replayOf]: z
    .string()
    .regex(DEAD_LETTER_POSITION_PATTERN)
    .optional()
    .describe('A replayed record: the dead letter it replays, `<dlq topic>/<partition>/<offset>`'),
  [Headers.replayAt]: time.optional().describe('A replayed record: when it was replayed'),
  [Headers.replayBy]: z.string().optional().describe('A replayed record: who replayed it'),
};

/** The replay headers a record on `leads.ingested` carries when it is a replayed dead letter. */
export const ReplayHeadersSchema = z.object(replayed).describe('Headers of a replayed dead letter');

const ERROR_CLASSES = Object.keys(ERROR_CATALOG) as [ErrorClass, ...ErrorClass[]];

/** The set a dead letter adds to the original record's headers (`deadLetterHeaders`). */
export const DeadLetterHeadersSchema = z
  .object({
    // The original record's headers ride along; this one is the lead's acceptance time, kept for the latency.
    [Headers.acceptedAt]: time.optional().describe("The original record's: when ingest accepted the lead"),
    [Headers.errorClass]: z.enum(ERROR_CLASSES).describe('A code of the error catalog (docs/error-catalog.md)'),
    [Headers.errorCategory]: z.enum(ERROR_CATEGORIES),
    [Headers.errorMessage]: z
      .string()
      .max(MAX_ERROR_MESSAGE + 1)
      .describe('What the destination said, secrets and personal data scrubbed; for INTERNAL.UNEXPECTED the stack'),
    [Headers.errorRemediation]: z.string().describe("The catalog's remediation for the class"),
    [Headers.originalTopic]: z.string().describe('Where the record was consumed'),
    [Headers.originalPartition]: z.string().regex(/^[0-9]+$/),
    [Headers.originalOffset]: z.string().regex(/^[0-9]+$/),
    [Headers.sink]: z.string().describe('Who gave up: `router`, or the sink service (`table-sink`, …)'),
    [Headers.attempts]: z
      .string()
      .regex(/^[0-9]+$/)
      .describe('Delivery attempts made (0: the destination was never called for it; 1 from the router)'),
    [Headers.failedAt]: time,
    [Headers.destinationVersion]: z
      .string()
      .regex(/^[0-9]+$/)
      .optional()
      .describe('The offer configuration version that failed (absent when there was none)'),
  })
  .describe("The dead-letter headers, added to the original record's own (ce_*, traceparent, …)");
