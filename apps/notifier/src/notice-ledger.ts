import type { Kafka, Producer } from 'kafkajs';
import type { NoticeRecord } from '@leadflow/lead-model';
import type { Logger } from '@leadflow/observability';

/**
 * `notices.sent`, the notifier's memory: a notice is recorded here (acks=all) after the mail server took it and
 * before the offset of the record that caused it is committed. A crash between the two re-sends that one notice
 * at the next start; nothing recorded is ever sent again.
 */
export class NoticeLedger {
  constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  async record(r: NoticeRecord): Promise<void> {
    await this.producer.send({ topic: this.topic, acks: -1, messages: [{ key: r.key, value: JSON.stringify(r) }] });
  }

  /** Every record up to the end offsets as they are now (read without a committing group). */
  async load(groupId: string, timeoutMs = 60_000): Promise<NoticeRecord[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(this.topic).finally(() => admin.disconnect());
    const pending = new Map(
      ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)] as const),
    );
    const out: NoticeRecord[] = [];
    if (pending.size === 0) return out;
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout: 10_000 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${this.topic} was not read to its end in ${timeoutMs} ms`)),
          timeoutMs,
        );
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.value) {
              try {
                out.push(JSON.parse(message.value.toString('utf8')) as NoticeRecord);
              } catch {
                this.logger.warn({ partition, offset: message.offset }, 'unreadable notices.sent record skipped');
              }
            }
            const end = pending.get(partition);
            if (end !== undefined && BigInt(message.offset) + 1n >= end) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await done;
    } finally {
      await consumer.disconnect();
    }
    return out;
  }
}
