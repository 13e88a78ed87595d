/**
 * The kafkajs produce path under a leader failover, in the style of kafkajs's own producer specs (a cluster and
 * brokers stubbed at the protocol boundary, kafkajs's real retrier and errors): ready to be proposed upstream with
 * patches/kafkajs+2.2.4.patch (tulios/kafkajs#1303). The same scenario runs against the unpatched package
 * (installed as `kafkajs-upstream`) to show what the patch fixes.
 */
interface Message {
  readonly partition: number;
  readonly value: string;
}
interface ProduceRequest {
  readonly topicData: { topic: string; partitions: { partition: number; messages: Message[] }[] }[];
}
type SendMessages = (opts: {
  acks: number;
  timeout?: number;
  topicMessages: { topic: string; messages: Message[] }[];
}) => Promise<{ topicName: string; partition: number }[]>;
type Factory = (deps: Record<string, unknown>) => SendMessages;

const load = (pkg: string) => require(`${pkg}/src/producer/sendMessages`) as Factory;

const { KafkaJSConnectionClosedError } = require('kafkajs/src/errors') as {
  KafkaJSConnectionClosedError: new (msg: string, info: { host: string; port: number }) => Error;
};

const createRetry = require('kafkajs/src/retry') as (o: object) => unknown;

const TOPIC = 'leads';

/**
 * Partitions 0 and 1 are led by broker 1, partition 2 by broker 2. Broker 2 dies during the first request (its
 * connection closes); the refreshed metadata then names broker 1 leader of partition 2, as a controller does after
 * a failover. Brokers record every record they acknowledge.
 */
function failoverCluster() {
  const leaders = new Map([
    [0, 1],
    [1, 1],
    [2, 2],
  ]);
  const acknowledged: Message[] = [];
  let broker2Alive = true;
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async ({ topicData }: ProduceRequest) => {
      if (nodeId === 2 && broker2Alive) {
        broker2Alive = false;
        throw new KafkaJSConnectionClosedError('Connection closed', { host: 'broker-2', port: 9092 });
      }
      for (const t of topicData) for (const p of t.partitions) acknowledged.push(...p.messages);
      return {
        topics: topicData.map((t) => ({
          topicName: t.topic,
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })),
        })),
      };
    },
  });
  const brokers = new Map([
    [1, broker(1)],
    [2, broker(2)],
  ]);
  const cluster = {
    targetTopics: new Set([TOPIC]),
    addMultipleTargetTopics: async () => undefined,
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => void leaders.set(2, 1),
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => [...leaders].map(([partitionId, leader]) => ({ partitionId, leader })),
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const out: Record<string, number[]> = {};
      for (const p of partitions.map(Number)) (out[String(leaders.get(p))] ??= []).push(p);
      return out;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers.get(Number(nodeId)),
  };
  return { cluster, acknowledged };
}

const eosManager = {
  isTransactional: () => false,
  acquireBrokerLock: async () => undefined,
  releaseBrokerLock: async () => undefined,
  getSequence: () => 0,
  updateSequence: () => undefined,
  getProducerId: () => -1,
  getProducerEpoch: () => 0,
};
const logger = { debug: () => undefined, error: () => undefined, warn: () => undefined, info: () => undefined };

async function sendAcrossFailover(pkg: string) {
  const { cluster, acknowledged } = failoverCluster();
  const sendMessages = load(pkg)({
    logger,
    cluster,
    eosManager,
    partitioner: ({ message }: { message: Message }) => message.partition,
    retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
  });
  const messages = [0, 1, 2].flatMap((partition) =>
    Array.from({ length: 3 }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
  );
  const responses = await sendMessages({ acks: -1, topicMessages: [{ topic: TOPIC, messages }] });
  return { responses, acknowledged: acknowledged.map((m) => m.value).sort(), sent: messages.map((m) => m.value) };
}

describe('kafkajs send across a leader failover', () => {
  it('re-sends the failed broker partitions to their new leader, even one that already answered (patched)', async () => {
    const { responses, acknowledged, sent } = await sendAcrossFailover('kafkajs');
    expect(acknowledged).toEqual([...sent].sort());
    expect(responses.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
  });

  it('loses them without an error in kafkajs 2.2.4 as published (what the patch fixes)', async () => {
    const { responses, acknowledged } = await sendAcrossFailover('kafkajs-upstream');
    expect(acknowledged.filter((v) => v.startsWith('p2-'))).toEqual([]);
    expect(responses.map((r) => r.partition).sort()).toEqual([0, 1]);
  });
});
