import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import { leadCloudEventHeaders, type Destination, type Lead, type OfferDestinationRecord } from '@leadflow/lead-model';
import { OfferDestinationPublisher, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { headersToStrings } from '@leadflow/kafka';
import { createTestTopics, uniqueName } from '@leadflow/testing';
import { routerTopics, type RouterTopics } from '../routing/router-topics';

/** Test-only helpers for the router's integration tests (real broker, topics of their own). */

export const ring = parseKeyring(`t1:${randomBytes(32).toString('base64')}`);

export function newLead(offerId: string, n = 0): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'Create',
    offerTitle: `Offer ${n}`,
    customer: { firstName: 'Ann', lastName: `Lee${n}`, email: `ann${n}@contoso.example`, company: 'Contoso' },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

/** A record as ingest writes it: key offerId, JSON value, CloudEvents headers and a traceparent. */
export function leadMessage(lead: Lead): Message {
  const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  return {
    key: lead.offerId,
    value: JSON.stringify(lead),
    headers: leadCloudEventHeaders(lead, { source: 'leadflow/test', traceparent }),
  };
}

export function offerRecord(offerId: string, version: number, destination: Destination): OfferDestinationRecord {
  return {
    offerId,
    version,
    destination: sealDestination(destination, ring, offerId),
    updatedAt: new Date().toISOString(),
  };
}

export interface TestTopics {
  readonly prefix: string;
  readonly topics: RouterTopics;
  /** Deletes every topic of this prefix, including those the router created. */
  cleanup(): Promise<void>;
}

/** A namespace of topics for one test: ingested (3 partitions) and offers (1) exist; the router creates the rest. */
export async function createRouterTestTopics(kafka: Kafka, ingestedPartitions = 3): Promise<TestTopics> {
  const prefix = `${uniqueName('rt')}.`;
  const topics = routerTopics(prefix);
  const dropIngested = await createTestTopics(kafka, [topics.ingested], ingestedPartitions);
  const dropOffers = await createTestTopics(kafka, [topics.offers], 1);
  return {
    prefix,
    topics,
    cleanup: async () => {
      await dropIngested();
      await dropOffers();
      const admin = kafka.admin();
      await admin.connect();
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

export async function publishOffers(
  kafka: Kafka,
  topic: string,
  records: readonly OfferDestinationRecord[],
): Promise<void> {
  const publisher = new OfferDestinationPublisher({ kafka, topic });
  await publisher.connect();
  for (const r of records) await publisher.put(r);
  await publisher.disconnect();
}

export async function produce(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ReadRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** The value as UTF-8 text, and as the bytes themselves. */
  readonly value: string | null;
  readonly bytes: Buffer | null;
  readonly headers: Record<string, string>;
}

export interface ReadOptions {
  readonly count: number;
  readonly timeoutMs?: number;
  /** Keep reading this long after `count` is reached, to catch duplicates. */
  readonly settleMs?: number;
}

/**
 * Reads a topic from the beginning, read_committed, with a fresh group, until `count` records (and
 * `settleMs` more). Waits for the topic to exist first (the router creates its output topics on first
 * use). Unlike @leadflow/testing's readTopic it long-polls briefly, so disconnecting does not wait 5 s.
 */
export async function readCreatedTopic(kafka: Kafka, topic: string, opts: ReadOptions): Promise<ReadRecord[]> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await eventually(async () => (await admin.listTopics()).includes(topic), timeoutMs, `topic ${topic} created`);
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false, maxWaitTimeInMs: 250 });
  const records: ReadRecord[] = [];
  let reachedAt: number | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? null,
          bytes: message.value,
          headers: headersToStrings(message.headers),
        });
        if (records.length >= opts.count) reachedAt ??= Date.now();
      },
    });
    while (Date.now() < deadline && (reachedAt === undefined || Date.now() - reachedAt < (opts.settleMs ?? 0))) {
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await consumer.disconnect();
  }
  return records;
}
