import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { headersToStrings, trackConsumerLag } from '@leadflow/kafka';
import type { Logger } from '@leadflow/observability';
import type { ConsoleIndex } from './console-index';
import { roleOf, type ConsoleTopics } from './console-topics';
import {
  acceptedEvent,
  deadLetterEvent,
  deliveredEvent,
  ledgerEvent,
  routedEvent,
  type FeedRecord,
  type IndexEvent,
} from './index-events';

export interface IndexFeedOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly topics: ConsoleTopics;
  readonly index: ConsoleIndex;
  readonly hashEmail: (email: string) => string;
  /** Prefix of the feed's own consumer group (unique per instance, never committed, deleted at stop). */
  readonly groupPrefix: string;
  /** Every event applied once the index has caught up (live updates). */
  readonly onLive?: (ev: IndexEvent) => void;
  /**
   * Where the feed reports its consumer lag (`leadflow_kafka_consumer_lag_records`), under `groupPrefix`: the
   * group itself is unique per start, and a label must stay bounded.
   */
  readonly registry?: Registry;
}

/**
 * Feeds the index from the topics: reads them from the beginning under a consumer group of its own (it commits
 * nothing, so it never shares partitions with another console and never touches a service's group), then
 * follows them. `start()` resolves once every partition reached the end it had when the feed started.
 */
export class IndexFeed {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private groupId = '';
  private caughtUp = false;
  private readonly pending = new Map<string, bigint>();

  constructor(private readonly o: IndexFeedOptions) {}

  get ready(): boolean {
    return this.caughtUp;
  }

  async start(): Promise<{ topics: number; ms: number }> {
    const t0 = Date.now();
    const { kafka, topics } = this.o;
    const admin = kafka.admin();
    await admin.connect();
    this.admin = admin;
    const followed = (await admin.listTopics()).filter((t) => roleOf(topics, t) !== undefined).sort();
    for (const topic of followed) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) this.pending.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
    this.groupId = `${this.o.groupPrefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const consumer = kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    if (this.o.registry) trackConsumerLag(consumer, this.o.registry, this.o.groupPrefix);
    let caughtUp!: () => void;
    let failed!: (err: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      caughtUp = resolve;
      failed = reject;
    });
    const reached = (key: string, lastOffset: string) => {
      const end = this.pending.get(key);
      if (end !== undefined && BigInt(lastOffset) + 1n >= end) {
        this.pending.delete(key);
        if (this.pending.size === 0) caughtUp();
      }
    };
    // Batches made only of control records (transaction markers) never reach eachBatch; this event sees them.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      reached(`${payload.topic}:${payload.partition}`, payload.lastOffset),
    );
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.o.logger.error({ err: payload.error, restart: payload.restart }, 'index feed crashed');
      if (!payload.restart) failed(payload.error);
    });
    if (this.pending.size === 0) caughtUp();
    await consumer.connect();
    if (followed.length > 0) {
      await consumer.subscribe({ topics: followed, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch, heartbeat }) => {
          let n = 0;
          for (const m of batch.messages) {
            this.applyRecord({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key,
              value: m.value,
              headers: headersToStrings(m.headers),
              timestamp: m.timestamp,
            });
            if (++n % 5_000 === 0) await heartbeat();
          }
        },
      });
    }
    await done;
    this.caughtUp = true;
    const ms = Date.now() - t0;
    this.o.logger.info({ topics: followed.length, ms, ...this.o.index.stats() }, 'index caught up');
    return { topics: followed.length, ms };
  }

  private applyRecord(r: FeedRecord): void {
    const role = roleOf(this.o.topics, r.topic);
    if (!role) return;
    let ev: IndexEvent | undefined;
    switch (role.role) {
      case 'dead-letters':
        ev = deadLetterEvent(role.stage, r, this.o.hashEmail);
        break;
      case 'ingested':
        ev = acceptedEvent(r, this.o.hashEmail);
        break;
      case 'route':
        ev = routedEvent(r);
        break;
      case 'delivered':
        ev = deliveredEvent(r);
        break;
      case 'ledger':
        ev = ledgerEvent(r);
        break;
    }
    if (!ev) return;
    this.o.index.apply(ev);
    if (this.caughtUp) this.o.onLive?.(ev);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    if (this.admin && this.groupId) await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
