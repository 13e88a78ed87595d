import { parseLead } from '@leadflow/lead-model';
import { createLogger } from '@leadflow/observability';
import { testKafka } from '@leadflow/testing';
import { createRouter, type Router } from '../router';
import {
  createRouterTestTopics,
  eventually,
  offerRecord,
  produce,
  publishOffers,
  readCreatedTopic,
  type TestTopics,
} from '../test/router-fixtures';

const logger = createLogger({ service: 'router-int-test', level: 'silent' });
const OFFER = 'fabrikam.analytics-suite';

/**
 * Producers that write straight to `leads.ingested` with a plain Kafka client, in each input shape the HTTP
 * API accepts, without the fields or headers ingest adds.
 */
describe('router: producers writing straight to Kafka', () => {
  const kafka = testKafka();
  let t: TestTopics;
  let router: Router;

  beforeEach(async () => {
    t = await createRouterTestTopics(kafka);
    router = createRouter({ kafka, logger, topics: t.topics, groupId: `${t.prefix}router` });
    await publishOffers(kafka, t.topics.offers, [
      offerRecord(OFFER, 1, { type: 'https', url: 'https://hooks.fabrikam.example/leads' }),
    ]);
    await router.start();
    await eventually(() => router.health.snapshot().ready, 20_000, 'router ready');
  });
  afterEach(async () => {
    await router.stop();
    await t.cleanup();
  });

  it('routes the three input shapes as canonical leads, strips a .edu customer, and dead-letters what the API refuses', async () => {
    const marketplace = {
      UserDetails: { FirstName: 'Some', LastName: 'One', Email: 'someone@contoso.example', Company: 'Contoso' },
      LeadSource: 'AzureMarketplace',
      ActionCode: 'INS',
      OfferTitle: 'Analytics',
    };
    const legacy = {
      first_name: 'Dana',
      last_name: 'Reyes',
      email: 'dana.reyes@fabrikam.example',
      company: 'Fabrikam',
      lead_source: `SPZA-PLT|${OFFER}`,
    };
    const canonical = {
      leadId: 'producer-canonical-1',
      offerId: OFFER,
      source: 'AzurePortal',
      action: 'Create',
      customer: { firstName: 'Kim', lastName: 'Doe', email: 'kim@fabrikam.example' },
      occurredAt: '2026-01-02T03:04:05Z',
    };
    const edu = {
      ...canonical,
      leadId: 'producer-edu-1',
      customer: {
        firstName: 'Pat',
        lastName: 'Student',
        email: 'pat@campus.edu',
        phone: '+1 555 0100',
        company: 'Campus',
      },
    };
    const refused = { UserDetails: { FirstName: 'No', Email: 'no-email' }, LeadSource: 'Fax-INS' };
    await produce(kafka, t.topics.ingested, [
      // Only ce_id and ce_time, as a CloudEvents producer sends them; the key names the offer.
      {
        key: OFFER,
        value: JSON.stringify(marketplace),
        headers: { ce_id: 'mkt-evt-1', ce_time: '2026-02-03T04:05:06Z' },
      },
      { key: OFFER, value: JSON.stringify(legacy) },
      { key: OFFER, value: JSON.stringify(canonical) },
      { key: OFFER, value: JSON.stringify(edu) },
      { key: OFFER, value: JSON.stringify(refused), headers: { ce_id: 'bad-1' } },
    ]);

    const [routed, dlq] = await Promise.all([
      readCreatedTopic(kafka, t.topics.route('https'), { count: 4, timeoutMs: 20_000 }),
      readCreatedTopic(kafka, t.topics.deadLetter, { count: 1, timeoutMs: 20_000 }),
    ]);
    expect(routed).toHaveLength(4);
    const leads = routed.map((r) => {
      const parsed = parseLead(JSON.parse(r.value ?? 'null'));
      if (!parsed.ok) throw new Error(`not canonical on the route topic: ${JSON.stringify(parsed.issues)}`);
      // Every routed record carries the CloudEvents headers of its lead.
      expect(r.headers).toMatchObject({
        ce_id: parsed.value.leadId,
        ce_specversion: '1.0',
        ce_type: 'leadflow.lead.v1',
        'content-type': 'application/json',
      });
      return parsed.value;
    });
    const [m, l, c, e] = leads;
    expect(m).toMatchObject({ leadId: 'mkt-evt-1', offerId: OFFER, occurredAt: '2026-02-03T04:05:06.000Z' });
    expect(m?.customer.email).toBe('someone@contoso.example');
    expect(l).toMatchObject({ offerId: OFFER, source: 'AppSource', action: 'PLT', isTest: false });
    expect(c).toMatchObject({ leadId: 'producer-canonical-1', occurredAt: '2026-01-02T03:04:05Z' });
    expect(e).toMatchObject({
      leadId: 'producer-edu-1',
      piiSuppressed: true,
      customer: { firstName: '', lastName: '', email: '', company: 'Campus' },
    });
    const eduText = JSON.stringify(routed[3]);
    for (const pii of ['Pat', 'Student', 'pat@campus.edu', '555 0100']) expect(eduText).not.toContain(pii);

    expect(dlq).toHaveLength(1);
    expect(dlq[0]?.value).toBe(JSON.stringify(refused));
    expect(dlq[0]?.headers['leadflow.error.class']).toBe('ROUTER.MALFORMED_EVENT');
    expect(dlq[0]?.headers['leadflow.error.message']).toContain("LeadSource: unknown source 'Fax'");
  });
});
