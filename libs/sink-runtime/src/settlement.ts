import type { KafkaMessage, Message, Producer } from 'kafkajs';
import { Coalescer } from '@leadflow/kafka';
import {
  deadLetterHeaders,
  dlqCategory,
  readHeaders,
  type DeliveryReceipt,
  type DestinationType,
  type Lead,
  type LeadflowError,
} from '@leadflow/lead-model';
import type { Logger } from '@leadflow/observability';
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
        const byTopic = new Map<string, Message[]>();
        for (const { topic, message } of items) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
        await o.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      },
    });
  }

  async delivered(lead: Lead, attempts: number, result: DeliveryResult, takenAt: number): Promise<void> {
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
    await this.outbox.submit({
      topic: this.o.topics.delivered,
      message: { key: lead.offerId, value: JSON.stringify(receipt) },
    });
    this.o.metrics.delivered.inc({ sink: this.o.sinkType });
    this.o.metrics.latency.observe({ sink: this.o.sinkType }, (Date.now() - takenAt) / 1000);
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
    await this.outbox.submit({
      topic: this.o.topics.deadLetter,
      message: { key: r.message.key, value: r.message.value, headers },
    });
    this.o.metrics.deadLettered.inc({ sink: this.o.sinkType, error_class: f.error.code, category });
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
