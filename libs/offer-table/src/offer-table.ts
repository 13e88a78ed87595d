import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { Topics, type OfferDestinationRecord } from '@leadflow/lead-model';
import { whenApplied } from '@leadflow/kafka';
import type { Logger } from '@leadflow/observability';
import { decodeOfferRecord } from './record-codec';

export interface OfferTableOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  /** Names this instance's consumer group (`<clientId>-offers-<random>`). */
  readonly clientId: string;
  /** Defaults to `Topics.offerDestinations`; tests pass their own topic. */
  readonly topic?: string;
}

/** Called after a record is applied: the new record, or undefined when the offer's destination was removed. */
export type OfferChangeListener = (offerId: string, record: OfferDestinationRecord | undefined) => void;

/**
 * The in-memory view of the compacted `offers.destinations` topic: every offer's latest destination
 * record, secrets still sealed. Every instance reads the whole topic from the beginning under a group id
 * of its own and never commits offsets, so it never shares partitions with another instance and
 * always starts from the full history.
 */
export class OfferTable {
  readonly topic: string;
  readonly #kafka: Kafka;
  readonly #logger: Logger;
  readonly #clientId: string;
  readonly #records = new Map<string, OfferDestinationRecord>();
  readonly #listeners = new Set<OfferChangeListener>();
  /** Per partition, the offset (exclusive) we must have consumed up to; deleted once reached. */
  readonly #pending = new Map<number, bigint>();
  /** Per partition, the next offset to consume (everything before it is applied). */
  readonly #position = new Map<number, bigint>();
  readonly #waiters = new Set<() => void>();
  #caughtUp = false;
  #consumer: Consumer | undefined;
  #admin: Admin | undefined;
  #settle: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(opts: OfferTableOptions) {
    this.topic = opts.topic ?? Topics.offerDestinations;
    this.#kafka = opts.kafka;
    this.#logger = opts.logger.child({ component: 'offer-table', topic: this.topic });
    this.#clientId = opts.clientId;
  }

  /** True once every partition was read up to its end offset as it was when `start()` began. */
  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  /** How many offers have a destination. */
  get size(): number {
    return this.#records.size;
  }

  /** The offer's latest destination record (secrets sealed), or undefined when it has none. */
  get(offerId: string): OfferDestinationRecord | undefined {
    return this.#records.get(offerId);
  }

  /**
   * Registers a listener for every applied change, during catch-up and after (check `caughtUp` to tell
   * them apart). A throwing listener is logged and does not stop the table. Returns an unsubscribe.
   */
  onChange(listener: OfferChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Connects and reads the topic from the beginning; resolves once caught up with the end offsets read
   * now, then keeps applying live changes until `stop()`. Rejects if the consumer fails for good first
   * (everything is disconnected again then, and `start()` may be called again).
   */
  async start(): Promise<void> {
    if (this.#admin) throw new Error('OfferTable already started');
    try {
      await this.#run();
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  async #run(): Promise<void> {
    // A start after a failed or stopped one reads everything again (tombstones may be compacted away).
    this.#records.clear();
    this.#pending.clear();
    this.#position.clear();
    this.#caughtUp = false;
    const admin = this.#kafka.admin();
    await admin.connect();
    this.#admin = admin;
    for (const p of await this.#endOffsets()) if (p.high > p.low) this.#pending.set(p.partition, p.high);

    const caughtUp = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    // A unique group: this instance must receive every partition, whatever other instances exist.
    const consumer = this.#kafka.consumer({
      groupId: `${this.#clientId}-offers-${randomBytes(6).toString('hex')}`,
      allowAutoTopicCreation: false,
      // Its own group, never rebalanced by another member: a heartbeat only keeps the session, and each is a request
      // an idle instance pays for (one a second was a fifth of an idle sink's Kafka traffic).
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      // A fetch long-polls this long when there is nothing new (a change ends the wait at once). stop() waits for it:
      // at 2 s (tried, to save idle CPU) a sink's graceful stop overran its 5 s deadline (https-sink-shutdown test).
      maxWaitTimeInMs: 1_000,
    });
    this.#consumer = consumer;
    // Fired after each fetched batch, also for batches whose records were all filtered (control
    // records): so progress is seen even when the last offsets before the high watermark hold no record.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic === this.topic) this.#progress(payload.partition, BigInt(payload.lastOffset));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#logger.error({ err: payload.error, restart: payload.restart }, 'offer table consumer crashed');
      if (!payload.restart) this.#settle?.reject(new Error(`offer table consumer failed: ${payload.error.message}`));
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        this.#apply(partition, message.offset, message.key, message.value);
      },
    });
    this.#checkCaughtUp();
    await caughtUp;
  }

  /**
   * Waits until every record written to the topic before this call is applied (a read-your-writes
   * barrier: a lead that arrives right after its offer was configured must see that configuration).
   * Resolves false if that takes longer than `timeoutMs`.
   */
  async sync(timeoutMs = 5_000): Promise<boolean> {
    const targets = (await this.#endOffsets()).filter((t) => t.high > t.low);
    const reached = () => targets.every((t) => (this.#position.get(t.partition) ?? 0n) >= t.high);
    return whenApplied(reached, this.#waiters, timeoutMs);
  }

  /** Leaves the group and disconnects; a pending `start()` rejects. */
  async stop(): Promise<void> {
    this.#settle?.reject(new Error('OfferTable stopped before it caught up'));
    this.#caughtUp = false;
    const consumer = this.#consumer;
    const admin = this.#admin;
    this.#consumer = undefined;
    this.#admin = undefined;
    if (consumer) await consumer.disconnect();
    if (admin) await admin.disconnect();
  }

  async #endOffsets(): Promise<{ partition: number; low: bigint; high: bigint }[]> {
    const admin = this.#admin;
    if (!admin) throw new Error('OfferTable is not started');
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await admin.fetchTopicOffsets(this.topic);
        return offsets.map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }));
      } catch (err) {
        // kafkajs does not retry ListOffsets on a stale leader (just after a topic was created, or
        // after a leader moved): refresh the metadata and ask again.
        if (attempt >= 5 || !isRetriable(err)) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
        await admin.fetchTopicMetadata({ topics: [this.topic] }).catch(() => undefined);
      }
    }
  }

  #apply(partition: number, offset: string, key: Buffer | null, value: Buffer | null): void {
    const decoded = decodeOfferRecord(key, value);
    if (decoded.kind === 'malformed') {
      // The reason names the broken part of the envelope, never a value (values may hold secrets).
      this.#logger.warn({ partition, offset, reason: decoded.reason }, 'skipping malformed offer destination record');
      return;
    }
    const offerId = decoded.kind === 'record' ? decoded.record.offerId : decoded.offerId;
    const record = decoded.kind === 'record' ? decoded.record : undefined;
    if (record) this.#records.set(offerId, record);
    else if (!this.#records.delete(offerId)) return;
    for (const listener of this.#listeners) {
      try {
        listener(offerId, record);
      } catch (err) {
        this.#logger.error({ err, offerId }, 'offer table listener failed');
      }
    }
  }

  #progress(partition: number, lastOffset: bigint): void {
    const next = lastOffset + 1n;
    if (next > (this.#position.get(partition) ?? 0n)) this.#position.set(partition, next);
    for (const waiter of this.#waiters) waiter();
    const target = this.#pending.get(partition);
    if (target !== undefined && lastOffset + 1n >= target) {
      this.#pending.delete(partition);
      this.#checkCaughtUp();
    }
  }

  #checkCaughtUp(): void {
    if (this.#caughtUp || this.#pending.size > 0 || !this.#settle) return;
    this.#caughtUp = true;
    this.#logger.info({ offers: this.#records.size }, 'offer table caught up');
    this.#settle.resolve();
  }
}

function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
