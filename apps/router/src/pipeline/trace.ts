import type { Span } from '@opentelemetry/api';
import { headersToStrings } from '@leadflow/kafka';
import { Headers } from '@leadflow/lead-model';
import { endSpan, startProcessSpan, startSendSpan } from '@leadflow/observability';
import type { InboundRecord, OutboundRecord } from '../routing/records';

/** A planned record's spans: `process leads.ingested` and its `send <route or dead-letter topic>`. */
interface RecordSpans {
  readonly process: Span;
  readonly send: Span;
}

/**
 * The router's spans, made by hand: a batch is one Kafka transaction, so the record's spans open when its batch is
 * planned and end when the transaction commits (the time a lead spent in the router, transaction included). Per
 * record: `process leads.ingested` (parent: the lead's `send leads.ingested`) and, inside it, `send <topic>` whose
 * context becomes the routed record's `traceparent` (the sink continues from it). A batch that aborts is read and
 * planned again with new spans; the aborted attempt's spans are never ended, so never exported.
 */
export class RouterTracing {
  private readonly open = new WeakMap<OutboundRecord, RecordSpans>();

  constructor(private readonly groupId: string) {}

  /** Wraps planning: the outbound records come back carrying their send span's `traceparent`. */
  async plan(
    records: readonly InboundRecord[],
    plan: (records: readonly InboundRecord[]) => Promise<OutboundRecord[]>,
  ): Promise<OutboundRecord[]> {
    const processing = records.map((r) => {
      const h = headersToStrings(r.headers);
      return startProcessSpan(
        { ...r, traceparent: h[Headers.traceparent], leadId: h[Headers.ceId] },
        this.groupId,
        h[Headers.replayOf] ? { 'leadflow.replay': true } : {},
      );
    });
    const out = await plan(records);
    // planBatch answers one outbound record per inbound record, in order.
    return out.map((o, i) => {
      const p = processing[i];
      if (!p) return o;
      const outcome =
        o.outcome.kind === 'route'
          ? { 'leadflow.outcome': 'routed', 'leadflow.destination.type': o.outcome.destinationType }
          : { 'leadflow.outcome': 'dead-lettered', 'leadflow.error.class': o.outcome.errorClass };
      p.span.setAttributes(outcome);
      const leadId = headersToStrings(o.headers)[Headers.ceId];
      const { span, traceparent } = startSendSpan(o.topic, p.context, {}, leadId);
      const traced: OutboundRecord = traceparent
        ? { ...o, headers: { ...o.headers, [Headers.traceparent]: traceparent } }
        : o;
      this.open.set(traced, { process: p.span, send: span });
      return traced;
    });
  }

  /** The transaction committed: the records' spans end. */
  committed(records: readonly OutboundRecord[]): void {
    for (const r of records) {
      const spans = this.open.get(r);
      if (!spans) continue;
      endSpan(spans.send);
      endSpan(spans.process);
      this.open.delete(r);
    }
  }
}
