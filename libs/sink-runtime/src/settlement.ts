import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { KafkaMessage, Message, Producer } from 'kafkajs';
import { Coalescer } from '@leadflow/kafka';
import {
  deadLetterHeaders,
  dlqCategory,
  Headers,
  readHeaders,
  type DeliveryReceipt,
  type DestinationType,
  type Lead,
  type LeadflowError,
} from '@leadflow/lead-model';
import { endSpan, startSendSpan, type Logger } from '@leadflow/observability';
import type { SinkMetrics } from './metrics';
import type { DeliveryResult } from './sink.port';
import type { SinkTopics } from './sink-topics';

/** The record a lead came in, as the dead letter needs it (value and headers byte for byte). */
export interface TakenRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  /**
   * Aborted when this instance no longer owns the record's partition: the new owner replays the lead, so this one
   * stops attempting it (a quota must not be spent twice for one account, by two instances).
   */
  readonly lease?: AbortSignal;
  /** No attempt before this time (epoch ms): the partition was newly gained and the sink asks for a handover. */
  readonly notBefore?: number;
}

/** Why a lead goes to the dead-letter topic. */
export interface Failure {
  readonly error: LeadflowError;
  readonly attempts: number;
  readonly exhausted: boolean;
  readonly version?: number;
}

export interface SettlementOptions {
  readonly producer: Producer;
  readonly topics: SinkTopics;
  readonly sinkName: string;
  readonly sinkType: DestinationType;
  readonly metrics: SinkMetrics;
  readonly logger: Logger;
  readonly now: () => Date;
}

/**
 * When ingest accepted the lead (its `leadflow.accepted.at` header), for the delivery latency. A replay's delay is the
 * analyst's, not the pipeline's: replays are left out, as are leads written to Kafka by other producers (no header).
 */
function acceptedAt(record: TakenRecord | undefined): number | undefined {
  if (!record) return undefined;
  const h = readHeaders(record.message.headers);
  if (h[Headers.replayOf]) return undefined;
  const at = Date.parse(h[Headers.acceptedAt] ?? '');
  return Number.isFinite(at) ? at : undefined;
}

/** Ends a record's send span once the broker answered. */
async function sent(acked: Promise<void>, span: Span): Promise<void> {
  try {
    await acked;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
  endSpan(span);
}

/**
 * How a lead settles: a receipt on `leads.delivered`, or a dead letter with the contract's header set. Receipts
 * and dead letters of concurrent deliveries share produce requests (kafkajs sends each `send()` as its own
 * request, which would cap a sink at one round trip per lead). Each resolves once the broker acknowledged it:
 * only then may the lead's offset be committed.
 */
export class Settlement {
  private readonly outbox: Coalescer<{ topic: string; message: Message }>;

  constructor(private readonly o: SettlementOptions) {
    this.outbox = new Coalescer({
      lingerMs: 2,
      maxBatch: 500,
      flush: async (items) => {
        // Appended in place: copying the topic's list for each record made a flush of 500 receipts copy 125,000
        // entries (5 % of what a draining table sink allocated).
        const byTopic = new Map<string, Message[]>();
        for (const { topic, message } of items) {
          const messages = byTopic.get(topic);
          if (messages) messages.push(message);
          else byTopic.set(topic, [message]);
        }
        await o.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      },
    });
  }

  async delivered(
    lead: Lead,
    attempts: number,
    result: DeliveryResult,
    takenAt: number,
    record?: TakenRecord,
  ): Promise<void> {
    const receipt: DeliveryReceipt = {
      leadId: lead.leadId,
      offerId: lead.offerId,
      destination: this.o.sinkType,
      ...(result.externalId ? { externalId: result.externalId } : {}),
      ...(result.unconfirmed ? { unconfirmed: true } : {}),
      attempts,
      deliveredAt: this.o.now().toISOString(),
      isTest: lead.isTest,
      source: lead.source,
      action: lead.action,
      ...(lead.piiSuppressed ? { piiSuppressed: true } : {}),
    };
    const topic = this.o.topics.delivered;
    const send = startSendSpan(topic, context.active(), {}, lead.leadId);
    trace.getActiveSpan()?.setAttributes({ 'leadflow.outcome': 'delivered', 'leadflow.attempts': attempts });
    await sent(
      this.outbox.submit({
        topic,
        message: {
          key: lead.offerId,
          value: JSON.stringify(receipt),
          ...(send.traceparent ? { headers: { [Headers.traceparent]: send.traceparent } } : {}),
        },
      }),
      send.span,
    );
    this.o.metrics.delivered.inc({ sink: this.o.sinkType });
    this.o.metrics.latency.observe({ sink: this.o.sinkType }, (Date.now() - takenAt) / 1000);
    const accepted = acceptedAt(record);
    if (accepted !== undefined) {
      this.o.metrics.deliveryLatency.observe(
        { destination_type: this.o.sinkType },
        Math.max(0, (Date.now() - accepted) / 1000),
      );
    }
  }

  async deadLettered(r: TakenRecord, f: Failure): Promise<void> {
    const category = dlqCategory(f.error.code, f.exhausted);
    const message = f.error.code === 'INTERNAL.UNEXPECTED' && f.error.stack ? f.error.stack : f.error.message;
    const headers = deadLetterHeaders({
      original: readHeaders(r.message.headers),
      errorClass: f.error.code,
      category,
      message,
      originalTopic: r.topic,
      partition: r.partition,
      offset: r.message.offset,
      sink: this.o.sinkName,
      attempts: f.attempts,
      failedAt: this.o.now(),
      ...(f.version !== undefined ? { destinationVersion: f.version } : {}),
    });
    // The dead letter carries its send span's context: a replay of it continues the lead's trace from here.
    const topic = this.o.topics.deadLetter;
    const send = startSendSpan(
      topic,
      context.active(),
      { 'leadflow.error.class': f.error.code },
      headers[Headers.ceId],
    );
    if (send.traceparent) headers[Headers.traceparent] = send.traceparent;
    const processing = trace.getActiveSpan();
    processing?.setAttributes({
      'leadflow.outcome': 'dead-lettered',
      'leadflow.error.class': f.error.code,
      'leadflow.attempts': f.attempts,
      'error.type': f.error.code,
    });
    processing?.setStatus({ code: SpanStatusCode.ERROR, message: f.error.code });
    await sent(
      this.outbox.submit({
        topic,
        message: { key: r.message.key, value: r.message.value, headers },
      }),
      send.span,
    );
    this.o.metrics.deadLettered.inc({ sink: this.o.sinkType, error_class: f.error.code, category });
    this.o.metrics.deadLetters.inc({ stage: this.o.sinkType, error_class: f.error.code, category });
    this.o.logger.warn(
      {
        errorClass: f.error.code,
        category,
        attempts: f.attempts,
        topic: r.topic,
        partition: r.partition,
        offset: r.message.offset,
      },
      'lead dead-lettered',
    );
  }

  /** Sends what is pending at once and waits for the acknowledgements; refuses new receipts after. */
  close(): Promise<void> {
    return this.outbox.close();
  }
}
