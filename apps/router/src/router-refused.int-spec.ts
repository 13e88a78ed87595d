import { parseDeadLetterHeaders } from '@leadflow/lead-model';
import { createLogger } from '@leadflow/observability';
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

const logger = createLogger({ service: 'router-int-test', level: process.env['LEADFLOW_TEST_LOG_LEVEL'] ?? 'silent' });

describe('router and a record the broker refuses', () => {
  const kafka = testKafka();
  let t: TestTopics;
  let router: Router;

  beforeEach(async () => {
    t = await createRouterTestTopics(kafka, 1);
    router = createRouter({ kafka, logger, topics: t.topics, groupId: `${t.prefix}router` });
  });
  afterEach(async () => {
    await router.stop();
    await t.cleanup();
  });

  it('dead-letters a lead larger than its route topic allows, routes the leads around it, and does not retry forever', async () => {
    // The offer's own route topic takes records up to 2 KB only (an operator's choice the router cannot change).
    const route = t.topics.route('https', 'small');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: route, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    await publishOffers(kafka, t.topics.offers, [
      offerRecord('contoso.small', 1, {
        type: 'https',
        url: 'https://hooks.contoso.example/leads',
        topicSuffix: 'small',
      }),
    ]);
    await router.start();
    await eventually(() => router.health.snapshot().ready, 20_000, 'router ready');

    const before = newLead('contoso.small', 1);
    const big = { ...newLead('contoso.small', 2), description: 'x'.repeat(3_000) };
    const after = newLead('contoso.small', 3);
    await produce(kafka, t.topics.ingested, [leadMessage(before), leadMessage(big), leadMessage(after)]);

    const [routed, dead] = await Promise.all([
      readCreatedTopic(kafka, route, { count: 2, timeoutMs: 30_000, settleMs: 500 }),
      readCreatedTopic(kafka, t.topics.deadLetter, { count: 1, timeoutMs: 30_000, settleMs: 500 }),
    ]);
    expect(routed.map((r) => JSON.parse(r.value ?? '{}').leadId)).toEqual([before.leadId, after.leadId]);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]?.value ?? '{}').leadId).toBe(big.leadId);
    const headers = parseDeadLetterHeaders(dead[0]?.headers ?? {});
    if (!headers.ok) throw new Error(JSON.stringify(headers.issues));
    expect(headers.value).toMatchObject({ errorClass: 'ROUTER.RECORD_REFUSED', category: 'data' });
    expect(headers.value.message).toContain('MESSAGE_TOO_LARGE');
  }, 60_000);
});
