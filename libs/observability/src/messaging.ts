import {
  context,
  propagation,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { contextFromTraceparent, tracer } from './tracing';

/**
 * Hand-made Kafka spans after the OpenTelemetry messaging conventions (`send <topic>` PRODUCER, `process <topic>`
 * CONSUMER; `messaging.*` attributes set at start, so a sampler sees them).
 *
 * Why not `@opentelemetry/instrumentation-kafkajs`: leadflow's producers coalesce many leads (of many traces) into
 * one produce request or one transaction, so a `send` span made around the client call would parent every record
 * of the request on whichever lead happened to flush it; its `eachBatch` spans start a fresh `poll` trace per fetch
 * (the router and the sinks consume by batch); and it patches kafkajs when it is required, which a bundled service
 * has done before tracing starts. Here each record gets its own spans, in its own lead's trace.
 */

/** One consumed record, as its process span needs it. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The record's `traceparent` header: the context it was produced in (its send span). */
  readonly traceparent?: string | undefined;
  /** The lead's id (`ce_id`), when known: `messaging.message.id` and `leadflow.lead.id`. */
  readonly leadId?: string | undefined;
}

const BASE: Attributes = { 'messaging.system': 'kafka' };

/**
 * `process <topic>` for one record, a CONSUMER span whose parent is the record's producer (`traceparent`): each
 * record is processed on its own, so the conventions allow the creation context as parent, which keeps a lead's
 * hops in one trace (a link would start a trace per hop). Returns the span and the context to run the work in.
 */
export function startProcessSpan(
  record: ConsumedRecord,
  group: string,
  attributes: Attributes = {},
): { span: Span; context: Context } {
  const parent = contextFromTraceparent(record.traceparent);
  const span = tracer().startSpan(
    `process ${record.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...BASE,
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': record.topic,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': Number(record.offset),
        'messaging.consumer.group.name': group,
        ...leadAttributes(record.leadId),
        ...attributes,
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * `send <topic>` for one record, a PRODUCER span child of `parent` (the lead's work). Its context is the record's
 * creation context: the returned `traceparent` goes into the record's headers, so the next hop continues from it.
 * `links` name work of another trace that caused the send (a replay run).
 */
export function startSendSpan(
  topic: string,
  parent: Context,
  attributes: Attributes = {},
  leadId?: string,
  links: readonly Link[] = [],
): { span: Span; traceparent: string | undefined } {
  const span = tracer().startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      ...(links.length > 0 ? { links: [...links] } : {}),
      attributes: {
        ...BASE,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': topic,
        ...leadAttributes(leadId),
        ...attributes,
      },
    },
    parent,
  );
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  return { span, traceparent: carrier['traceparent'] };
}

/**
 * A span for an operation over many leads that is no lead's own (a replay run): a root span, or a child of the
 * active one (a command's). Each record it produces stays in its lead's trace and links to it through `link`.
 */
export function startOperationSpan(name: string, attributes: Attributes = {}): { span: Span; link: Link } {
  const span = tracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes }, context.active());
  return { span, link: { context: span.spanContext() } };
}

/** A link to the span a context holds (a batch call links each of its leads' spans). */
export function linkTo(ctx: Context, attributes?: Attributes): Link | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc ? { context: sc, ...(attributes ? { attributes } : {}) } : undefined;
}

/** The active context, for work that will continue elsewhere (a lead queued for a batch call). */
export const activeContext = (): Context => context.active();

function leadAttributes(leadId: string | undefined): Attributes {
  return leadId ? { 'messaging.message.id': leadId, 'leadflow.lead.id': leadId } : {};
}
