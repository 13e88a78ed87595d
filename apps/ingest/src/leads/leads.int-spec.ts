import { LEAD_EVENT_TYPE, type Lead } from '@leadflow/lead-model';
import { signOfferId } from '../auth/url-signature';
import { producerAuth, startTestIngest, TopicCollector, URL_SIGNING_KEY, type TestIngest } from '../ingest.int-harness';
import { leadIdFromIdempotencyKey } from './lead-ids';

const OFFER = 'contoso.crm-connector';
const json = { 'content-type': 'application/json' };

const canonical = (over: Record<string, unknown> = {}) => ({
  offerId: OFFER,
  source: 'AzureMarketplace',
  action: 'INS',
  offerTitle: 'CRM Connector',
  customer: {
    firstName: 'Ann',
    lastName: 'Lee',
    email: 'ann.lee@contoso.com',
    phone: '+1 555 0100',
    company: 'Contoso',
  },
  ...over,
});

const marketplace = {
  UserDetails: {
    FirstName: 'Bo',
    LastName: 'Ng',
    Email: 'bo@fabrikam.com',
    Phone: '16175555555',
    Country: 'USA',
    Company: 'Fabrikam',
  },
  LeadSource: 'AzureMarketplace',
  ActionCode: 'INS',
  OfferTitle: 'CRM Connector',
  Description: 'from the marketplace',
};

const legacy = {
  first_name: 'Cy',
  last_name: 'Ott',
  email: 'cy@adatum.com',
  company: 'Adatum',
  lead_source: `AppSource-PLT|${OFFER}`,
  unknown_field: 'ignored',
};

describe('ingest lead endpoints against a real broker', () => {
  let t: TestIngest;
  let collector: TopicCollector;

  beforeAll(async () => {
    // A generous linger makes coalescing observable without any timing assertion.
    t = await startTestIngest({ env: { LEADFLOW_PRODUCE_LINGER_MS: '20' } });
    collector = new TopicCollector(t.kafka);
    await collector.start([t.topics.ingested]);
  });

  afterAll(async () => {
    await collector?.stop();
    await t?.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = producerAuth) =>
    t.ingest.app.inject({ method: 'POST', url, headers: { ...json, ...headers }, payload: JSON.stringify(payload) });

  it('accepts the three input shapes with 202 only once they are on the topic, with CloudEvents headers', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const a = await post('/v1/leads', canonical(), { ...producerAuth, traceparent });
    const b = await post(`/v1/offers/${OFFER}/leads`, marketplace);
    const c = await post('/v1/leads', legacy);
    for (const r of [a, b, c]) expect(r.statusCode).toBe(202);
    const ids = [a, b, c].map((r) => (r.json() as { leadId: string }).leadId);
    expect(new Set(ids).size).toBe(3);

    const records = await collector.leads(t.topics.ingested, ids);
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.key).toBe(OFFER);
      expect(r.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_source: '/leadflow/ingest',
        ce_type: LEAD_EVENT_TYPE,
        'content-type': 'application/json',
      });
      const lead = JSON.parse(r.value ?? '') as Lead;
      expect(r.headers['ce_id']).toBe(lead.leadId);
      expect(r.headers['ce_time']).toBe(lead.occurredAt);
    }
    const byId = new Map(records.map((r) => [r.headers['ce_id'], r]));
    expect(byId.get(ids[0])?.headers['traceparent']).toBe(traceparent);
    const fromMarketplace = JSON.parse(byId.get(ids[1])?.value ?? '') as Lead;
    expect(fromMarketplace).toMatchObject({
      offerId: OFFER,
      customer: { email: 'bo@fabrikam.com', company: 'Fabrikam' },
    });
    const fromLegacy = JSON.parse(byId.get(ids[2])?.value ?? '') as Lead & Record<string, unknown>;
    expect(fromLegacy).toMatchObject({ source: 'AppSource', action: 'PLT', customer: { firstName: 'Cy' } });
    expect(fromLegacy['unknown_field']).toBeUndefined();
  });

  it('gives a retried request the same leadId (Idempotency-Key) and keeps a producer-supplied leadId', async () => {
    const key = `order-${Date.now()}`;
    const first = await post('/v1/leads', canonical(), { ...producerAuth, 'idempotency-key': key });
    const retry = await post('/v1/leads', canonical(), { ...producerAuth, 'idempotency-key': key });
    expect(first.statusCode).toBe(202);
    expect(retry.json()).toEqual(first.json());
    expect(first.json()).toEqual({ leadId: leadIdFromIdempotencyKey(OFFER, key) });

    const own = await post('/v1/leads', canonical({ leadId: 'producer-lead-42' }), {
      ...producerAuth,
      'idempotency-key': key,
    });
    expect(own.json()).toEqual({ leadId: 'producer-lead-42' });

    const bad = await post('/v1/leads', canonical(), { ...producerAuth, 'idempotency-key': 'x'.repeat(300) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);
  });

  it('removes the PII of a .edu customer before the lead enters Kafka', async () => {
    const r = await post(
      '/v1/leads',
      canonical({
        customer: {
          firstName: 'Dana',
          lastName: 'Scholar',
          email: 'dana@campus.uni.edu',
          phone: '555-0199',
          company: 'University',
        },
      }),
    );
    expect(r.statusCode).toBe(202);
    const [record] = await collector.leads(t.topics.ingested, [r.json().leadId]);
    expect(record?.value).toBeDefined();
    expect(record?.value).not.toMatch(/Dana|Scholar|campus|555-0199/);
    expect(JSON.parse(record?.value ?? '')).toMatchObject({ piiSuppressed: true, customer: { company: 'University' } });
  });

  it('answers a batch with one result per item, in order, and publishes only the valid ones', async () => {
    const r = await post('/v1/leads/batch', {
      leads: [canonical(), { ...canonical(), source: 'Nowhere', customer: { email: 'nope' } }, legacy],
    });
    expect(r.statusCode).toBe(200);
    const { results } = r.json() as { results: Record<string, unknown>[] };
    expect(results).toHaveLength(3);
    expect(results[0]).toEqual({ leadId: expect.any(String) });
    expect(results[1]).toMatchObject({ status: 400, type: 'urn:leadflow:problem:validation-error' });
    expect((results[1]?.['errors'] as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(['source', 'customer.email']),
    );
    expect(results[2]).toEqual({ leadId: expect.any(String) });
    const published = await collector.leads(t.topics.ingested, [
      results[0]?.['leadId'] as string,
      results[2]?.['leadId'] as string,
    ]);
    expect(published).toHaveLength(2);

    const tooMany = await post('/v1/leads/batch', { leads: Array.from({ length: 1001 }, () => canonical()) });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0].path).toBe('leads');
  });

  it('coalesces concurrent single leads into few produce requests, each answered after its own ack', async () => {
    const before = await t.ingest.registry.getSingleMetricAsString('leadflow_ingest_produce_batch_size');
    const count = (text: string) =>
      Number(/leadflow_ingest_produce_batch_size_count\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post('/v1/leads', canonical({ description: `n${i}` }))),
    );
    expect(responses.every((r) => r.statusCode === 202)).toBe(true);
    const after = await t.ingest.registry.getSingleMetricAsString('leadflow_ingest_produce_batch_size');
    expect(count(after) - count(before)).toBeLessThan(40);
    const ids = responses.map((r) => r.json().leadId as string);
    expect(await collector.leads(t.topics.ingested, ids)).toHaveLength(40);
  });

  it('takes the offer-scoped URL signature instead of a token, and only for that offer', async () => {
    const sig = signOfferId(URL_SIGNING_KEY, OFFER);
    const ok = await post(`/v1/offers/${OFFER}/leads?sig=${sig}`, marketplace, {});
    expect(ok.statusCode).toBe(202);
    const other = await post(`/v1/offers/fabrikam.other/leads?sig=${sig}`, marketplace, {});
    expect(other.statusCode).toBe(401);
    const unsigned = await post(`/v1/leads?sig=${sig}`, canonical(), {});
    expect(unsigned.statusCode).toBe(401);
    const mismatch = await post(`/v1/offers/${OFFER}/leads?sig=${sig}`, canonical({ offerId: 'fabrikam.other' }), {});
    expect(mismatch.statusCode).toBe(400);
  });

  it('answers a field of the wrong type with 400 problem details, never 500, on every lead URL', async () => {
    const sig = signOfferId(URL_SIGNING_KEY, OFFER);
    const wrong: [Record<string, unknown>, string][] = [
      [canonical({ customer: { firstName: 'Ann', lastName: 'Lee', email: 12 } }), 'customer.email'],
      [canonical({ customer: { firstName: 'Ann', lastName: [], email: 'ann@contoso.com' } }), 'customer.lastName'],
      [canonical({ customer: { firstName: 'Ann', lastName: 'Lee', email: '' } }), 'customer.email'],
      [{ ...marketplace, UserDetails: { ...marketplace.UserDetails, LastName: [] } }, 'UserDetails.LastName'],
      [{ ...legacy, first_name: { a: 1 } }, 'first_name'],
    ];
    for (const [body, path] of wrong) {
      for (const url of ['/v1/leads', `/v1/offers/${OFFER}/leads`, '/v1/offers/%04%18/leads']) {
        const r = await post(url, body);
        expect({ url, path, status: r.statusCode }).toEqual({ url, path, status: 400 });
        expect(r.headers['content-type']).toContain('application/problem+json');
        expect((r.json().errors as { path: string }[]).map((e) => e.path)).toContain(path);
      }
      const batch = await post('/v1/leads/batch', { leads: [body] });
      expect(batch.statusCode).toBe(200);
      expect(batch.json().results[0]).toMatchObject({
        status: 400,
        errors: expect.arrayContaining([{ path, message: expect.any(String) }]),
      });
    }
    const badKey = await post('/v1/leads', canonical(), { ...producerAuth, 'idempotency-key': 'with space' });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().errors[0].path).toBe('Idempotency-Key');
    expect((await post(`/v1/offers/${OFFER}/leads?sig=${sig}`, canonical({ offerId: 'x.y' }), {})).statusCode).toBe(
      400,
    );
  });

  it('drops prototype-poisoning keys like any unknown property, and accepts the lead', async () => {
    const payload = `{"__proto__": {"isTest": true}, ${JSON.stringify(canonical()).slice(1, -1)}, "constructor": {"prototype": {"x": 1}}}`;
    const r = await t.ingest.app.inject({
      method: 'POST',
      url: '/v1/leads',
      headers: { ...json, ...producerAuth },
      payload,
    });
    expect(r.statusCode).toBe(202);
    const [record] = await collector.leads(t.topics.ingested, [r.json().leadId as string]);
    expect(JSON.parse(record?.value ?? '{}')).toMatchObject({ offerId: OFFER, isTest: false });
    expect(({} as Record<string, unknown>)['isTest']).toBeUndefined();
  });

  it('answers errors as problem details: 401, 403, 400, 413, 415, 404', async () => {
    // Every refusal names its own problem type (never `about:blank`), Fastify's parser errors included.
    const expectProblem = (r: Awaited<ReturnType<typeof post>>, status: number, type?: string) => {
      expect(r.statusCode).toBe(status);
      expect(r.headers['content-type']).toContain('application/problem+json');
      const body = r.json() as Record<string, unknown>;
      expect(body).toMatchObject({
        status,
        type: type ?? expect.stringMatching(/^urn:leadflow:problem:/),
        title: expect.any(String),
      });
      expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+/);
      return body;
    };

    const noToken = await post('/v1/leads', canonical(), {});
    expectProblem(noToken, 401);
    expect(noToken.headers['www-authenticate']).toContain('Bearer');
    expectProblem(await post('/v1/leads', canonical(), { authorization: 'Bearer wrong' }), 401);
    expectProblem(
      await t.ingest.app.inject({ method: 'GET', url: `/v1/offers/${OFFER}/destination`, headers: producerAuth }),
      403,
    );

    const invalid = expectProblem(await post('/v1/leads', { customer: {} }), 400);
    expect((invalid['errors'] as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(['offerId', 'source', 'action', 'customer.email']),
    );

    const malformed = await t.ingest.app.inject({
      method: 'POST',
      url: '/v1/leads',
      headers: { ...json, ...producerAuth },
      payload: '{"offerId": ',
    });
    expectProblem(malformed, 400, 'urn:leadflow:problem:invalid-json');
    const deep = await t.ingest.app.inject({
      method: 'POST',
      url: '/v1/leads',
      headers: { ...json, ...producerAuth },
      payload: '['.repeat(20_000) + ']'.repeat(20_000),
    });
    expectProblem(deep, 400);
    const wide = await post('/v1/leads', { ...canonical(), extra: Array.from({ length: 3000 }, (_, i) => i) });
    expectProblem(wide, 400);

    const big = canonical({ description: 'x'.repeat(70 * 1024) });
    const tooLarge = await post('/v1/leads', big);
    expectProblem(tooLarge, 413, 'urn:leadflow:problem:content-too-large');
    // The batch endpoint takes up to 5 MiB: the same body size is fine there (and then invalid per item).
    const bigBatch = await post('/v1/leads/batch', { leads: [big] });
    expect(bigBatch.statusCode).toBe(200);
    expect(bigBatch.json().results[0]).toMatchObject({ status: 400 });
    expectProblem(await post('/v1/leads/batch', { leads: [{ description: 'y'.repeat(5 * 1024 * 1024) }] }), 413);

    const text = await t.ingest.app.inject({
      method: 'POST',
      url: '/v1/leads',
      headers: { 'content-type': 'text/plain', ...producerAuth },
      payload: 'hello',
    });
    expectProblem(text, 415, 'urn:leadflow:problem:unsupported-media-type');
    const form = await t.ingest.app.inject({
      method: 'POST',
      url: '/v1/leads',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...producerAuth },
      payload: 'a=b',
    });
    expectProblem(form, 415);
    expectProblem(await t.ingest.app.inject({ method: 'POST', url: '/v1/leads', headers: producerAuth }), 415);

    expectProblem(await t.ingest.app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404);
  });

  it('serves health, readiness, metrics, the OpenAPI and the AsyncAPI documents', async () => {
    expect((await t.ingest.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.ingest.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const metrics = await t.ingest.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/leadflow_ingest_http_requests_total\{[^}]*route="\/v1\/leads"[^}]*status="202"/);
    expect(metrics.body).toMatch(/leadflow_ingest_leads_accepted_total\{[^}]*endpoint="leads"/);
    expect(metrics.body).toContain('leadflow_ingest_produce_latency_seconds_bucket');
    const docs = await t.ingest.app.inject({ method: 'GET', url: '/docs' });
    const doc = docs.json() as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/leads',
        '/v1/leads/batch',
        '/v1/offers/{offerId}/leads',
        '/v1/offers/{offerId}/destination',
      ]),
    );
    expect(doc.components.schemas).toHaveProperty('Destination');
    expect(doc.components.schemas).toHaveProperty('Lead');

    const asyncapi = await t.ingest.app.inject({ method: 'GET', url: '/asyncapi' });
    expect(asyncapi.statusCode).toBe(200);
    const kafka = asyncapi.json() as { asyncapi: string; channels: Record<string, { address: string }> };
    expect(kafka.asyncapi).toBe('3.1.0');
    expect(Object.values(kafka.channels).map((c) => c.address)).toEqual(
      expect.arrayContaining(['leads.ingested', 'leads.delivered', 'offers.destinations', 'leads.dlq.router']),
    );
  });

  it('on shutdown lets in-flight requests finish: every lead answered 202 is on the topic', async () => {
    const backlog = async () =>
      (await t.ingest.registry.getSingleMetric('leadflow_ingest_produce_backlog')?.get())?.values[0]?.value ?? 0;
    // Close while leads wait in the publisher for their produce request (the linger is 20 ms). If a wave
    // was all answered before the backlog was seen, another one is sent (the wait must not depend on timing).
    const inFlight: ReturnType<typeof post>[] = [];
    for (let wave = 0; wave < 20; wave++) {
      const sent = Array.from({ length: 30 }, (_, i) =>
        post('/v1/leads', canonical({ description: `shutdown-${wave}-${i}` })),
      );
      inFlight.push(...sent);
      let settled = false;
      void Promise.allSettled(sent).then(() => (settled = true));
      while (!settled && (await backlog()) === 0) await new Promise((r) => setImmediate(r));
      if (!settled) break;
    }
    await t.ingest.close();
    const responses = await Promise.all(inFlight.map((p) => p.catch(() => undefined)));
    const accepted = responses.filter((r) => r?.statusCode === 202).map((r) => r?.json().leadId as string);
    for (const r of responses) if (r && r.statusCode !== 202) expect(r.statusCode).toBe(503);
    expect(accepted.length).toBeGreaterThan(0);
    expect(await collector.leads(t.topics.ingested, accepted)).toHaveLength(accepted.length);
  });
});
