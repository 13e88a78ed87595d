import { createTestTopics, readTopic, testKafka, uniqueName } from '@leadflow/testing';
import { ensureTopics } from './index';

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

  it('round-trips records with string headers through readTopic', async () => {
    const topic = uniqueName('t-rt');
    const cleanup = await createTestTopics(kafka, [topic], 2);
    const producer = kafka.producer({ idempotent: true });
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
    const records = await readTopic(kafka, topic, { count: 2 });
    expect(records.map((r) => [r.key, r.value, r.headers['h']]).sort()).toEqual([
      ['a', '1', 'x'],
      ['b', '2', 'y'],
    ]);
    await cleanup();
  });
});
