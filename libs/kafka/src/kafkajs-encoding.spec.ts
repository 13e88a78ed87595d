/**
 * kafkajs's record encoding and per-partition grouping, patched for speed (patches/kafkajs+2.2.4.patch: one encoder
 * of the record's exact size with its headers written in place, encoders not zero-filled, grouping without copying
 * the partition's array at every message), must produce exactly what the published package (`kafkajs-upstream`)
 * produces: the same bytes on the wire, the same messages on the same partitions in the same order.
 */
export {}; // a module: the other kafkajs specs beside it declare helpers of their own

type RecordEncoder = (r: Record<string, unknown>) => { buffer: Buffer };
type RecordBatchEncoder = (b: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
type Group = (o: Record<string, unknown>) => Record<string, unknown[]>;

const record = (pkg: string) => require(`${pkg}/src/protocol/recordBatch/record/v0`) as RecordEncoder;
const batch = (pkg: string) =>
  (require(`${pkg}/src/protocol/recordBatch/v0`) as { RecordBatch: RecordBatchEncoder }).RecordBatch;
const group = (pkg: string) => require(`${pkg}/src/producer/groupMessagesPerPartition`) as Group;

const records = [
  { key: null, value: null },
  { key: Buffer.from('offer-1'), value: Buffer.from('{"a":1}'), headers: {} },
  {
    offsetDelta: 7,
    timestampDelta: 1_234,
    key: Buffer.from('contoso.crm'),
    value: Buffer.from('x'.repeat(2_000)),
    headers: {
      ce_id: Buffer.from('0b7f7f0e-6d5f-4c55-9d8e-2d5d0a8f2c11'),
      ce_type: 'com.leadflow.lead.ingested',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      empty: '',
      many: ['one', Buffer.from('two'), 'é ü 漢字'],
    },
  },
];

describe('kafkajs encoding, patched against published', () => {
  it.each(records.map((r, i) => [i, r]))('record %i encodes to the same bytes', (_, r) => {
    expect(record('kafkajs')(r).buffer).toEqual(record('kafkajs-upstream')(r).buffer);
  });

  it('a record batch of all of them encodes to the same bytes', async () => {
    const b = { compression: 0, firstTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_500 };
    const patched = await batch('kafkajs')({ ...b, records: records.map((r) => record('kafkajs')(r)) });
    const published = await batch('kafkajs-upstream')({
      ...b,
      records: records.map((r) => record('kafkajs-upstream')(r)),
    });
    expect(patched.buffer).toEqual(published.buffer);
  });

  it('groups 5,000 messages over 6 partitions exactly as published', () => {
    const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId, leader: 1 }));
    const messages = Array.from({ length: 5_000 }, (_, i) => ({ key: `offer-${i % 37}`, value: String(i) }));
    const partitioner = ({ message }: { message: { value: string } }) => (Number(message.value) * 7) % 6;
    const args = { topic: 'leads.ingested', partitionMetadata, messages, partitioner };
    const patched = group('kafkajs')(args);
    expect(patched).toEqual(group('kafkajs-upstream')(args));
    expect(Object.values(patched).flat()).toHaveLength(5_000);
  });
});
