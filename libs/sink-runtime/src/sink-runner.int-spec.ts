import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { Headers, leadCloudEventHeaders, leadflowError, type DestinationOf, type Lead } from '@leadflow/lead-model';
import { createLogger, HealthState } from '@leadflow/observability';
import { OfferDestinationPublisher, OfferTable, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { createServer } from 'node:net';
import { createTestTopics, readTopic, testKafka, uniqueName } from '@leadflow/testing';
import { createSinkMetrics, sinkTopics, SinkRunner, type SingleSink } from './index';

/**
 * The runtime alone, with a trivial sink whose behaviour each lead chooses (its description): what matters here is
 * what the runtime commits. Committed offsets are read back from the broker after delivered, dead-lettered,
 * retried and rebalanced leads.
 */
const keyring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);
const logger = createLogger({ service: 'runtime-test', level: 'silent' });
const destination: DestinationOf<'https'> = { type: 'https', url: 'https://leads.example.com/hook' };

/**
 * Delivers 'ok', rejects 'bad' (data error), fails 'flaky' once (transient), holds 'slow' for 300 ms, and answers
 * 'quota' once with a quota that resets in 1.5 s.
 */
function trivialSink(seen: string[]): SingleSink<'https'> {
  const failedOnce = new Set<string>();
  const waited = new Set<string>();
  return {
    type: 'https',
    classify: (err) =>
      err instanceof Error && 'code' in err ? (err as never) : leadflowError('INTERNAL.UNEXPECTED', String(err)),
    async deliver(lead, _d, ctx) {
      seen.push(lead.leadId);
      if (lead.description === 'bad') throw leadflowError('HTTPS.ENDPOINT_REJECTED', 'the endpoint answered 422');
      if (lead.description === 'flaky' && !failedOnce.has(lead.leadId)) {
        failedOnce.add(lead.leadId);
        throw leadflowError('HTTPS.SERVER_ERROR', 'the endpoint answered 503');
      }
      if (lead.description === 'slow') await new Promise((r) => setTimeout(r, 300));
      if (lead.description === 'quota' && !waited.has(lead.leadId)) {
        waited.add(lead.leadId);
        throw leadflowError('SALESFORCE.DAILY_LIMIT', 'over the day', { waitUntil: Date.now() + 1_500 });
      }
      if (ctx.signal.aborted) throw leadflowError('HTTPS.SERVER_ERROR', 'aborted');
      return { externalId: `ext-${lead.leadId}` };
    },
  };
}

function lead(offerId: string, description: string): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    customer: { firstName: 'Kim', lastName: 'Doe', email: 'kim@contoso.example' },
    description,
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

async function committedMatchesEnd(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<{ committed: string[]; end: string[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const end = await admin.fetchTopicOffsets(topic);
    const byPartition = (xs: { partition: number; offset?: string; high?: string }[]) =>
      [...xs].sort((a, b) => a.partition - b.partition).map((x) => x.offset ?? x.high ?? '');
    return {
      committed: byPartition(committed?.partitions ?? []),
      end: byPartition(end.map((e) => ({ partition: e.partition, high: e.high }))),
    };
  } finally {
    await admin.disconnect();
  }
}

describe('sink runtime on a real broker', () => {
  let kafka: Kafka;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let publisher: OfferDestinationPublisher;
  const runners: SinkRunner<'https'>[] = [];
  const topics = () => sinkTopics('https', prefix);
  const route = () => `${prefix}leads.route.https`;

  const runner = (
    seen: string[],
    groupId: string,
    topicRefreshMs?: number,
    overrides: { maxInFlight?: number; maxAttempts?: number; sink?: SingleSink<'https'>; health?: HealthState } = {},
  ) => {
    const r = new SinkRunner({
      kafka,
      sink: overrides.sink ?? trivialSink(seen),
      offers: new OfferTable({ kafka, logger, clientId: uniqueName('offers'), topic: topics().offers }),
      keyring,
      topics: topics(),
      groupId,
      limits: {
        maxInFlight: overrides.maxInFlight ?? 64,
        maxInFlightPerOffer: 8,
        attemptTimeoutMs: 2_000,
        sessionTimeoutMs: 6_000,
        ...(topicRefreshMs ? { topicRefreshMs } : {}),
      },
      retry: { maxAttempts: overrides.maxAttempts ?? 3, baseDelayMs: 20, maxDelayMs: 50, maxElapsedMs: 5_000 },
      logger,
      metrics: createSinkMetrics(new Registry()),
      health: overrides.health ?? new HealthState(),
      // The quota of these tests resets in 1.5 s; a real one in hours.
      quotaWaitsShownFromMs: 1_000,
    });
    runners.push(r);
    return r;
  };

  async function send(leads: readonly Lead[]): Promise<void> {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: route(),
      acks: -1,
      messages: leads.map((l) => ({
        key: l.offerId,
        value: JSON.stringify(l),
        headers: leadCloudEventHeaders(l, { source: '/t' }),
      })),
    });
    await producer.disconnect();
  }

  beforeEach(async () => {
    kafka = testKafka();
    prefix = `${uniqueName('rt')}.`;
    cleanup = await createTestTopics(
      kafka,
      [route(), topics().deadLetter, topics().delivered, topics().offers, topics().quotaWaits as string],
      2,
    );
    publisher = new OfferDestinationPublisher({ kafka, topic: topics().offers });
    await publisher.connect();
    for (const offerId of ['contoso.a', 'contoso.b']) {
      await publisher.put({
        offerId,
        version: 1,
        destination: sealDestination(destination, keyring, offerId),
        updatedAt: new Date().toISOString(),
      });
    }
  });

  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop(1_000).catch(() => undefined);
    await publisher.disconnect();
    await cleanup();
  });

  it('commits every partition to its end once delivered, dead-lettered and retried leads are settled', async () => {
    const seen: string[] = [];
    const groupId = `${prefix}group`;
    const leads = [
      ...Array.from({ length: 20 }, (_, i) => lead(i % 2 ? 'contoso.a' : 'contoso.b', 'ok')),
      lead('contoso.a', 'bad'),
      lead('contoso.b', 'flaky'),
      lead('contoso.nowhere', 'ok'),
      lead('contoso.other-key', 'ok'),
    ];
    // Sealed with a key this sink's keyring lacks (an operator rotated keys without giving it the old one).
    const otherRing = parseKeyring(`k9:${randomBytes(32).toString('base64')}`);
    await publisher.put({
      offerId: 'contoso.other-key',
      version: 1,
      destination: sealDestination(
        { ...destination, signingSecret: 'a-signing-secret-0123' },
        otherRing,
        'contoso.other-key',
      ),
      updatedAt: new Date().toISOString(),
    });
    await send(leads);
    await runner(seen, groupId).start();

    const receipts = await readTopic(kafka, topics().delivered, { count: 21, timeoutMs: 20_000 });
    const dead = await readTopic(kafka, topics().deadLetter, { count: 3, timeoutMs: 20_000 });
    expect(new Set(receipts.map((r) => JSON.parse(r.value ?? '{}').leadId)).size).toBe(21);
    const flaky = receipts.map((r) => JSON.parse(r.value ?? '{}')).find((r) => r.leadId === leads[21]?.leadId);
    expect(flaky).toMatchObject({ attempts: 2, externalId: `ext-${leads[21]?.leadId}` });
    expect(dead.map((d) => d.headers[Headers.errorClass]).sort()).toEqual([
      'HTTPS.ENDPOINT_REJECTED',
      'INTERNAL.SECRET_KEY_UNAVAILABLE',
      'ROUTER.OFFER_NOT_CONFIGURED',
    ]);

    await runners[0]?.stop(2_000);
    const { committed, end } = await committedMatchesEnd(kafka, groupId, route());
    expect(committed).toEqual(end);
  });

  it('hands leads over at a rebalance without losing one, and the group ends committed to the end', async () => {
    const groupId = `${prefix}group`;
    const first: string[] = [];
    const second: string[] = [];
    const leads = Array.from({ length: 60 }, (_, i) => lead(i % 2 ? 'contoso.a' : 'contoso.b', 'slow'));
    await send(leads);
    const a = runner(first, groupId);
    await a.start();
    await new Promise((r) => setTimeout(r, 500));
    // A second instance joins: the partitions are split between the two mid-stream.
    await runner(second, groupId).start();
    await new Promise((r) => setTimeout(r, 500));
    // The first leaves (SIGTERM-like): what it did not settle is handed back, not committed.
    await a.stop(200);

    const receipts = await readTopic(kafka, topics().delivered, { count: 60, timeoutMs: 30_000, settleMs: 500 });
    const delivered = new Set(receipts.map((r) => JSON.parse(r.value ?? '{}').leadId as string));
    expect(leads.filter((l) => !delivered.has(l.leadId))).toEqual([]);
    expect(second.length).toBeGreaterThan(0);
    // A partition an instance kept through a rebalance is not fetched again from its committed offset: no lead in
    // flight there is attempted a second time by the same instance (a duplicate CRM call each).
    const twice = (seen: string[]) => seen.filter((id, i) => seen.indexOf(id) !== i);
    expect({ first: twice(first), second: twice(second) }).toEqual({ first: [], second: [] });

    await runners[1]?.stop(2_000);
    const { committed, end } = await committedMatchesEnd(kafka, groupId, route());
    expect(committed).toEqual(end);
  }, 60_000);

  it("holds a newly gained partition's leads for the sink's handover, and not the leads of a partition it kept", async () => {
    // A sink whose quota is per account in a rolling window (Marketo) asks for a handover: the previous owner's calls
    // must leave the window before this instance's first call to those accounts.
    const handoverMs = 4_000;
    const attempted = new Map<string, number>();
    const timed = (seen: string[]): SingleSink<'https'> => {
      const inner = trivialSink(seen);
      return {
        ...inner,
        handoverMs,
        deliver: (l, d, ctx) => {
          if (!attempted.has(l.leadId)) attempted.set(l.leadId, Date.now());
          return inner.deliver(l, d, ctx);
        },
      };
    };
    const sendTo = async (partition: number) => {
      const l = lead('contoso.a', 'ok');
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      await producer.send({
        topic: route(),
        acks: -1,
        messages: [{ partition, value: JSON.stringify(l), headers: leadCloudEventHeaders(l, { source: '/t' }) }],
      });
      await producer.disconnect();
      return { lead: l, sentAt: Date.now() };
    };
    const delayOf = async (x: { lead: Lead; sentAt: number }) => {
      for (const until = Date.now() + 20_000; !attempted.has(x.lead.leadId) && Date.now() < until;)
        await new Promise((r) => setTimeout(r, 50));
      return (attempted.get(x.lead.leadId) ?? Number.NaN) - x.sentAt;
    };

    const groupId = `${prefix}group`;
    const first: string[] = [];
    const second: string[] = [];
    // One instance: both partitions are new to it, so its first leads wait.
    const startedAt = Date.now();
    await runner(first, groupId, undefined, { sink: timed(first) }).start();
    const early = await Promise.all([sendTo(0), sendTo(1)]);
    const firstAttempts = await Promise.all(early.map(async (x) => (await delayOf(x)) + x.sentAt - startedAt));
    for (const at of firstAttempts) expect(at).toBeGreaterThanOrEqual(handoverMs - 100);

    // A second instance joins: one partition moves to it (held), the other stays with the first (not held).
    const health = new HealthState();
    await runner(second, groupId, undefined, { sink: timed(second), health }).start();
    while (!health.snapshot().ready) await new Promise((r) => setTimeout(r, 20));
    const late = await Promise.all([sendTo(0), sendTo(1)]);
    const delays = await Promise.all(late.map(delayOf));
    const byInstance = late.map((x, i) => ({ moved: second.includes(x.lead.leadId), delay: delays[i] ?? Number.NaN }));
    expect(byInstance.filter((x) => x.moved)).toHaveLength(1);
    for (const x of byInstance) {
      if (x.moved) expect(x.delay).toBeGreaterThanOrEqual(handoverMs - 1_000);
      else expect(x.delay).toBeLessThan(handoverMs / 2);
    }
  }, 60_000);

  it("reads an offer's own route topic created after it started, without a restart", async () => {
    const seen: string[] = [];
    const groupId = `${prefix}group`;
    await runner(seen, groupId, 500).start();
    const own = `${route()}.northwind`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: own, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const late = lead('contoso.a', 'ok');
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: own,
      acks: -1,
      messages: [
        { key: late.offerId, value: JSON.stringify(late), headers: leadCloudEventHeaders(late, { source: '/t' }) },
      ],
    });
    await producer.disconnect();
    const receipts = await readTopic(kafka, topics().delivered, { count: 1, timeoutMs: 30_000 });
    expect(receipts.map((r) => JSON.parse(r.value ?? '{}').leadId)).toEqual([late.leadId]);
  }, 60_000);

  it('lets leads wait for a quota without spending their retry budget or holding back other offers', async () => {
    const seen: string[] = [];
    const waiting = Array.from({ length: 3 }, () => lead('contoso.a', 'quota'));
    const others = Array.from({ length: 10 }, () => lead('contoso.b', 'ok'));
    await send([...waiting, ...others]);
    // Two in-flight slots and a single attempt: a retry would dead-letter, and held slots would stall contoso.b.
    await runner(seen, `${prefix}group`, undefined, { maxInFlight: 2, maxAttempts: 1 }).start();
    const receipts = (await readTopic(kafka, topics().delivered, { count: 13, timeoutMs: 20_000 })).map(
      (r) => JSON.parse(r.value ?? '{}') as { leadId: string; attempts: number },
    );
    const order = receipts.map((r) => r.leadId);
    const firstWaiting = Math.min(...waiting.map((l) => order.indexOf(l.leadId)));
    expect(others.every((l) => order.indexOf(l.leadId) < firstWaiting)).toBe(true);
    expect(receipts.filter((r) => waiting.some((l) => l.leadId === r.leadId)).map((r) => r.attempts)).toEqual([
      2, 2, 2,
    ]);
    expect(await readTopic(kafka, topics().deadLetter, { count: 1, timeoutMs: 1_000 })).toEqual([]);
    // The offer status was told: contoso.a's leads waited for the quota until it reset, then none waited any more.
    const waits = await readTopic(kafka, topics().quotaWaits as string, { count: 1_000, timeoutMs: 3_000 });
    const shown = waits
      .filter((w) => w.value !== null)
      .map((w) => JSON.parse(w.value ?? '{}') as Record<string, unknown>);
    expect(waits.every((w) => w.key === 'contoso.a|contoso.a')).toBe(true);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown[0]).toMatchObject({
      offerId: 'contoso.a',
      destination: 'https',
      errorClass: 'SALESFORCE.DAILY_LIMIT',
    });
    expect(Math.max(...shown.map((w) => Number(w['leads'])))).toBe(3);
    expect(waits[waits.length - 1]?.value).toBeNull();
  }, 60_000);

  it("holds back only the partition of an offer whose destination hangs: another partition's offer is delivered", async () => {
    const seen: string[] = [];
    // contoso.a's destination hangs until each attempt's timeout; contoso.b's answers at once.
    const hanging: SingleSink<'https'> = {
      ...trivialSink(seen),
      async deliver(l, _d, ctx) {
        if (l.offerId === 'contoso.a') {
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
          throw leadflowError('HTTPS.SERVER_ERROR', 'the endpoint did not answer');
        }
        return { externalId: `ext-${l.leadId}` };
      },
    };
    const hung = Array.from({ length: 60 }, () => lead('contoso.a', 'hang'));
    const steady = Array.from({ length: 10 }, () => lead('contoso.b', 'ok'));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const message = (l: Lead, partition: number) => ({
      key: l.offerId,
      partition,
      value: JSON.stringify(l),
      headers: leadCloudEventHeaders(l, { source: '/t' }),
    });
    await producer.send({ topic: route(), acks: -1, messages: hung.map((l) => message(l, 0)) });
    await producer.send({ topic: route(), acks: -1, messages: steady.map((l) => message(l, 1)) });
    await producer.disconnect();
    const registry = new Registry();
    // 50 unsettled at most, a partition's share 16 (the in-flight limit): contoso.a's 60 leads would fill the whole
    // bound and stop the instance if its partition were not held at its share.
    const r = new SinkRunner({
      kafka,
      sink: hanging,
      offers: new OfferTable({ kafka, logger, clientId: uniqueName('offers'), topic: topics().offers }),
      keyring,
      topics: topics(),
      groupId: `${prefix}group`,
      limits: {
        maxInFlight: 16,
        maxInFlightPerOffer: 8,
        maxUnsettled: 50,
        attemptTimeoutMs: 3_000,
        sessionTimeoutMs: 6_000,
      },
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50, maxElapsedMs: 30_000 },
      logger,
      metrics: createSinkMetrics(registry),
      health: new HealthState(),
    });
    runners.push(r);
    await r.start();
    const receipts = await readTopic(kafka, topics().delivered, { count: 10, timeoutMs: 8_000 });
    expect(new Set(receipts.map((x) => JSON.parse(x.value ?? '{}').leadId))).toEqual(
      new Set(steady.map((l) => l.leadId)),
    );
    const unsettled = (await registry.getSingleMetric('leadflow_sink_unsettled')?.get())?.values[0]?.value;
    expect(unsettled).toBeGreaterThanOrEqual(8);
    expect(unsettled).toBeLessThanOrEqual(16);
  }, 60_000);

  it('waits for a broker that is not there, not ready, instead of exiting, and stops waiting when stopped', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    // A port nothing listens on: the broker "is not there yet".
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        server.close(() => resolve(port));
      });
    });
    const nowhere = new Kafka({
      brokers: [`127.0.0.1:${closed}`],
      clientId: 'nowhere',
      logLevel: logLevel.NOTHING,
      // One retry, short: an idempotent producer refuses `retries: 0`, and the runner's own wait is under test.
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
      connectionTimeout: 200,
    });
    const health = new HealthState();
    const r = new SinkRunner({
      kafka: nowhere,
      sink: trivialSink([]),
      offers: new OfferTable({ kafka: nowhere, logger, clientId: uniqueName('offers'), topic: topics().offers }),
      keyring,
      topics: topics(),
      groupId: `${prefix}nowhere`,
      limits: { maxInFlight: 8, maxInFlightPerOffer: 8, attemptTimeoutMs: 1_000 },
      retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, maxElapsedMs: 100 },
      logger,
      metrics: createSinkMetrics(new Registry()),
      health,
    });
    let settled = false;
    const starting = r.start().then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(settled).toBe(false);
    expect(health.snapshot()).toMatchObject({ live: true, ready: false, reason: 'waiting for Kafka' });
    const t0 = Date.now();
    await r.stop(1_000);
    await starting;
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 30_000);
});
