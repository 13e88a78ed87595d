import { Headers, type Lead } from '@leadflow/lead-model';
import { signOfferId } from '../auth/url-signature';
import {
  adminAuth,
  producerAuth,
  startTestIngest,
  TopicCollector,
  URL_SIGNING_KEY,
  type TestIngest,
} from '../ingest.int-harness';

const json = { 'content-type': 'application/json' };
const ACCOUNT_KEY = Buffer.from('an-azure-storage-account-key-for-tests').toString('base64');
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=contosoleads;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`;
const SIGNING_SECRET = 'https-signing-secret-never-echoed';

describe('ingest offer destinations against a real broker', () => {
  let t: TestIngest;
  let collector: TopicCollector;
  const offer = `contoso.dest-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await startTestIngest();
    collector = new TopicCollector(t.kafka);
    await collector.start([t.topics.ingested, t.topics.offerDestinations]);
  });

  afterAll(async () => {
    await collector?.stop();
    await t?.close();
  });

  const call = (
    method: 'GET' | 'PUT' | 'DELETE',
    path: string,
    payload?: unknown,
    headers: Record<string, string> = adminAuth,
  ) =>
    t.ingest.app.inject({
      method,
      url: `/v1/offers/${offer}/${path}`,
      headers: payload === undefined ? headers : { ...json, ...headers },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });

  const produce = async (topic: string, key: string, value: string, headers: Record<string, string> = {}) => {
    const producer = t.kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
    await producer.disconnect();
  };

  const statusOf = async (predicate: (s: Record<string, unknown>) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = (await call('GET', 'status')).json() as Record<string, unknown>;
      if (predicate(s) || Date.now() > deadline) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('refuses invalid destinations with field paths, azure-blob with the retirement remediation, producer tokens with 403', async () => {
    const bad = await call('PUT', 'destination', {
      type: 'dynamics',
      url: 'not a url',
      auth: { kind: 'aad', tenantId: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((bad.json().errors as { path: string }[]).map((e) => e.path)).toEqual(
      expect.arrayContaining(['url', 'auth.tenantId', 'auth.clientId', 'auth.clientSecret']),
    );

    const cs = await call('PUT', 'destination', { type: 'azure-table', connectionString: 'AccountName=;garbage' });
    expect(cs.statusCode).toBe(400);
    expect(cs.json().errors[0].path).toBe('connectionString');

    const blob = await call('PUT', 'destination', { type: 'azure-blob', connectionString: CONNECTION_STRING });
    expect(blob.statusCode).toBe(400);
    expect(blob.json()).toMatchObject({
      errorClass: 'ROUTER.DESTINATION_RETIRED',
      remediation: expect.stringContaining('Azure Table'),
    });
    expect(JSON.stringify(blob.json())).not.toContain(ACCOUNT_KEY);

    const producer = await call(
      'PUT',
      'destination',
      { type: 'https', url: 'https://example.com/leads' },
      producerAuth,
    );
    expect(producer.statusCode).toBe(403);
    expect((await call('GET', 'status', undefined, producerAuth)).statusCode).toBe(403);
    expect((await call('DELETE', 'destination', undefined, {})).statusCode).toBe(401);
    expect((await call('GET', 'destination')).statusCode).toBe(404);
    const badOffer = await t.ingest.app.inject({
      method: 'GET',
      url: '/v1/offers/no-dot/destination',
      headers: adminAuth,
    });
    expect(badOffer.statusCode).toBe(400);
  });

  it('saves a destination: masked answer, sealed secret on the topic, a validation lead through the pipeline', async () => {
    const put = await call('PUT', 'destination', {
      type: 'azure-table',
      connectionString: CONNECTION_STRING,
      tableName: 'Leads',
    });
    expect(put.statusCode).toBe(200);
    const saved = put.json() as {
      version: number;
      leadUrl: string;
      destination: Record<string, unknown>;
      validation: { status: string; testLeadId: string };
    };
    expect(saved).toMatchObject({ offerId: offer, version: 1, validation: { status: 'pending' } });
    expect(saved.leadUrl).toBe(
      `https://ingest.test/v1/offers/${offer}/leads?sig=${signOfferId(URL_SIGNING_KEY, offer)}`,
    );
    expect(saved.destination['connectionString']).toContain('AccountKey=***');
    expect(put.body).not.toContain(ACCOUNT_KEY);

    const [record] = await collector.waitFor(t.topics.offerDestinations, (rs) => rs.some((r) => r.key === offer));
    expect(record?.value).not.toContain(ACCOUNT_KEY);
    expect(record?.value).not.toContain('AccountName=contosoleads');
    const stored = JSON.parse(record?.value ?? '') as {
      version: number;
      destination: { connectionString: Record<string, string> };
    };
    expect(stored.version).toBe(1);
    expect(stored.destination.connectionString).toEqual({
      kid: 't1',
      iv: expect.any(String),
      tag: expect.any(String),
      data: expect.any(String),
    });

    const [testLead] = await collector.leads(t.topics.ingested, [saved.validation.testLeadId]);
    const lead = JSON.parse(testLead?.value ?? '') as Lead;
    expect(lead).toMatchObject({ offerId: offer, isTest: true, leadId: saved.validation.testLeadId });
    expect(lead.customer.firstName).toMatch(/^MSFT_TEST_\d+$/);

    const got = await call('GET', 'destination');
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      offerId: offer,
      version: 1,
      leadUrl: saved.leadUrl,
      destination: saved.destination,
    });
    expect(got.body).not.toContain(ACCOUNT_KEY);

    // The signed URL is a credential for this offer's leads.
    const viaUrl = await t.ingest.app.inject({
      method: 'POST',
      url: saved.leadUrl.replace('https://ingest.test', ''),
      headers: json,
      payload: JSON.stringify({
        UserDetails: { FirstName: 'E', LastName: 'F', Email: 'e@f.com' },
        LeadSource: 'AzureMarketplace',
        ActionCode: 'INS',
      }),
    });
    expect(viaUrl.statusCode).toBe(202);
  });

  it('reports the validation as pending, passed from a receipt, failed from a dead letter with its remediation', async () => {
    const first = (await call('GET', 'status')).json() as {
      version: number;
      validation: { status: string; testLeadId: string };
    };
    expect(first.validation.status).toBe('pending');
    await produce(
      t.topics.delivered,
      offer,
      JSON.stringify({
        leadId: first.validation.testLeadId,
        offerId: offer,
        destination: 'azure-table',
        attempts: 1,
        deliveredAt: new Date().toISOString(),
        isTest: true,
      }),
    );
    const passed = await statusOf((s) => (s['validation'] as { status: string }).status !== 'pending');
    expect(passed).toMatchObject({
      version: first.version,
      validation: { status: 'passed', testLeadId: first.validation.testLeadId, checkedAt: expect.any(String) },
    });
    expect(passed['lastDelivery']).toMatchObject({ leadId: first.validation.testLeadId, destination: 'azure-table' });

    const put = await call('PUT', 'destination', {
      type: 'https',
      url: 'https://leads.contoso.com/hook',
      signingSecret: SIGNING_SECRET,
    });
    expect(put.json()).toMatchObject({ version: first.version + 1, destination: { signingSecret: '***' } });
    expect(put.body).not.toContain(SIGNING_SECRET);
    const testLeadId = put.json().validation.testLeadId as string;
    expect((await call('GET', 'status')).json()).toMatchObject({ validation: { status: 'pending', testLeadId } });

    const [original] = await collector.leads(t.topics.ingested, [testLeadId]);
    await produce(t.topics.deadLetters['https'] ?? '', offer, original?.value ?? '', {
      ...original?.headers,
      [Headers.errorClass]: 'HTTPS.ENDPOINT_REJECTED',
      [Headers.errorCategory]: 'configuration',
      [Headers.failedAt]: new Date().toISOString(),
    });
    const failed = await statusOf((s) => (s['validation'] as { status: string }).status === 'failed');
    expect(failed).toMatchObject({
      version: first.version + 1,
      validation: {
        status: 'failed',
        testLeadId,
        errorClass: 'HTTPS.ENDPOINT_REJECTED',
        remediation: expect.any(String),
      },
      deadLetters: 1,
    });
  });

  it('removes a destination with a tombstone', async () => {
    const del = await call('DELETE', 'destination');
    expect(del.statusCode).toBe(204);
    await collector.waitFor(t.topics.offerDestinations, (rs) => rs.some((r) => r.key === offer && r.value === null));
    expect((await call('GET', 'destination')).statusCode).toBe(404);
    expect((await call('GET', 'status')).statusCode).toBe(404);
  });
});
