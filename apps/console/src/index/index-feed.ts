import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { headersToStrings, trackConsumerLag } from '@leadflow/kafka';
import type { Logger } from '@leadflow/observability';
import type { ConsoleIndex } from './console-index';
import type { OfferQuotaWaits } from './quota-waits';
import { roleOf, type ConsoleTopics, type TopicRole } from './console-topics';
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
  /** The most bytes of one fetch (kafkajs `maxBytes`); per partition at most 1 MiB. */
  readonly fetchMaxBytes?: number;
  /**
   * How often to look for topics created since start (an offer's own `leads.route.<type>.<suffix>`): kafkajs
   * resolves a subscription once, so a new topic gets a reader of its own, from its beginning. 0: never.
   */
  readonly topicCheckMs?: number;
  /** Where `offers.quota-waits` is kept (not an index event: the latest record per key, for the offer page). */
  readonly quotaWaits?: OfferQuotaWaits;
  /** Every event applied once the index has caught up (live updates). */
  readonly onLive?: (ev: IndexEvent) => void;
  /** An offer's quota waits changed, once the index has caught up (live updates). */
  readonly onLiveQuotaWait?: (offerId: string) => void;
  /**
   * Where the feed reports its consumer lag (`leadflow_kafka_consumer_lag_records`), per reader under
   * `groupPrefix-<reader>`: the groups themselves are unique per start, and a label must stay bounded.
   */
  readonly registry?: Registry;
}

const DEFAULT_FETCH_MAX_BYTES = 2_097_152;

/** Read first at start: the dead letters and the ledger (what the console is for; see IndexFeed). */
const isFirst = (role: TopicRole | undefined): boolean => role?.role === 'dead-letters' || role?.role === 'ledger';

/**
 * Feeds the index from the topics: reads them from the beginning under consumer groups of its own (it commits
 * nothing, so it never shares partitions with another console and never touches a service's group), then
 * follows them. `start()` resolves once every partition reached the end it had when the feed started.
 *
 * Two readers, one after the other: the dead letters and the replay ledger first, then the pipeline's topics
 * (`leads.ingested`, route topics, `leads.delivered`, the compacted `offers.quota-waits`). A lead's dead letter is then known before its other
 * records arrive, so a million delivered leads read at start never push a dead-lettered lead's steps out of
 * the index (the lead limit counts only leads without a dead letter; see ConsoleIndex).
 */
export class IndexFeed {
  private readonly consumers: Consumer[] = [];
  private readonly groupIds: string[] = [];
  private admin: Admin | undefined;
  private caughtUp = false;
  private readonly followed = new Set<string>();
  private topicCheck: NodeJS.Timeout | undefined;
  private checking = false;
  private stopped = false;

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
    for (const t of followed) this.followed.add(t);
    const first = followed.filter((t) => isFirst(roleOf(topics, t)));
    const then = followed.filter((t) => !first.includes(t));
    const ends = new Map<string, bigint>();
    for (const topic of followed) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
    await this.follow(first, 'dead-letters', ends);
    const firstMs = Date.now() - t0;
    await this.follow(then, 'pipeline', ends);
    this.caughtUp = true;
    const every = this.o.topicCheckMs ?? 30_000;
    if (every > 0) {
      this.topicCheck = setInterval(() => void this.followNewTopics(), every);
      this.topicCheck.unref();
    }
    const ms = Date.now() - t0;
    this.o.logger.info(
      { topics: followed.length, ms, deadLettersMs: firstMs, ...this.o.index.stats() },
      'index caught up',
    );
    return { topics: followed.length, ms };
  }

  /** Topics created since start that the index follows get a reader of their own, from their beginning. */
  private async followNewTopics(): Promise<void> {
    if (this.checking || this.stopped || !this.admin) return;
    this.checking = true;
    try {
      const fresh = (await this.admin.listTopics())
        .filter((t) => !this.followed.has(t) && roleOf(this.o.topics, t) !== undefined)
        .sort();
      // Stopped while listing: no new reader (stop() disconnects those it knows of).
      if (fresh.length === 0 || this.stopped) return;
      this.o.logger.info({ topics: fresh }, 'index follows new topics');
      await this.follow(fresh, 'new', new Map());
      for (const t of fresh) this.followed.add(t);
    } catch (err) {
      this.o.logger.warn({ err }, 'index could not look for new topics; tries again');
    } finally {
      this.checking = false;
    }
  }

  /** Reads `topicNames` from the beginning with a consumer of its own; resolves once each reached its end. */
  private async follow(topicNames: readonly string[], name: string, ends: ReadonlyMap<string, bigint>): Promise<void> {
    if (topicNames.length === 0) return;
    const pending = new Map([...ends].filter(([key]) => topicNames.includes(key.slice(0, key.lastIndexOf(':')))));
    const groupId = `${this.o.groupPrefix}-${name}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    this.groupIds.push(groupId);
    const consumer = this.o.kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 500,
      // Bounds the records decoded at once while catching up (kafkajs' 10 MiB default decodes ~30 MB of objects).
      maxBytes: this.o.fetchMaxBytes ?? DEFAULT_FETCH_MAX_BYTES,
      maxBytesPerPartition: Math.min(1_048_576, this.o.fetchMaxBytes ?? DEFAULT_FETCH_MAX_BYTES),
    });
    this.consumers.push(consumer);
    // Each reader under its own bounded name (`<prefix>-dead-letters`, `-pipeline`, `-new`): one reader stuck while
    // another fetches must still show as a stalled group.
    if (this.o.registry) trackConsumerLag(consumer, this.o.registry, `${this.o.groupPrefix}-${name}`);
    let caughtUp!: () => void;
    let failed!: (err: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      caughtUp = resolve;
      failed = reject;
    });
    const reached = (key: string, lastOffset: string) => {
      const end = pending.get(key);
      if (end !== undefined && BigInt(lastOffset) + 1n >= end) {
        pending.delete(key);
        if (pending.size === 0) caughtUp();
      }
    };
    // Batches made only of control records (transaction markers) never reach eachBatch; this event sees them.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      reached(`${payload.topic}:${payload.partition}`, payload.lastOffset),
    );
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.o.logger.error({ err: payload.error, restart: payload.restart, reader: name }, 'index feed crashed');
      if (!payload.restart) failed(payload.error);
    });
    if (pending.size === 0) caughtUp();
    await consumer.connect();
    await consumer.subscribe({ topics: [...topicNames], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, heartbeat }) => {
        // A batch is one topic: its role is looked up once.
        const role = roleOf(this.o.topics, batch.topic);
        if (!role) return;
        let n = 0;
        for (const m of batch.messages) {
          this.applyRecord(role, {
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
    await done;
  }

  private applyRecord(role: TopicRole, r: FeedRecord): void {
    if (role.role === 'quota-waits') {
      const offerId = this.o.quotaWaits?.applyRecord(r.key, r.value);
      if (offerId && this.caughtUp) this.o.onLiveQuotaWait?.(offerId);
      return;
    }
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
    this.stopped = true;
    clearInterval(this.topicCheck);
    await Promise.all(this.consumers.map((c) => c.disconnect().catch(() => undefined)));
    if (this.admin && this.groupIds.length > 0) await this.admin.deleteGroups(this.groupIds).catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
