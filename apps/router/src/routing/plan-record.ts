import type { IHeaders } from 'kafkajs';
import { deadLetterHeaders, dlqCategory, type OfferDestinationRecord } from '@leadflow/lead-model';
import { headersToStrings } from '@leadflow/kafka';
import type { InboundRecord, OutboundRecord } from './records';
import { decodeLead } from './decode-lead';
import { route, type RouteDecision } from './route';
import type { RouterTopics } from './router-topics';

export interface PlanContext {
  readonly topics: RouterTopics;
  readonly lookup: (offerId: string) => OfferDestinationRecord | undefined;
  readonly now: () => Date;
}

/** The routing decision for one inbound record (pure given the lookup). */
export function decide(record: InboundRecord, ctx: PlanContext): RouteDecision {
  const parsed = decodeLead(record, ctx.now());
  return route(parsed, parsed.ok ? ctx.lookup(parsed.lead.offerId) : undefined, ctx.topics);
}

/**
 * The record to write for `record` under `decision`. A routed lead keeps its key, value bytes and
 * headers (CloudEvents, traceparent) untouched, unless it had to be rewritten to the canonical form (another
 * input shape, a `.edu` customer, CloudEvents headers missing). A dead letter keeps them too and adds the
 * `leadflow.*` error headers, so an analyst can read why and replay the original as it was.
 */
export function outboundFor(record: InboundRecord, decision: RouteDecision, ctx: PlanContext): OutboundRecord {
  if (decision.kind === 'route') {
    return {
      topic: decision.topic,
      key: decision.key !== undefined ? Buffer.from(decision.key) : record.key,
      value: decision.rewrite?.value ?? record.value,
      headers: decision.rewrite?.headers ?? record.headers ?? {},
      outcome: { kind: 'route', destinationType: decision.destinationType },
    };
  }
  const headers: IHeaders = deadLetterHeaders({
    original: headersToStrings(record.headers),
    errorClass: decision.errorClass,
    category: dlqCategory(decision.errorClass, false),
    message: decision.message,
    originalTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    sink: 'router',
    attempts: 1,
    failedAt: ctx.now(),
    ...(decision.destinationVersion !== undefined ? { destinationVersion: decision.destinationVersion } : {}),
  });
  return {
    topic: ctx.topics.deadLetter,
    key: record.key,
    value: record.value,
    headers,
    outcome: { kind: 'dead-letter', errorClass: decision.errorClass },
  };
}
