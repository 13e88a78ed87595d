import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { trackConsumerLag, whenApplied } from '@leadflow/kafka';
import {
  OfferStatusRecordSchema,
  QuotaWaitRecordSchema,
  type OfferStatusRecord,
  type QuotaWaitRecord,
} from '@leadflow/lead-model';
import type { Logger } from '@leadflow/observability';
import type { OfferStatusIndex } from './status-index';

/** A validation lead whose receipt was counted (auto-replay listens for these). */
export interface ValidationPassed {
  readonly leadId: string;
  readonly offerId: string;
  readonly isTest: true;
}

export interface StatusViewOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly index: OfferStatusIndex;
  /** `offers.status` (tests: a topic of their own). */
  readonly topic: string;
  /** `offers.quota-waits`: leads sinks hold for a quota; unset, none are shown. */
  readonly quotaWaitsTopic?: string;
  /** Names this instance's consumer group (`<clientId>-status-<random>`). */
  readonly clientId: string;
  /** Told of every validation lead newly counted as passed, during catch-up and after. */
  readonly onValidationPassed?: (e: ValidationPassed) => void;
  readonly registry?: Registry;
}

function decode<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }) {
  return (value: Buffer | null): T | undefined => {
    if (!value) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(value.toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Decodes an `offers.status` record; undefined for one that is not (skipped, not fatal). */
export const decodeStatusRecord: (value: Buffer | null) => OfferStatusRecord | undefined =
  decode(OfferStatusRecordSchema);
const decodeQuotaWait: (value: Buffer | null) => QuotaWaitRecord | undefined = decode(QuotaWaitRecordSchema);

/**
 * Reads the compacted `offers.status` into the status index: from the beginning at start (ready once caught up with
 * the end offsets read then), then follows it. read_committed: only what aggregators committed. Every instance reads
 * every partition in a group of its own and never commits. Its size is offers × input partitions, so a start takes
 * the same time whatever the number of leads ever delivered.
 */
export class StatusView {
  /** Per `topic:partition`, the offset (exclusive) to reach before the view is caught up; deleted once reached. */
  readonly #pending = new Map<string, bigint>();
  /** Per `topic:partition`, the next offset to consume. */
  readonly #position = new Map<string, bigint>();
  readonly #waiters = new Set<() => void>();
  readonly #logger: Logger;
  #caughtUp = false;
  /** While catching up: the latest record of each key, decoded once caught up. */
  #unread: Map<string, { partition: number; offset: string; value: Buffer | null }> | undefined;
  #consumer: Consumer | undefined;
  #admin: Admin | undefined;
  #settle: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(private readonly opts: StatusViewOptions) {
    this.#logger = opts.logger.child({ component: 'status-view', topic: opts.topic });
  }

  /** True once every partition was read up to its end offset as it was when `start()` began. */
  get caughtUp(): boolean {
    return this.#caughtUp;
  }

  /** Resolves once caught up; rejects if the consumer fails for good first (then `start()` may be called again). */
  async start(): Promise<void> {
    if (this.#admin) throw new Error('StatusView already started');
    try {
      await this.#run();
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  async #run(): Promise<void> {
    this.#pending.clear();
    this.#position.clear();
    this.#caughtUp = false;
    this.#unread = new Map();
    const admin = this.opts.kafka.admin();
    await admin.connect();
    this.#admin = admin;
    for (const topic of this.#topics())
      for (const p of await this.#endOffsets(topic))
        if (p.high > p.low) this.#pending.set(at(topic, p.partition), p.high);
    const caughtUp = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    const groupId = `${this.opts.clientId}-status-${randomBytes(6).toString('hex')}`;
    const consumer = this.opts.kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 1_000,
    });
    this.#consumer = consumer;
    if (this.opts.registry) trackConsumerLag(consumer, this.opts.registry, 'leadflow-ingest-status');
    // After each fetched batch, also one whose records were all filtered (transaction markers): progress is seen even
    // when the last offsets before the high watermark hold no record (every write here is transactional).
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.#progress(at(payload.topic, payload.partition), BigInt(payload.lastOffset));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#logger.error({ err: payload.error, restart: payload.restart }, 'status view consumer crashed');
      if (!payload.restart) this.#settle?.reject(new Error(`status view consumer failed: ${payload.error.message}`));
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.#topics(), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) =>
        topic === this.opts.topic
          ? this.#apply(partition, message.offset, message.key, message.value)
          : this.#applyQuotaWait(partition, message.offset, message.key, message.value),
    });
    this.#checkCaughtUp();
    await caughtUp;
  }

  /**
   * Waits until every record committed to the topic before this call is applied (an aggregator taking over an input
   * partition reads its predecessor's last counts this way). Resolves false after `timeoutMs`.
   *
   * The target is the end as written (the high watermark), not the last stable offset: a transaction left open on a
   * partition (its aggregator killed mid-batch) hides every record written after it from read_committed readers,
   * commits of other aggregators included, until its id is fenced or it times out. The last stable offset would be
   * "reached" with those commits unread, and a new owner would count on from stale counts. Waiting for the written
   * end waits for every transaction open at the call to settle: at most the aggregators' 30 s transaction timeout.
   */
  async sync(timeoutMs = 30_000): Promise<boolean> {
    const targets = (await this.#endOffsets(this.opts.topic, { written: true })).filter((t) => t.high > t.low);
    const reached = () => targets.every((t) => (this.#position.get(at(this.opts.topic, t.partition)) ?? 0n) >= t.high);
    return whenApplied(reached, this.#waiters, timeoutMs);
  }

  async stop(): Promise<void> {
    this.#settle?.reject(new Error('StatusView stopped before it caught up'));
    this.#caughtUp = false;
    const consumer = this.#consumer;
    const admin = this.#admin;
    this.#consumer = undefined;
    this.#admin = undefined;
    if (consumer) await consumer.disconnect().catch(() => undefined);
    if (admin) await admin.disconnect().catch(() => undefined);
  }

  #topics(): string[] {
    return [this.opts.topic, ...(this.opts.quotaWaitsTopic ? [this.opts.quotaWaitsTopic] : [])];
  }

  /** `high`: the last stable offset, or with `written` the high watermark (leadflow's kafkajs patch adds the option). */
  async #endOffsets(
    topic: string,
    { written = false } = {},
  ): Promise<{ partition: number; low: bigint; high: bigint }[]> {
    const admin = this.#admin;
    if (!admin) throw new Error('StatusView is not started');
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic, { readUncommitted: written });
        return offsets.map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }));
      } catch (err) {
        // kafkajs does not retry ListOffsets on a stale leader: refresh the metadata and ask again.
        if (attempt >= 5 || (err as { retriable?: unknown }).retriable !== true) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
        await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      }
    }
  }

  #apply(partition: number, offset: string, key: Buffer | null, value: Buffer | null): void {
    const k = key?.toString('utf8');
    if (!k) return;
    if (this.#unread) {
      // Catching up: most records read now are superseded further on (the topic is not compacted to its end); only
      // the latest of each key is decoded, at the end (a copy: the fetch's buffer is not kept alive by it).
      this.#unread.set(k, { partition, offset, value: value ? Buffer.from(value) : null });
      return;
    }
    this.#decodeAndApply(k, partition, offset, value);
  }

  #decodeAndApply(k: string, partition: number, offset: string, value: Buffer | null): void {
    const offerId = k.slice(0, k.indexOf('|'));
    const record = decodeStatusRecord(value);
    if (value && !record) {
      this.#logger.warn({ partition, offset }, 'skipping malformed offer status record');
      return;
    }
    if (record && record.offerId !== offerId) return;
    const previous = this.opts.index.apply(k, offerId, record);
    const listener = this.opts.onValidationPassed;
    if (!record || !listener) return;
    for (const v of record.validations) {
      if (v.status !== 'passed') continue;
      if (previous?.validations.some((p) => p.leadId === v.leadId && p.status === 'passed')) continue;
      try {
        listener({ leadId: v.leadId, offerId, isTest: true });
      } catch (err) {
        this.#logger.error({ err, offerId }, 'validation listener failed');
      }
    }
  }

  #applyQuotaWait(partition: number, offset: string, key: Buffer | null, value: Buffer | null): void {
    const k = key?.toString('utf8');
    if (!k) return;
    const record = decodeQuotaWait(value);
    if (value && !record) {
      this.#logger.warn({ partition, offset }, 'skipping malformed quota wait record');
      return;
    }
    this.opts.index.applyQuotaWait(k, k.slice(0, k.indexOf('|')), record);
  }

  #progress(position: string, lastOffset: bigint): void {
    const next = lastOffset + 1n;
    if (next > (this.#position.get(position) ?? 0n)) this.#position.set(position, next);
    for (const waiter of this.#waiters) waiter();
    const target = this.#pending.get(position);
    if (target !== undefined && next >= target) {
      this.#pending.delete(position);
      this.#checkCaughtUp();
    }
  }

  #checkCaughtUp(): void {
    if (this.#caughtUp || this.#pending.size > 0 || !this.#settle) return;
    const unread = this.#unread;
    this.#unread = undefined;
    for (const [k, r] of unread ?? []) this.#decodeAndApply(k, r.partition, r.offset, r.value);
    this.#caughtUp = true;
    this.#logger.info({ offers: this.opts.index.offers }, 'offer status caught up');
    this.#settle.resolve();
  }
}

const at = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
