import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { headersToStrings, trackConsumerLag } from '@leadflow/kafka';
import type { Logger } from '@leadflow/observability';
import { decodeDeadLetter, decodeReceipt } from './status-events';
import type { DeliveryEvent, OfferStatusIndex } from './status-index';

export interface StatusConsumerOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly index: OfferStatusIndex;
  readonly deliveredTopic: string;
  /** Dead-letter topic of every stage, by stage. */
  readonly deadLetterTopics: Readonly<Record<string, string>>;
  /** Told of every delivery receipt after the index recorded it (auto-replay listens here). */
  readonly onDelivery?: (receipt: DeliveryEvent) => void;
  /** Where its consumer lag is reported (group `leadflow-ingest-status`: each instance's own group, one name). */
  readonly registry?: Registry;
}

/**
 * Feeds the status index from `leads.delivered` and every dead-letter topic. Each instance reads the
 * whole retention in a group of its own (and never commits): every instance must be able to answer
 * about every offer, and a restart rebuilds the index from the topics.
 */
export class StatusConsumer {
  private readonly consumer: Consumer;
  private readonly stageOf: ReadonlyMap<string, string>;
  private runningFlag = false;

  constructor(private readonly options: StatusConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: `leadflow-ingest-status-${hostname()}-${randomBytes(4).toString('hex')}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // Short fetch waits: status is read near-live, and a disconnect at shutdown does not wait 5 s.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
    });
    if (options.registry) trackConsumerLag(this.consumer, options.registry, 'leadflow-ingest-status');
    this.stageOf = new Map(Object.entries(options.deadLetterTopics).map(([stage, topic]) => [topic, stage]));
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.runningFlag = false;
      this.options.logger.error({ err: e.payload.error, restart: e.payload.restart }, 'status consumer crashed');
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.runningFlag = true;
    });
  }

  /** True once the consumer joined its group and is reading. */
  get running(): boolean {
    return this.runningFlag;
  }

  async start(): Promise<void> {
    const topics = [this.options.deliveredTopic, ...Object.values(this.options.deadLetterTopics)];
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics, fromBeginning: true });
    } catch (err) {
      // Leave a clean consumer behind, so the caller may try again (e.g. once missing topics exist).
      await this.consumer.disconnect().catch(() => undefined);
      throw err;
    }
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        const value = message.value?.toString('utf8') ?? null;
        if (topic === this.options.deliveredTopic) {
          const receipt = decodeReceipt(value);
          if (receipt) {
            this.options.index.recordDelivery(receipt);
            this.options.onDelivery?.(receipt);
          }
          return;
        }
        const stage = this.stageOf.get(topic);
        if (stage === undefined) return;
        const dead = decodeDeadLetter(
          stage,
          message.key?.toString('utf8') ?? null,
          value,
          headersToStrings(message.headers),
        );
        if (dead) this.options.index.recordDeadLetter(dead);
      },
    });
  }

  async stop(): Promise<void> {
    this.runningFlag = false;
    await this.consumer.disconnect().catch(() => undefined);
  }
}
