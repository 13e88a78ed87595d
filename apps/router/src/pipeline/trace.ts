import { trace, type Attributes } from '@opentelemetry/api';
import { contextFromTraceparent } from '@leadflow/observability';
import { Headers } from '@leadflow/lead-model';
import { headersToStrings } from '@leadflow/kafka';
import type { OutboundRecord } from '../routing/records';

const tracer = trace.getTracer('leadflow-router');

/**
 * One span per committed record, as a child of the lead's own trace (its `traceparent` header), so a
 * trace shows ingest, router and sink in order. The record's headers are forwarded unchanged.
 */
export function traceCommitted(records: readonly OutboundRecord[], startTime: Date): void {
  for (const r of records) {
    const traceparent = headersToStrings(r.headers)[Headers.traceparent];
    if (!traceparent) continue;
    const attributes: Attributes =
      r.outcome.kind === 'route'
        ? {
            'leadflow.outcome': 'routed',
            'leadflow.destination.type': r.outcome.destinationType,
            'messaging.destination.name': r.topic,
          }
        : {
            'leadflow.outcome': 'dead-lettered',
            'leadflow.error.class': r.outcome.errorClass,
            'messaging.destination.name': r.topic,
          };
    tracer.startSpan('router route', { startTime, attributes }, contextFromTraceparent(traceparent)).end();
  }
}
