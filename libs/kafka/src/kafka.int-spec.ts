import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createKafka, ensureTopics, headersToStrings } from './index';

// The testing harness builds on this lib, so this suite uses plain kafkajs around the code under test.
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const testKafka = () =>
  new Kafka({
    brokers: (process.env['KAFKA_BROKERS'] ?? '').split(','),
    clientId: uniqueName('t'),
    logLevel: logLevel.NOTHING,
  });

describe('ensureTopics against a real broker', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const created: string[] = [];

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates missing topics with their partition count and cleanup policy, and leaves existing ones alone', async () => {
    const plain = uniqueName('t-plain');
    const compacted = uniqueName('t-compact');
    created.push(plain, compacted);

    const first = await ensureTopics(admin, [
      { name: plain, partitions: 4, compacted: false },
      { name: compacted, partitions: 2, compacted: true },
    ]);
    expect(first.sort()).toEqual([compacted, plain].sort());

    const meta = await admin.fetchTopicMetadata({ topics: [plain, compacted] });
    const partitions = Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]));
    expect(partitions).toEqual({ [plain]: 4, [compacted]: 2 });

    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: compacted, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');

    const second = await ensureTopics(admin, [{ name: plain, partitions: 8, compacted: false }]);
    expect(second).toEqual([]);
    const again = await admin.fetchTopicMetadata({ topics: [plain] });
    expect(again.topics[0]?.partitions).toHaveLength(4);
  });

  it('keeps a topic without a time or size limit when its retention is -1 (the audit trail)', async () => {
    const kept = uniqueName('t-kept');
    created.push(kept);
    await ensureTopics(admin, [{ name: kept, partitions: 1, compacted: false, retentionMs: -1 }]);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: kept, configNames: ['retention.ms', 'retention.bytes', 'cleanup.policy'] }],
    });
    const entries = Object.fromEntries(
      (configs.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
    );
    expect(entries).toEqual({ 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' });
  });

  it('creates a client that produces and consumes with string headers', async () => {
    const topic = uniqueName('t-rt');
    created.push(topic);
    await ensureTopics(admin, [{ name: topic, partitions: 2, compacted: false }]);
    const client = createKafka({
      brokers: (process.env['KAFKA_BROKERS'] ?? '').split(','),
      clientId: 'kafka-lib-test',
    });
    const producer = client.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'a', value: '1', headers: { h: 'x' } },
        { key: 'b', value: '2', headers: { h: Buffer.from('y') } },
      ],
    });
    await producer.disconnect();
    const seen: [string | undefined, string | undefined, string | undefined][] = [];
    const consumer = client.consumer({ groupId: uniqueName('g') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push([message.key?.toString(), message.value?.toString(), headersToStrings(message.headers)['h']]);
      },
    });
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    await consumer.disconnect();
    expect(seen.sort()).toEqual([
      ['a', '1', 'x'],
      ['b', '2', 'y'],
    ]);
  });
});
