import { Kafka, logLevel } from 'kafkajs';
import { indexReceipt, readerEnv, readerMeter } from './reader-report';

/** The status reader as ingest had it before decision 0008 (a full read of leads.delivered): a plain kafkajs consumer. */
async function main(): Promise<void> {
  const env = readerEnv();
  const index = new Map<string, string>();
  const meter = readerMeter(env.expected, () => index.size);
  const kafka = new Kafka({ clientId: 'bench-kafkajs-reader', brokers: env.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: env.groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 1_000,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [env.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      indexReceipt(index, message.value?.toString('utf8') ?? 'null');
      meter.record();
    },
  });
}

void main();
