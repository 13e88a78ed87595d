import type { Admin, EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { createProducer } from '@leadflow/kafka';
import { nextDelay, type RetryPolicy } from '@leadflow/retry';
import type { Logger } from '@leadflow/observability';
import type { InboundRecord, OutboundRecord } from '../routing/records';

export interface TransactionalBatchesOptions {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly logger: Logger;
  readonly groupId: string;
  /** Transactional ids are `<prefix>-<topic>-<partition>`. */
  readonly transactionalIdPrefix: string;
  /** A partition's batches start at least this far apart (0: no wait). */
  readonly transactionIntervalMs: number;
  /** Plans what to write for a batch of inbound records; must not throw for a bad record. */
  readonly plan: (records: readonly InboundRecord[]) => Promise<OutboundRecord[]>;
  /** The dead letter of a record whose routed form the broker refused (`ROUTER.RECORD_REFUSED`). */
  readonly refused: (record: InboundRecord, err: unknown) => OutboundRecord;
  /** Called before a transaction writes to these topics. */
  readonly ensureTopics: (topics: Iterable<string>) => Promise<void>;
  /** Moves the consumer's position for a partition (consumer.seek). */
  readonly seek: (topic: string, partition: number, offset: string) => void;
  readonly onCommitted?: (records: readonly OutboundRecord[], seconds: number) => void;
  readonly onAborted?: (err: unknown) => void;
}

interface Slot {
  readonly producer: Producer;
  /** False until the consumer position was checked against the group's committed offset. */
  synced: boolean;
}

/** A failed batch is read again after a full-jitter backoff, up to 5 s, for as long as it fails. */
const BATCH_RETRY: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  maxElapsedMs: Number.POSITIVE_INFINITY,
};

/**
 * Broker answers that refuse a record for what it is, not for the moment: writing it again fails again. kafkajs
 * gives up on them at once and wraps the broker's error (`cause`).
 */
const REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'POLICY_VIOLATION',
  'INVALID_TIMESTAMP',
]);

/** The broker's error type when it refused a record for what it is (e.g. MESSAGE_TOO_LARGE), else undefined. */
export function brokerRefusal(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && REFUSALS.has(type)) return type;
  }
  return undefined;
}

const refusedByBroker = (err: unknown): boolean => brokerRefusal(err) !== undefined;

// Keeps each produce request well under the broker's default 1 MiB message.max.bytes: a full fetch of
// one partition (up to 1 MiB) routed to a single topic partition would otherwise exceed it and fail
// the same batch forever.
const MAX_CHUNK_BYTES = 256 * 1024;
const MAX_CHUNK_RECORDS = 500;

/**
 * Read-process-write in Kafka transactions: for each fetched batch of one input partition, the routed
 * and dead-lettered records and the consumer offset after the batch are committed atomically, so a
 * read_committed reader sees every lead exactly once across crashes and restarts.
 *
 * Why one transactional producer per input partition (not one per instance): kafkajs commits offsets
 * in a transaction without the consumer group generation (no KIP-447), so only the transactional id
 * fences a zombie. With an id per input partition, whoever owns the partition next (after a rebalance,
 * a crash, a restart with another hostname) initialises the same id, which aborts the previous owner's
 * open transaction at once and fences it, instead of leaving it to block read_committed readers until
 * the transaction timeout.
 */
export class TransactionalBatches {
  readonly #slots = new Map<string, Promise<Slot>>();
  /** Consecutive failed attempts per partition, for the backoff. */
  readonly #failures = new Map<string, number>();
  /**
   * Partitions whose last batch the broker refused a record of: their records up to that batch's last offset are
   * written one transaction each, so the refused one is found, dead-lettered and the rest routed.
   */
  readonly #isolateUntil = new Map<string, bigint>();
  readonly #logger: Logger;

  constructor(private readonly opts: TransactionalBatchesOptions) {
    this.#logger = opts.logger.child({ component: 'transactional-batches' });
  }

  /** Creates (and so fences and resolves) the producers of newly assigned partitions, drops the others. */
  async assigned(assignment: Readonly<Record<string, readonly number[]>>): Promise<void> {
    const keep = new Set(Object.entries(assignment).flatMap(([topic, ps]) => ps.map((p) => slotKey(topic, p))));
    await Promise.all([...this.#slots.keys()].filter((k) => !keep.has(k)).map((k) => this.#drop(k)));
    await Promise.all(
      Object.entries(assignment).flatMap(([topic, ps]) => ps.map((p) => this.#slot(topic, p).then(() => undefined))),
    );
  }

  /**
   * kafkajs `eachBatch` handler (with `eachBatchAutoResolve: false` and `autoCommit: false`). Never
   * throws: kafkajs treats a non-retriable error from here (a fenced producer, say) as fatal to the
   * consumer. A failed batch is instead aborted, the partition is moved back to the batch's first
   * record, and after a backoff kafkajs fetches it again.
   */
  async handle(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const first = batch.messages[0];
    if (!first || !isRunning() || isStale()) return;
    const key = slotKey(topic, partition);
    const t0 = Date.now();
    try {
      const wrote = await this.#process(payload, first);
      this.#failures.delete(key);
      if (wrote === 'batch') await this.#spaceOut(t0, isRunning);
    } catch (err) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      this.opts.onAborted?.(err);
      if (refusedByBroker(err)) this.#isolateUntil.set(key, BigInt(batch.lastOffset()));
      const backoffMs = nextDelay(BATCH_RETRY, failures, 0, undefined) ?? BATCH_RETRY.maxDelayMs;
      this.#logger.warn(
        { err, topic, partition, firstOffset: first.offset, failures, retryInMs: Math.round(backoffMs) },
        'batch failed and was rolled back; it will be read again',
      );
      // Read the batch again from its first record (kafkajs has not moved past it; this makes it explicit).
      this.opts.seek(topic, partition, first.offset);
      const until = Date.now() + backoffMs;
      while (Date.now() < until && isRunning()) {
        await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, until - Date.now()))));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  /** What a batch came to: one transaction for all of it, one for its first record (isolating), or none (moved). */
  async #process(payload: EachBatchPayload, first: KafkaMessage): Promise<'batch' | 'isolated' | 'moved'> {
    const { batch, resolveOffset, heartbeat } = payload;
    const { topic, partition } = batch;
    const key = slotKey(topic, partition);
    const slot = await this.#slot(topic, partition);

    if (!slot.synced) {
      // The producer was just initialised, which completed or aborted any transaction its id had left
      // open (ours before a failure, or a previous owner's). The group's committed offset is now the
      // truth; if our position differs (a commit that failed ambiguously had in fact succeeded, or a
      // previous owner's prepared commit just completed), move to it instead of routing twice.
      const committed = await this.#committedOffset(topic, partition);
      slot.synced = true;
      if (committed !== undefined && committed !== first.offset) {
        this.#logger.info({ topic, partition, position: first.offset, committed }, 'moving to the committed offset');
        this.opts.seek(topic, partition, committed);
        return 'moved';
      }
    }

    const t0 = process.hrtime.bigint();
    const inbound = (m: KafkaMessage): InboundRecord => ({
      topic,
      partition,
      offset: m.offset,
      key: m.key,
      value: m.value,
      headers: m.headers,
    });
    const isolateUntil = this.#isolateUntil.get(key);
    if (isolateUntil !== undefined && BigInt(first.offset) <= isolateUntil) {
      // One record per transaction until past the batch that held a refused record.
      const record = inbound(first);
      let out = await this.opts.plan([record]);
      try {
        await this.#commitTransaction(key, slot, out, topic, partition, first.offset, heartbeat);
      } catch (err) {
        if (!refusedByBroker(err)) throw err;
        this.#logger.warn(
          { topic, partition, offset: first.offset },
          'the broker refused a routed record; dead-lettered',
        );
        out = [this.opts.refused(record, err)];
        await this.#commitTransaction(
          key,
          await this.#slot(topic, partition),
          out,
          topic,
          partition,
          first.offset,
          heartbeat,
        );
      }
      if (BigInt(first.offset) >= isolateUntil) this.#isolateUntil.delete(key);
      resolveOffset(first.offset);
      // Continue with the next record (the rest of this batch is fetched again).
      this.opts.seek(topic, partition, (BigInt(first.offset) + 1n).toString());
      this.#committed(out, t0);
      return 'isolated';
    }
    const out = await this.opts.plan(batch.messages.map(inbound));
    await this.#commitTransaction(key, slot, out, topic, partition, batch.lastOffset(), heartbeat);
    // Committed: from here on nothing may count as a failure, or the batch would be routed twice.
    // resolveOffset of the last message also resolves trailing control records (kafkajs #1256).
    const last = batch.messages[batch.messages.length - 1] ?? first;
    resolveOffset(last.offset);
    this.#committed(out, t0);
    // kafkajs heartbeats again after this handler and handles a rebalance it reports there.
    await heartbeat().catch(() => undefined);
    return 'batch';
  }

  /**
   * Waits out the rest of the transaction interval after a batch that started at `startedAt`. A transaction costs the
   * broker five requests and a marker per partition written, whether it carries 3 leads or 300: at 500 leads/s one per
   * fetched batch was 294 transactions per 1,000 leads, 85 % of the router's requests and a large share of the
   * broker's CPU. The wait holds back the next fetch (kafkajs fetches again once every batch of the last fetch
   * returned), so what arrives meanwhile comes as one batch. A batch that took the interval or longer (heavy load: large batches) does
   * not wait, nor does the first lead after a quiet spell; a lead that arrives during the wait waits at most the
   * interval. `./dev bench e2e` at 500 leads/s, one broker: 30 ms took CPU per 1,000 leads from 3.2 to 2.3–2.4 s.
   */
  async #spaceOut(startedAt: number, isRunning: () => boolean): Promise<void> {
    const rest = startedAt + this.opts.transactionIntervalMs - Date.now();
    if (rest > 0 && isRunning()) await new Promise((r) => setTimeout(r, rest));
  }

  #committed(out: readonly OutboundRecord[], t0: bigint): void {
    try {
      this.opts.onCommitted?.(out, Number(process.hrtime.bigint() - t0) / 1e9);
    } catch (err) {
      this.#logger.error({ err }, 'committed-batch hook failed');
    }
  }

  /** Writes `out` and the offset after `lastOffset` in one transaction of the partition's producer. */
  async #commitTransaction(
    key: string,
    slot: Slot,
    out: readonly OutboundRecord[],
    topic: string,
    partition: number,
    lastOffset: string,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    await this.opts.ensureTopics(out.map((o) => o.topic));
    const nextOffset = (BigInt(lastOffset) + 1n).toString();
    const transaction = await slot.producer.transaction();
    try {
      for (const chunk of chunks(out)) {
        await transaction.sendBatch({ acks: -1, topicMessages: byTopic(chunk) });
        // A rebalance announced mid-transaction is handled after the commit (the heartbeat below
        // reports it again): finishing is cheaper than redoing, and a new owner of the partition
        // fences this producer anyway.
        await heartbeat().catch(() => undefined);
      }
      await transaction.sendOffsets({
        consumerGroupId: this.opts.groupId,
        topics: [{ topic, partitions: [{ partition, offset: nextOffset }] }],
      });
      await transaction.commit();
    } catch (err) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      // Whatever state the producer is in (a failed commit leaves kafkajs unable to begin another
      // transaction; a fenced one can do nothing), the next attempt starts from a fresh producer, whose
      // initialisation settles this transaction, and re-checks the committed offset.
      await this.#drop(key);
      throw err;
    }
  }

  /** Disconnects every producer (after the consumer stopped: no transaction is in flight then). */
  async close(): Promise<void> {
    await Promise.all([...this.#slots.keys()].map((k) => this.#drop(k)));
  }

  #slot(topic: string, partition: number): Promise<Slot> {
    const key = slotKey(topic, partition);
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = this.#createSlot(topic, partition);
      this.#slots.set(key, slot);
      // A failed creation is forgotten, so the next batch tries again.
      slot.catch(() => {
        if (this.#slots.get(key) === slot) this.#slots.delete(key);
      });
    }
    return slot;
  }

  async #createSlot(topic: string, partition: number): Promise<Slot> {
    const producer = createProducer(this.opts.kafka, {
      transactionalId: `${this.opts.transactionalIdPrefix}-${topic}-${partition}`,
      // An open transaction of a crashed owner blocks read_committed readers until this passes, or
      // until the next owner initialises the same id (which it does when the partition is assigned).
      transactionTimeoutMs: 30_000,
    });
    await producer.connect();
    // kafkajs initialises the transactional id lazily, at the first transaction() (connect() only gets
    // a plain idempotent producer id). Begin and abort an empty transaction (no request is sent for
    // it) so the id is initialised now: that fences a previous owner and makes the coordinator finish
    // any transaction it left open before the committed offset is read.
    try {
      const init = await producer.transaction();
      await init.abort();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    return { producer, synced: false };
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
    const [entry] = await this.opts.admin.fetchOffsets({ groupId: this.opts.groupId, topics: [topic] });
    const offset = entry?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === '-1' ? undefined : offset;
  }
}

function slotKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function sizeOf(o: OutboundRecord): number {
  let n = (o.key?.length ?? 0) + (o.value?.length ?? 0) + 64;
  for (const [k, v] of Object.entries(o.headers))
    n += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 64);
  return n;
}

function* chunks(out: readonly OutboundRecord[]): Generator<OutboundRecord[]> {
  let chunk: OutboundRecord[] = [];
  let bytes = 0;
  for (const o of out) {
    const n = sizeOf(o);
    if (chunk.length > 0 && (bytes + n > MAX_CHUNK_BYTES || chunk.length >= MAX_CHUNK_RECORDS)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(o);
    bytes += n;
  }
  if (chunk.length > 0) yield chunk;
}

function byTopic(records: readonly OutboundRecord[]): { topic: string; messages: Message[] }[] {
  const topics = new Map<string, Message[]>();
  for (const r of records) {
    let messages = topics.get(r.topic);
    if (!messages) topics.set(r.topic, (messages = []));
    messages.push({ key: r.key, value: r.value, headers: r.headers });
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
