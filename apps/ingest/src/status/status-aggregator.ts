import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { createProducer, headersToStrings, trackConsumerLag } from '@leadflow/kafka';
import { offerStatusKey, type OfferStatusRecord } from '@leadflow/lead-model';
import type { Logger } from '@leadflow/observability';
import { nextDelay, type RetryPolicy } from '@leadflow/retry';
import { foldDeadLetter, foldDelivery } from './offer-status-fold';
import { decodeDeadLetter, decodeReceipt } from './status-events';
import type { OfferStatusIndex } from './status-index';

/** The consumer group of the aggregators (every ingest instance joins it); transactional ids start with it too. */
export const STATUS_AGGREGATOR_GROUP = 'leadflow-ingest-offer-status';

export interface StatusAggregatorOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  /** This instance's view of `offers.status`: where an input partition's counts are taken over from. */
  readonly index: OfferStatusIndex;
  /** Waits until the view has applied everything committed to `offers.status` so far. */
  readonly syncView: (timeoutMs: number) => Promise<boolean>;
  readonly deliveredTopic: string;
  /** Dead-letter topic of every stage, by stage. */
  readonly deadLetterTopics: Readonly<Record<string, string>>;
  /** `offers.status`. */
  readonly statusTopic: string;
  readonly groupId?: string;
  readonly registry?: Registry;
  readonly now?: () => Date;
}

interface Slot {
  readonly producer: Producer;
  /** The records of this input partition, by offer, as last committed. */
  readonly state: Map<string, OfferStatusRecord>;
  /** False until the position was checked against the group's committed offset. */
  synced: boolean;
}

/** Records of one produce request: a record is at most about 3 KB (a receipt, 8 validation outcomes with remediations). */
const MAX_RECORDS_PER_SEND = 150;

/** A failed batch is read again after a full-jitter backoff, up to 5 s, for as long as it fails. */
const BATCH_RETRY: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  maxElapsedMs: Number.POSITIVE_INFINITY,
};

/**
 * Counts `leads.delivered` and the dead-letter topics into `offers.status`, read-process-write in Kafka transactions:
 * for each fetched batch of one input partition, the offers' new records for that partition and the consumed offset
 * commit together. A crash or a rebalance can neither lose nor double a count.
 *
 * Each input partition has its own transactional id (`<group>-<topic>-<partition>`), as the router's: kafkajs commits
 * offsets without the group generation (no KIP-447), so only the id fences a previous owner. Its records are keyed
 * `<offerId>|<topic>|<partition>`, so one owner writes each key. A new owner initialises the id (fencing the previous
 * owner and settling its open transaction), then takes the counts over from `offers.status` as committed.
 */
export class StatusAggregator {
  readonly #slots = new Map<string, Promise<Slot>>();
  readonly #failures = new Map<string, number>();
  readonly #stageOf: ReadonlyMap<string, string>;
  readonly #groupId: string;
  readonly #logger: Logger;
  readonly #now: () => Date;
  #consumer: Consumer | undefined;
  #admin: Admin | undefined;

  constructor(private readonly opts: StatusAggregatorOptions) {
    this.#groupId = opts.groupId ?? STATUS_AGGREGATOR_GROUP;
    this.#logger = opts.logger.child({ component: 'status-aggregator' });
    this.#stageOf = new Map(Object.entries(opts.deadLetterTopics).map(([stage, topic]) => [topic, stage]));
    this.#now = opts.now ?? (() => new Date());
  }

  /** Joins the group and starts counting; on failure everything is disconnected and it may be called again. */
  async start(): Promise<void> {
    if (this.#consumer) throw new Error('StatusAggregator already started');
    const admin = this.opts.kafka.admin();
    const consumer = this.opts.kafka.consumer({
      groupId: this.#groupId,
      // Router dead letters are written in transactions: an aborted one was never a dead letter.
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // A fetch waits up to a second for 256 KiB: each batch is one transaction (five requests, and commit markers the
      // broker writes to every partition it touched), and answering at the first receipt made one per few receipts —
      // 35 a second at 500 leads/s, a fifth of ingest's Kafka requests. Counts are a status page's, a second is fine.
      maxWaitTimeInMs: 1_000,
      minBytes: 256 * 1024,
      // Larger batches when behind: each batch writes one record per offer it touched, so fewer, larger batches
      // write fewer records (4 MiB of receipts is about 20,000) for readers to skip until the topic is compacted.
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
    });
    this.#admin = admin;
    this.#consumer = consumer;
    try {
      await admin.connect();
      if (this.opts.registry) trackConsumerLag(consumer, this.opts.registry, this.#groupId);
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        this.#logger.info({ assignment: payload.memberAssignment }, 'status aggregator joined its group');
        void this.#assigned(payload.memberAssignment);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        this.#logger.error({ err: payload.error, restart: payload.restart }, 'status aggregator crashed');
      });
      await consumer.connect();
      await consumer.subscribe({
        topics: [this.opts.deliveredTopic, ...Object.values(this.opts.deadLetterTopics)],
        fromBeginning: true,
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 3,
        eachBatch: (payload) => this.#handle(payload),
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops consuming (an in-flight transaction commits or aborts first), then closes the producers. */
  async stop(): Promise<void> {
    const consumer = this.#consumer;
    const admin = this.#admin;
    this.#consumer = undefined;
    this.#admin = undefined;
    if (consumer) await consumer.disconnect().catch(() => undefined);
    await Promise.all([...this.#slots.keys()].map((k) => this.#drop(k)));
    if (admin) await admin.disconnect().catch(() => undefined);
  }

  /** Producers of partitions no longer assigned go (their slots are made lazily, at a partition's first batch). */
  async #assigned(assignment: Readonly<Record<string, readonly number[]>>): Promise<void> {
    const keep = new Set(Object.entries(assignment).flatMap(([topic, ps]) => ps.map((p) => slotKey(topic, p))));
    await Promise.all([...this.#slots.keys()].filter((k) => !keep.has(k)).map((k) => this.#drop(k)));
  }

  /** kafkajs `eachBatch`: never throws (a fenced producer would be fatal to the consumer); a failed batch is read again. */
  async #handle(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const first = batch.messages[0];
    if (!first || !isRunning() || isStale()) return;
    const key = slotKey(topic, partition);
    try {
      await this.#process(payload);
      this.#failures.delete(key);
    } catch (err) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      await this.#drop(key);
      const backoffMs = nextDelay(BATCH_RETRY, failures, 0, undefined) ?? BATCH_RETRY.maxDelayMs;
      this.#logger.warn(
        { err, topic, partition, firstOffset: first.offset, failures, retryInMs: Math.round(backoffMs) },
        'status batch failed and was rolled back; it will be counted again',
      );
      this.#consumer?.seek({ topic, partition, offset: first.offset });
      const until = Date.now() + backoffMs;
      while (Date.now() < until && isRunning()) {
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, until - Date.now()))));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  async #process(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat } = payload;
    const { topic, partition } = batch;
    const slot = await this.#slot(topic, partition, heartbeat);
    const first = batch.messages[0];
    if (!first) return;
    if (!slot.synced) {
      // The id was just initialised, which settled any transaction a previous owner left open: the group's committed
      // offset is the truth now. A position elsewhere (an ambiguous commit that did succeed) moves to it.
      const committed = await this.#committedOffset(topic, partition);
      slot.synced = true;
      if (committed !== undefined && committed !== first.offset) {
        this.#logger.info({ topic, partition, position: first.offset, committed }, 'moving to the committed offset');
        this.#consumer?.seek({ topic, partition, offset: committed });
        return;
      }
    }
    const now = this.#now();
    const changed = new Map<string, OfferStatusRecord>();
    const stage = this.#stageOf.get(topic);
    for (const m of batch.messages) {
      const at = { topic, partition, nextOffset: (BigInt(m.offset) + 1n).toString() };
      const value = m.value?.toString('utf8') ?? null;
      if (topic === this.opts.deliveredTopic) {
        const receipt = decodeReceipt(value);
        if (receipt)
          changed.set(
            receipt.offerId,
            foldDelivery(changed.get(receipt.offerId) ?? slot.state.get(receipt.offerId), receipt, at, now),
          );
      } else if (stage !== undefined) {
        const dead = decodeDeadLetter(stage, m.key?.toString('utf8') ?? null, value, headersToStrings(m.headers));
        if (dead)
          changed.set(
            dead.offerId,
            foldDeadLetter(changed.get(dead.offerId) ?? slot.state.get(dead.offerId), dead, at, now),
          );
      }
    }
    const nextOffset = (BigInt(batch.lastOffset()) + 1n).toString();
    const transaction = await slot.producer.transaction();
    try {
      const messages = [...changed].map(([offerId, record]) => ({
        key: offerStatusKey(offerId, topic, partition),
        value: JSON.stringify(record),
      }));
      // A batch can touch thousands of offers: produce requests stay well under the broker's 1 MiB message.max.bytes.
      for (let i = 0; i < messages.length; i += MAX_RECORDS_PER_SEND) {
        await transaction.send({
          topic: this.opts.statusTopic,
          acks: -1,
          messages: messages.slice(i, i + MAX_RECORDS_PER_SEND),
        });
        await heartbeat().catch(() => undefined);
      }
      await transaction.sendOffsets({
        consumerGroupId: this.#groupId,
        topics: [{ topic, partitions: [{ partition, offset: nextOffset }] }],
      });
      await transaction.commit();
    } catch (err) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw err;
    }
    // Committed: from here on nothing may count as a failure, or the batch would be counted twice.
    for (const [offerId, record] of changed) slot.state.set(offerId, record);
    const last = batch.messages[batch.messages.length - 1] ?? first;
    resolveOffset(last.offset);
    await heartbeat().catch(() => undefined);
  }

  #slot(topic: string, partition: number, heartbeat: () => Promise<void>): Promise<Slot> {
    const key = slotKey(topic, partition);
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = this.#createSlot(topic, partition, heartbeat);
      this.#slots.set(key, slot);
      slot.catch(() => {
        if (this.#slots.get(key) === slot) this.#slots.delete(key);
      });
    }
    return slot;
  }

  async #createSlot(topic: string, partition: number, heartbeat: () => Promise<void>): Promise<Slot> {
    const producer = createProducer(this.opts.kafka, {
      transactionalId: `${this.#groupId}-${topic}-${partition}`,
      transactionTimeoutMs: 30_000,
    });
    await producer.connect();
    try {
      // kafkajs initialises the id at the first transaction(): begin and abort an empty one (no request is sent for
      // it) so the previous owner is fenced and its open transaction settled before its counts are read.
      const init = await producer.transaction();
      await init.abort();
      // The previous owner's last counts: everything committed to offers.status up to now, this partition's records.
      const beat = setInterval(() => void heartbeat().catch(() => undefined), 1_000);
      const synced = await this.opts.syncView(60_000).finally(() => clearInterval(beat));
      if (!synced) throw new Error('offers.status was not read to its end in time; the counts cannot be taken over');
      return { producer, state: this.opts.index.recordsOfInput(topic, partition), synced: false };
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async #drop(key: string): Promise<void> {
    const slot = this.#slots.get(key);
    this.#slots.delete(key);
    if (!slot) return;
    try {
      await (await slot).producer.disconnect();
    } catch {
      // Creation failed or the connection is gone: nothing left to close.
    }
  }

  async #committedOffset(topic: string, partition: number): Promise<string | undefined> {
    const admin = this.#admin;
    if (!admin) throw new Error('StatusAggregator is not started');
    const [entry] = await admin.fetchOffsets({ groupId: this.#groupId, topics: [topic] });
    const offset = entry?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === '-1' ? undefined : offset;
  }
}

function slotKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
