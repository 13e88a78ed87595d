import { freePort } from '@leadflow/local-infra';
import { adminAuth, producerAuth, startTestIngest, type TestIngest } from '../ingest.int-harness';

describe('ingest without a reachable broker', () => {
  let t: TestIngest;

  beforeAll(async () => {
    // A port nothing listens on: the shared test broker is never touched.
    t = await startTestIngest({ brokers: `127.0.0.1:${await freePort()}`, waitReady: false });
  });

  afterAll(() => t?.close());

  it('answers 503 with Retry-After and accepts nothing, while staying alive and not ready', async () => {
    const lead = {
      offerId: 'contoso.crm',
      source: 'AzureMarketplace',
      action: 'INS',
      customer: { firstName: 'A', lastName: 'B', email: 'a@b.com' },
    };
    const single = await t.ingest.app.inject({
      method: 'POST',
      url: '/v1/leads',
      headers: { 'content-type': 'application/json', ...producerAuth },
      payload: JSON.stringify(lead),
    });
    expect(single.statusCode).toBe(503);
    expect(single.headers['retry-after']).toBe('5');
    expect(single.headers['content-type']).toContain('application/problem+json');
    expect(single.json()).toMatchObject({ status: 503, type: 'urn:leadflow:problem:broker-unavailable' });
    expect(single.body).not.toContain('leadId');

    const batch = await t.ingest.app.inject({
      method: 'POST',
      url: '/v1/leads/batch',
      headers: { 'content-type': 'application/json', ...producerAuth },
      payload: JSON.stringify({ leads: [lead, lead] }),
    });
    expect(batch.statusCode).toBe(503);

    const put = await t.ingest.app.inject({
      method: 'PUT',
      url: '/v1/offers/contoso.crm/destination',
      headers: { 'content-type': 'application/json', ...adminAuth },
      payload: JSON.stringify({ type: 'https', url: 'https://example.com/hook' }),
    });
    expect(put.statusCode).toBe(503);

    // Validation still comes first: a bad lead is a 400 whatever the broker's state.
    const invalid = await t.ingest.app.inject({
      method: 'POST',
      url: '/v1/leads',
      headers: { 'content-type': 'application/json', ...producerAuth },
      payload: JSON.stringify({}),
    });
    expect(invalid.statusCode).toBe(400);

    expect((await t.ingest.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.ingest.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
  });
});
