import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import { freePort } from '@leadflow/local-infra';
import {
  deadLetterHeaders,
  offerStatusKey,
  quotaWaitKey,
  type DeliveryReceipt,
  type OfferStatusRecord,
  type QuotaWaitRecord,
} from '@leadflow/lead-model';
import { createTestTopics, testBrokers, testKafka, uniqueName } from '@leadflow/testing';
import type { IngestTopics } from '../composition';
import {
  ADMIN_TOKEN,
  adminAuth,
  allTopics,
  PRODUCER_TOKEN,
  SECRET_KEYS,
  startTestIngest,
  uniqueTopics,
  URL_SIGNING_KEY,
  type TestIngest,
} from '../ingest.int-harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const OFFERS = ['contoso.status-a', 'contoso.status-b', 'fabrikam.status-c', 'northwind.status-d'];
const ROUNDS = 30;

/** An ingest in its own process (aggregator on), on `topics`, in the aggregators' group of `clientId`. */
function startIngestProcess(topics: IngestTopics, clientId: string, port: number): ChildProcess {
  return spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/ingest/src/status/test/ingest-process.int-harness.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        KAFKA_BROKERS: testBrokers().join(','),
        LEADFLOW_TEST_TOPICS: JSON.stringify(topics),
        LEADFLOW_TEST_CLIENT_ID: clientId,
        LEADFLOW_INGEST_PORT: String(port),
        LEADFLOW_INGEST_TOKENS: PRODUCER_TOKEN,
        LEADFLOW_ADMIN_TOKENS: ADMIN_TOKEN,
        LEADFLOW_SECRET_KEYS: SECRET_KEYS,
        LEADFLOW_URL_SIGNING_KEY: URL_SIGNING_KEY,
        LEADFLOW_LOG_LEVEL: process.env['LEADFLOW_TEST_LOG_LEVEL'] ?? 'error',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

const receipt = (leadId: string, offerId: string, deliveredAt: Date): DeliveryReceipt => ({
  leadId,
  offerId,
  destination: 'https',
  attempts: 1,
  deliveredAt: deliveredAt.toISOString(),
  isTest: false,
});

const deadLetter = (leadId: string, offerId: string) => ({
  key: offerId,
  value: JSON.stringify({ leadId, offerId, isTest: false }),
  headers: deadLetterHeaders({
    original: { ce_id: leadId },
    errorClass: 'HTTPS.ENDPOINT_REJECTED',
    category: 'configuration',
    message: 'refused in the test',
    originalTopic: 'leads.route.https',
    partition: 0,
    offset: '1',
    sink: 'https-sink',
    attempts: 1,
    failedAt: new Date(),
  }),
});

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Seen {
  readonly deadLetters: number;
  readonly lastLead?: string;
}

/** Every offer's status as GET /v1/offers/{id}/status answers it. */
async function statuses(t: TestIngest): Promise<Record<string, Seen>> {
  const out: Record<string, Seen> = {};
  for (const offerId of OFFERS) {
    const res = await t.ingest.app.inject({ method: 'GET', url: `/v1/offers/${offerId}/status`, headers: adminAuth });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ deadLetters: number; lastDelivery?: { leadId: string } }>();
    out[offerId] = {
      deadLetters: body.deadLetters,
      ...(body.lastDelivery ? { lastLead: body.lastDelivery.leadId } : {}),
    };
  }
  return out;
}

/** Gives the offer an HTTPS destination (an offer's status is answered once it has one). */
async function configure(t: TestIngest, offerId: string): Promise<void> {
  const res = await t.ingest.app.inject({
    method: 'PUT',
    url: `/v1/offers/${offerId}/destination`,
    headers: { ...adminAuth, 'content-type': 'application/json' },
    payload: JSON.stringify({ type: 'https', url: `https://${offerId}.example/leads` }),
  });
  expect(res.statusCode).toBe(200);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Offer status through its public surfaces, on a real broker: receipts and dead letters counted into offers.status
 * by ingest processes (one SIGKILLed mid-stream, another started in its place), answered by other ingest instances.
 */
describe('offer status from offers.status', () => {
  const kafka = testKafka();
  const topics: IngestTopics = uniqueTopics();
  const clientId = uniqueName('status-aggregators');
  const children: ChildProcess[] = [];
  const readers: TestIngest[] = [];
  const expected: Record<string, { deadLetters: number; lastLead?: string }> = {};
  let producer: Producer;
  let drop: () => Promise<void>;
  let sent = 0;

  /** A reader instance: it counts nothing itself (LEADFLOW_STATUS_AGGREGATOR=false), it answers from offers.status. */
  const reader = async (): Promise<TestIngest> => {
    const t = await startTestIngest({ topics, env: { LEADFLOW_STATUS_AGGREGATOR: 'false' } });
    readers.push(t);
    return t;
  };

  /** One round: a dead letter and a receipt for every offer. */
  const round = async (): Promise<void> => {
    const dead = OFFERS.map((o) => deadLetter(`dead-${++sent}`, o));
    const receipts = OFFERS.map((o) => receipt(`lead-${++sent}`, o, new Date(Date.now() + sent)));
    await producer.send({ topic: topics.deadLetters['https'] as string, acks: -1, messages: dead });
    await producer.send({
      topic: topics.delivered,
      acks: -1,
      messages: receipts.map((r) => ({ key: r.offerId, value: JSON.stringify(r) })),
    });
    for (const o of OFFERS) {
      const e = (expected[o] ??= { deadLetters: 0 });
      e.deadLetters += 1;
      e.lastLead = receipts.find((r) => r.offerId === o)?.leadId;
    }
  };

  beforeAll(async () => {
    drop = await createTestTopics(kafka, allTopics(topics), 3);
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    for (const r of readers) await r.close();
    await producer.disconnect();
    await drop();
  });

  it('counts every dead letter exactly once across an aggregator SIGKILL and a restart, and keeps the latest receipt', async () => {
    const answering = await reader();
    for (const offerId of OFFERS) await configure(answering, offerId);
    expect(Object.values(await statuses(answering)).map((s) => s.deadLetters)).toEqual([0, 0, 0, 0]);

    const first = startIngestProcess(topics, clientId, await freePort());
    children.push(first);
    for (let i = 0; i < ROUNDS / 3; i++) await round();
    // The first aggregator is counting (its commits reach the reader): it dies mid-stream, leads still coming.
    const counting = await eventually(
      () => statuses(answering),
      (s) => Object.values(s).some((x) => x.deadLetters > 0),
    );
    expect(Object.values(counting).some((x) => x.deadLetters > 0)).toBe(true);
    const killedWhileSending = (async () => {
      for (let i = 0; i < ROUNDS / 3; i++) await round();
    })();
    first.kill('SIGKILL');
    await exited(first);
    await killedWhileSending;

    const second = startIngestProcess(topics, clientId, await freePort());
    children.push(second);
    for (let i = 0; i < ROUNDS / 3; i++) await round();

    // Dead letters and receipts are counted by different partitions' owners: both must have caught up.
    const done = (s: Record<string, Seen>) =>
      OFFERS.every((o) => s[o]?.deadLetters === expected[o]?.deadLetters && s[o]?.lastLead === expected[o]?.lastLead);
    expect(await eventually(() => statuses(answering), done, 90_000)).toEqual(expected);
    // Nothing counted twice shows up later either (a batch the killed process had counted but not committed).
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await statuses(answering)).toEqual(expected);
  }, 180_000);

  it('answers a new instance from offers.status at once, without reading leads.delivered or the dead-letter topics', async () => {
    // Its receipt and dead-letter topics do not even exist: only offers.status knows the counts and latest receipts.
    const late = await startTestIngest({
      topics: {
        ...topics,
        delivered: uniqueName('status-never-created'),
        deadLetters: { https: uniqueName('status-never-created'), router: uniqueName('status-never-created') },
      },
      env: { LEADFLOW_STATUS_AGGREGATOR: 'false' },
    });
    readers.push(late);
    // Ready means offers.status was read to its end: the first answer is the whole answer.
    expect(await statuses(late)).toEqual(expected);
  }, 60_000);

  it('shows the leads a sink holds for a quota with the time they will be sent, until the sink lets them go', async () => {
    const answering = readers[0] as TestIngest;
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const wait = (offerId: string, at: string): QuotaWaitRecord => ({
      offerId,
      account: 'salesforce:00D5e000000AbCd',
      destination: 'salesforce',
      leads: 4,
      until: at,
      errorClass: 'SALESFORCE.DAILY_LIMIT',
      updatedAt: new Date().toISOString(),
    });
    const [held, stale] = OFFERS as [string, string];
    // As a sink writes them: one offer's leads held for an hour, another's record left behind by a sink that died.
    await producer.send({
      topic: topics.quotaWaits as string,
      acks: -1,
      messages: [
        { key: quotaWaitKey(held, 'salesforce:00D5e000000AbCd'), value: JSON.stringify(wait(held, until)) },
        {
          key: quotaWaitKey(stale, 'salesforce:00D5e000000AbCd'),
          value: JSON.stringify(wait(stale, new Date(Date.now() - 1_000).toISOString())),
        },
      ],
    });
    const quotaWaits = async (offerId: string) =>
      (
        await answering.ingest.app.inject({
          method: 'GET',
          url: `/v1/offers/${offerId}/status`,
          headers: adminAuth,
        })
      ).json<{ quotaWaits?: unknown[] }>().quotaWaits;
    expect(
      await eventually(
        () => quotaWaits(held),
        (w) => w !== undefined,
        20_000,
      ),
    ).toEqual([{ destination: 'salesforce', leads: 4, until, errorClass: 'SALESFORCE.DAILY_LIMIT' }]);
    expect(await quotaWaits(stale)).toBeUndefined();
    // The sink let them go (a tombstone): the status says nothing waits any more.
    await producer.send({
      topic: topics.quotaWaits as string,
      acks: -1,
      messages: [{ key: quotaWaitKey(held, 'salesforce:00D5e000000AbCd'), value: null }],
    });
    expect(
      await eventually(
        () => quotaWaits(held),
        (w) => w === undefined,
        20_000,
      ),
    ).toBeUndefined();
  }, 60_000);
});

/**
 * A new owner takes over the counts its predecessor committed even where they sit behind another aggregator's open
 * transaction on the same offers.status partition (a process killed mid-transaction leaves one open until its id is
 * fenced or it times out): read_committed readers see nothing past it, so "the view has read to the end" must mean
 * the end as written, not as stable.
 */
describe('offer status takeover behind an open transaction', () => {
  const kafka = testKafka();
  const topics: IngestTopics = uniqueTopics();
  const clientId = uniqueName('status-takeover');
  const group = `${clientId}-offer-status`;
  const offerId = 'contoso.takeover';
  const dlq = topics.deadLetters['https'] as string;
  const children: ChildProcess[] = [];
  const readers: TestIngest[] = [];
  let drop: () => Promise<void>;

  beforeAll(async () => {
    drop = await createTestTopics(kafka, allTopics(topics), 3);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    for (const r of readers) await r.close();
    await drop();
  });

  it('counts on from the predecessor’s last commit, not from what read_committed showed at takeover', async () => {
    const plain = kafka.producer();
    await plain.connect();
    // Ten dead letters on the input partition, counted by a predecessor that is gone.
    await plain.send({
      topic: dlq,
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({ ...deadLetter(`takeover-${i}`, offerId), partition: 0 })),
    });
    // The offers.status partition the offer's record for this input partition goes to (the services' partitioner).
    const key = offerStatusKey(offerId, dlq, 0);
    const partition = Partitioners.DefaultPartitioner()({
      topic: topics.offerStatus,
      partitionMetadata: [0, 1, 2].map((partitionId) => ({
        partitionId,
        partitionErrorCode: 0,
        leader: 0,
        replicas: [0],
        isr: [0],
      })),
      message: { key, value: null },
    });
    // Another input partition's owner died mid-transaction: its transaction stays open on that partition.
    const stuck = kafka.producer({
      transactionalId: `${group}-${topics.delivered}-1`,
      maxInFlightRequests: 1,
      idempotent: true,
      transactionTimeout: 5_000,
    });
    await stuck.connect();
    const open = await stuck.transaction();
    await open.send({
      topic: topics.offerStatus,
      acks: -1,
      messages: [{ key: offerStatusKey('fabrikam.other', topics.delivered, 1), value: null, partition }],
    });
    // The predecessor's last commit lands after it, on the same partition: 10 counted, input offset 10 committed.
    const predecessor = kafka.producer({
      transactionalId: `${group}-${dlq}-0`,
      maxInFlightRequests: 1,
      idempotent: true,
    });
    await predecessor.connect();
    const last = await predecessor.transaction();
    const counted: OfferStatusRecord = {
      offerId,
      input: { topic: dlq, partition: 0 },
      offset: '10',
      deadLetters: 10,
      validations: [],
      updatedAt: new Date().toISOString(),
    };
    await last.send({
      topic: topics.offerStatus,
      acks: -1,
      messages: [{ key, value: JSON.stringify(counted), partition }],
    });
    await last.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic: dlq, partitions: [{ partition: 0, offset: '10' }] }],
    });
    await last.commit();
    await predecessor.disconnect();

    // The eleventh dead letter, counted by a new owner.
    await plain.send({ topic: dlq, acks: -1, messages: [{ ...deadLetter('takeover-10', offerId), partition: 0 }] });
    await plain.disconnect();
    children.push(startIngestProcess(topics, clientId, await freePort()));

    const reader = await startTestIngest({ topics, env: { LEADFLOW_STATUS_AGGREGATOR: 'false' } });
    readers.push(reader);
    await configure(reader, offerId);
    const deadLetters = async () =>
      (
        await reader.ingest.app.inject({ method: 'GET', url: `/v1/offers/${offerId}/status`, headers: adminAuth })
      ).json<{ deadLetters: number }>().deadLetters;
    // The open transaction times out (the broker aborts it within its 10 s check); then every commit is visible.
    expect(await eventually(deadLetters, (n) => n === 11, 60_000)).toBe(11);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await deadLetters()).toBe(11);
    await stuck.disconnect();
  }, 120_000);
});
