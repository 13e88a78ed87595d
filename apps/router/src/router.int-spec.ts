import { parseDeadLetterHeaders, quotaAccount, type Destination } from '@leadflow/lead-model';
import { createLogger } from '@leadflow/observability';
import { OfferDestinationPublisher } from '@leadflow/offer-table';
import { testKafka } from '@leadflow/testing';
import { createRouter, type Router } from './router';
import {
  createRouterTestTopics,
  eventually,
  leadMessage,
  newLead,
  offerRecord,
  produce,
  publishOffers,
  readCreatedTopic,
  type TestTopics,
} from './test/router-fixtures';

const https = (url: string, topicSuffix?: string): Destination => ({
  type: 'https',
  url,
  ...(topicSuffix ? { topicSuffix } : {}),
});
// Quiet by default; LEADFLOW_TEST_LOG_LEVEL=debug shows the router's view when a test fails.
const logger = createLogger({ service: 'router-int-test', level: process.env['LEADFLOW_TEST_LOG_LEVEL'] ?? 'silent' });

describe('router against a real broker', () => {
  const kafka = testKafka();
  let t: TestTopics;
  let router: Router;

  beforeEach(async () => {
    t = await createRouterTestTopics(kafka);
    router = createRouter({ kafka, logger, topics: t.topics, groupId: `${t.prefix}router` });
  });
  afterEach(async () => {
    await router.stop();
    await t.cleanup();
  });

  it('routes leads of three offers to their topics with value and headers kept, keyed by quota account, and dead-letters unknown and retired offers', async () => {
    const fabrikamCrm: Destination = {
      type: 'dynamics',
      url: 'https://fabrikam.crm.dynamics.com',
      auth: { kind: 'aad', tenantId: 'fabrikam.onmicrosoft.com', clientId: 'app', clientSecret: 'dynamics-secret' },
      topicSuffix: 'fabrikam',
    };
    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.web', 1, https('https://hooks.contoso.example/leads')),
      offerRecord('fabrikam.crm', 4, fabrikamCrm),
      offerRecord('tailspin.table', 2, { type: 'azure-table', connectionString: 'UseDevelopmentStorage=true' }),
      // A legacy record written before Azure Blob was retired (parseDestination refuses it today).
      {
        offerId: 'litware.blob',
        version: 5,
        destination: { type: 'azure-blob', containerName: 'leads' },
        updatedAt: new Date().toISOString(),
      },
    ]);
    expect(router.health.snapshot().ready).toBe(false);
    await router.start();
    expect(router.offers.size).toBe(4);
    await eventually(() => router.health.snapshot().ready, 20_000, 'router ready');

    const leads = {
      web: leadMessage(newLead('contoso.web', 1)),
      crm: leadMessage(newLead('fabrikam.crm', 2)),
      table: leadMessage(newLead('tailspin.table', 3)),
      unknown: leadMessage(newLead('nobody.unknown', 4)),
      blob: leadMessage(newLead('litware.blob', 5)),
    };
    await produce(kafka, t.topics.ingested, Object.values(leads));

    const read = (topic: string, count: number) => readCreatedTopic(kafka, topic, { count, timeoutMs: 20_000 });
    const [web, crm, table, dlq] = await Promise.all([
      read(t.topics.route('https'), 1),
      read(t.topics.route('dynamics', 'fabrikam'), 1),
      read(t.topics.route('azure-table'), 1),
      read(t.topics.deadLetter, 2),
    ]);
    // A Dataverse destination's leads are keyed by its quota account (environment and user), the others by offer.
    for (const [got, sent, key] of [
      [web, leads.web, leads.web.key],
      [crm, leads.crm, quotaAccount(fabrikamCrm)],
      [table, leads.table, leads.table.key],
    ] as const) {
      expect(got).toHaveLength(1);
      expect(got[0]?.key).toBe(key);
      expect(got[0]?.value).toBe(sent.value);
      expect(got[0]?.headers).toEqual(sent.headers);
    }

    expect(dlq).toHaveLength(2);
    const byClass = Object.fromEntries(
      dlq.map((r) => {
        const info = parseDeadLetterHeaders(r.headers);
        if (!info.ok) throw new Error(`dead letter without its headers: ${JSON.stringify(info.issues)}`);
        return [info.value.errorClass, { record: r, info: info.value }];
      }),
    );
    const unknown = byClass['ROUTER.OFFER_NOT_CONFIGURED'];
    const retired = byClass['ROUTER.DESTINATION_RETIRED'];
    expect(unknown?.record.value).toBe(leads.unknown.value);
    expect(unknown?.record.key).toBe('nobody.unknown');
    expect(unknown?.info).toMatchObject({
      category: 'configuration',
      sink: 'router',
      attempts: 1,
      originalTopic: t.topics.ingested,
    });
    expect(unknown?.info.destinationVersion).toBeUndefined();
    expect(unknown?.info.remediation.length).toBeGreaterThan(10);
    expect(retired?.record.value).toBe(leads.blob.value);
    expect(retired?.info).toMatchObject({
      category: 'configuration',
      sink: 'router',
      attempts: 1,
      destinationVersion: '5',
    });
    // The original CloudEvents headers and traceparent ride along with the dead-letter set.
    expect(retired?.record.headers).toMatchObject(leads.blob.headers as Record<string, string>);
    expect(Number.isInteger(Number(retired?.info.offset))).toBe(true);

    const metrics = await router.registry.metrics();
    expect(metrics).toMatch(/leadflow_router_routed_total\{destination_type="https"\} 1/);
    expect(metrics).toMatch(/leadflow_router_dead_lettered_total\{error_class="ROUTER.DESTINATION_RETIRED"\} 1/);
  });

  it('dead-letters a malformed record byte for byte and still routes the valid record after it', async () => {
    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.web', 1, https('https://hooks.contoso.example/leads')),
    ]);
    await router.start();
    const before = leadMessage(newLead('contoso.web', 1));
    const after = leadMessage(newLead('contoso.web', 2));
    const garbage = Buffer.from([0x7b, 0x6e, 0x6f, 0x74, 0xff, 0xfe, 0x20, 0x6a, 0x73, 0x6f, 0x6e]);
    const invalid = JSON.stringify({ ...newLead('contoso.web', 3), source: 'Fax' });
    // One key, so all four land in one partition, in this order.
    await produce(kafka, t.topics.ingested, [
      before,
      { key: 'contoso.web', value: garbage, headers: { 'content-type': 'application/json' } },
      { key: 'contoso.web', value: invalid },
      after,
    ]);
    const [routed, dlq] = await Promise.all([
      readCreatedTopic(kafka, t.topics.route('https'), { count: 2, timeoutMs: 20_000 }),
      readCreatedTopic(kafka, t.topics.deadLetter, { count: 2, timeoutMs: 20_000 }),
    ]);
    expect(routed.map((r) => r.value)).toEqual([before.value, after.value]);
    expect(dlq).toHaveLength(2);
    expect(dlq[0]?.bytes?.equals(garbage)).toBe(true);
    expect(dlq[1]?.value).toBe(invalid);
    const [first, second] = dlq.map((r) => parseDeadLetterHeaders(r.headers));
    expect(first).toMatchObject({
      ok: true,
      value: { errorClass: 'ROUTER.MALFORMED_EVENT', category: 'data', message: 'the value is not JSON' },
    });
    expect(second).toMatchObject({ ok: true, value: { errorClass: 'ROUTER.MALFORMED_EVENT', category: 'data' } });
    expect(second?.ok && second.value.message).toContain('source');
    expect(dlq[0]?.headers['content-type']).toBe('application/json');
  });

  it('routes the next lead by the new configuration after a change, and dead-letters after a removal', async () => {
    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.web', 1, https('https://hooks.contoso.example/leads')),
    ]);
    await router.start();
    const first = leadMessage(newLead('contoso.web', 1));
    await produce(kafka, t.topics.ingested, [first]);
    expect(await readCreatedTopic(kafka, t.topics.route('https'), { count: 1, timeoutMs: 20_000 })).toHaveLength(1);

    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.web', 2, https('https://hooks.contoso.example/leads', 'contoso')),
    ]);
    await eventually(() => router.offers.get('contoso.web')?.version === 2, 10_000, 'configuration v2 applied');
    const second = leadMessage(newLead('contoso.web', 2));
    await produce(kafka, t.topics.ingested, [second]);
    const moved = await readCreatedTopic(kafka, t.topics.route('https', 'contoso'), { count: 1, timeoutMs: 20_000 });
    expect(moved.map((r) => r.value)).toEqual([second.value]);

    const remover = new OfferDestinationPublisher({ kafka, topic: t.topics.offers });
    await remover.connect();
    await remover.remove('contoso.web');
    await remover.disconnect();
    await eventually(() => router.offers.get('contoso.web') === undefined, 10_000, 'removal applied');
    const third = leadMessage(newLead('contoso.web', 3));
    await produce(kafka, t.topics.ingested, [third]);
    const dlq = await readCreatedTopic(kafka, t.topics.deadLetter, { count: 1, timeoutMs: 20_000 });
    expect(dlq.map((r) => [r.value, r.headers['leadflow.error.class']])).toEqual([
      [third.value, 'ROUTER.OFFER_NOT_CONFIGURED'],
    ]);
    // Still exactly one lead on each route topic.
    expect(
      await readCreatedTopic(kafka, t.topics.route('https'), { count: 1, timeoutMs: 5_000, settleMs: 300 }),
    ).toHaveLength(1);
  });

  it('routes a lead whose offer was configured a moment before it, without waiting for the table', async () => {
    await router.start();
    // Written back to back: the lead may reach the router before the table has read the configuration.
    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.fresh', 1, https('https://hooks.contoso.example/leads')),
    ]);
    const lead = leadMessage(newLead('contoso.fresh', 1));
    await produce(kafka, t.topics.ingested, [lead]);
    const routed = await readCreatedTopic(kafka, t.topics.route('https'), { count: 1, timeoutMs: 20_000 });
    expect(routed.map((r) => r.value)).toEqual([lead.value]);
  });

  it("spaces a busy partition's transactions by the interval: leads that arrive meanwhile share the next one", async () => {
    router = createRouter({
      kafka,
      logger,
      topics: t.topics,
      groupId: `${t.prefix}router-spaced`,
      transactionIntervalMs: 400,
    });
    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.web', 1, https('https://hooks.contoso.example/l')),
    ]);
    await router.start();
    await eventually(() => router.health.snapshot().ready, 20_000, 'router ready');

    // One lead every 50 ms to one partition (one offer, one key): without the interval each would be a transaction
    // of its own (one takes 10-25 ms here).
    const leads = Array.from({ length: 16 }, (_, i) => leadMessage(newLead('contoso.web', i)));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const started = Date.now();
    for (const lead of leads) {
      await producer.send({ topic: t.topics.ingested, acks: -1, messages: [lead] });
      await new Promise((r) => setTimeout(r, 50));
    }
    const elapsed = Date.now() - started;
    await producer.disconnect();

    const routed = await readCreatedTopic(kafka, t.topics.route('https'), {
      count: 16,
      timeoutMs: 20_000,
      settleMs: 500,
    });
    expect(routed.map((r) => r.value).sort()).toEqual(leads.map((l) => l.value).sort());
    const transactions = (await router.metrics.batchSize.get()).values.find((v) =>
      v.metricName?.endsWith('_count'),
    )?.value;
    expect(transactions).toBeGreaterThanOrEqual(2);
    expect(transactions).toBeLessThanOrEqual(Math.ceil(elapsed / 400) + 1);
  });

  it('recovers when its transactional producers are fenced: the failed batch is rolled back and read again, nothing lost or doubled', async () => {
    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.web', 1, https('https://hooks.contoso.example/leads')),
    ]);
    await router.start();
    const wave = (n: number) => Array.from({ length: 20 }, (_, i) => leadMessage(newLead('contoso.web', n * 100 + i)));
    const first = wave(1);
    await produce(kafka, t.topics.ingested, first);
    expect(await readCreatedTopic(kafka, t.topics.route('https'), { count: 20 })).toHaveLength(20);

    // Another producer takes over every transactional id the router uses (as a new owner of its
    // partitions would): the router's producers are fenced and their next transaction fails.
    const ingested = kafka.admin();
    await ingested.connect();
    const partitions = (await ingested.fetchTopicOffsets(t.topics.ingested)).map((p) => p.partition);
    await ingested.disconnect();
    for (const p of partitions) {
      const usurper = kafka.producer({
        transactionalId: `${t.prefix}router-${t.topics.ingested}-${p}`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await usurper.connect();
      // kafkajs initialises (and so fences with) a transactional id at its first transaction.
      await (await usurper.transaction()).abort();
      await usurper.disconnect();
    }

    const second = wave(2);
    await produce(kafka, t.topics.ingested, second);
    const routed = await readCreatedTopic(kafka, t.topics.route('https'), { count: 40, settleMs: 1_000 });
    expect(routed.map((r) => r.value).sort()).toEqual([...first, ...second].map((m) => String(m.value)).sort());
    expect(await router.registry.getSingleMetricAsString('leadflow_router_transactions_aborted_total')).toMatch(
      / [1-9]\d*$/m,
    );
    expect(router.health.snapshot()).toMatchObject({ live: true, ready: true });
  });

  it('aborts the open transaction a crashed owner left behind: its records and offsets never show, and readers are not held up', async () => {
    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.web', 1, https('https://hooks.contoso.example/leads')),
    ]);
    // Leads on ingested partition 0 only; the crashed owner below held partition 1, which gets none,
    // so only the router initialising that partition's producer on assignment can clean up after it.
    const leads = Array.from({ length: 5 }, (_, i) => ({ ...leadMessage(newLead('contoso.web', i)), partition: 0 }));
    await produce(kafka, t.topics.ingested, leads);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: t.topics.route('https'), numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();

    // A router that died mid-transaction: a record written (to the route partition the leads will
    // use: same key), offsets sent far ahead, never committed.
    const zombie = kafka.producer({
      transactionalId: `${t.prefix}router-${t.topics.ingested}-1`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
    });
    await zombie.connect();
    const tx = await zombie.transaction();
    await tx.send({ topic: t.topics.route('https'), messages: [{ key: 'contoso.web', value: 'zombie' }] });
    await tx.sendOffsets({
      consumerGroupId: `${t.prefix}router`,
      topics: [{ topic: t.topics.ingested, partitions: [{ partition: 1, offset: '1000' }] }],
    });
    await zombie.disconnect();

    await router.start();
    // Well within the zombie's 60 s transaction timeout: until it is aborted, read_committed readers
    // of that route partition cannot get past its record.
    const routed = await readCreatedTopic(kafka, t.topics.route('https'), {
      count: 5,
      timeoutMs: 15_000,
      settleMs: 500,
    });
    expect(routed.map((r) => r.value).sort()).toEqual(leads.map((m) => String(m.value)).sort());
    const committed = kafka.admin();
    await committed.connect();
    const [offsets] = await committed.fetchOffsets({ groupId: `${t.prefix}router`, topics: [t.topics.ingested] });
    await committed.disconnect();
    expect(offsets?.partitions.find((p) => p.partition === 1)?.offset).not.toBe('1000');
  });
});
