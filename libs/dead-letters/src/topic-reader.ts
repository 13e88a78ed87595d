import { randomBytes } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

/**
 * A topic's offsets, retried briefly on the errors a topic created a moment ago answers with (its leader is
 * not yet known to every broker).
 */
async function offsetsOf(admin: Admin, topic: string): Promise<{ partition: number; high: string; low: string }[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (err) {
      if (attempt >= 20 || (err as { retriable?: unknown }).retriable !== true) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export type RecordHandler = (topic: string, partition: number, message: KafkaMessage) => void;

export interface ReadToEndOptions {
  /** Prefix of the throw-away consumer group (it commits nothing and is deleted afterwards). */
  readonly groupPrefix: string;
  /** Gives up when the topics are not read within this time. */
  readonly timeoutMs?: number;
}

/**
 * Reads `topics` (those that exist) from the beginning up to their ends as of the call, read_committed,
 * and returns. The end of a partition is its last stable offset, so records of a transaction still open
 * when the call starts are not waited for, and records written after it are left out.
 */
export async function readToEnd(
  kafka: Kafka,
  topics: readonly string[],
  onRecord: RecordHandler,
  opts: ReadToEndOptions,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${opts.groupPrefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    // Next offset to read, per partition, and the end to reach (exclusive).
    const pending = new Map<string, { end: bigint }>();
    for (const topic of present) {
      for (const p of await offsetsOf(admin, topic)) {
        if (BigInt(p.high) > BigInt(p.low)) pending.set(`${topic}:${p.partition}`, { end: BigInt(p.high) });
      }
    }
    if (pending.size === 0) return;
    const ends = new Map([...pending].map(([k, v]) => [k, v.end]));

    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      // Short fetch waits: the read ends as soon as the last partition is caught up.
      maxWaitTimeInMs: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    let finish!: () => void;
    let failed!: (err: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      failed = reject;
    });
    consumer.on(consumer.events.CRASH, (e) => failed(e.payload.error));
    const timer = setTimeout(
      () => failed(new Error(`reading ${present.join(', ')} did not finish within ${opts.timeoutMs ?? 120_000} ms`)),
      opts.timeoutMs ?? 120_000,
    );
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: present, fromBeginning: true });
      // Progress is taken from the batch events: kafkajs emits them for batches made only of control
      // records (transaction markers) too, which never reach eachBatch.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const key = `${payload.topic}:${payload.partition}`;
        const end = ends.get(key);
        if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end && pending.delete(key) && pending.size === 0)
          finish();
      });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch }) => {
          const end = ends.get(`${batch.topic}:${batch.partition}`);
          if (end === undefined) return;
          for (const m of batch.messages) if (BigInt(m.offset) < end) onRecord(batch.topic, batch.partition, m);
        },
      });
      await done;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
