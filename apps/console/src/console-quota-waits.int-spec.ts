import type { Producer } from 'kafkajs';
import { createProducer } from '@leadflow/kafka';
import { quotaWaitKey, Topics, type QuotaWaitRecord } from '@leadflow/lead-model';
import { createOidcIssuer, startSimulator, type OidcIssuer, type StartedSimulator } from '@leadflow/simulators';
import { testKafka, testTls } from '@leadflow/testing';
import type { OfferView } from './api/api.schemas';
import { eventually, lead, startTestConsole, type TestConsole } from './test/console-harness';

/**
 * The leads the sinks hold for a quota (`offers.quota-waits`, as a sink writes it) on the offer page's API: read at
 * start and followed after, a record whose time passed left out, a tombstone clearing it, and only to callers who
 * may read the offer (a publisher's own).
 */
const AUDIENCE = 'api://leadflow-console-quota-test';
const A = 'contoso.shop';
const B = 'fabrikam.shop';
const SF = 'salesforce:00D5e000000AbCd';

const wait = (offerId: string, account: string, leads: number, untilMs: number): QuotaWaitRecord => ({
  offerId,
  account,
  destination: 'salesforce',
  leads,
  until: new Date(untilMs).toISOString(),
  errorClass: 'SALESFORCE.DAILY_LIMIT',
  updatedAt: new Date().toISOString(),
});

describe('console offer page: quota waits (real Kafka, signed tokens)', () => {
  let issuer: OidcIssuer;
  let sim: StartedSimulator;
  let t: TestConsole;
  let producer: Producer;
  const bearer = new Map<string, Record<string, string>>();
  const as = (who: string) => bearer.get(who) ?? {};
  const inAnHour = Date.now() + 3_600_000;
  const publish = (topic: string, messages: { key: string; value: QuotaWaitRecord | null }[]) =>
    producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value ? JSON.stringify(m.value) : null })),
    });
  const offer = async (offerId: string, who: string) => {
    const r = await t.get(`/api/offers/${offerId}`, as(who));
    return { status: r.status, view: r.body as OfferView };
  };

  beforeAll(async () => {
    issuer = createOidcIssuer({ audience: AUDIENCE });
    sim = await startSimulator(issuer, testTls(), { host: '127.0.0.1', port: 0 });
    issuer.setIssuer(sim.url);
    t = await startTestConsole({
      env: {
        LEADFLOW_OIDC_ISSUER: sim.url,
        LEADFLOW_OIDC_AUDIENCE: AUDIENCE,
        LEADFLOW_OIDC_JWKS_URL: `${sim.url}/discovery/v2.0/keys`,
      },
      seed: async (w, prefix) => {
        // Each offer exists for the console through a dead letter, whatever its waits.
        await w.deadLetters('https', 'HTTPS.ENDPOINT_REJECTED', [lead(A, 0), lead(B, 1)]);
        producer = createProducer(testKafka(), {});
        await producer.connect();
        // Before the console starts: read at start. A's second record is one a stopped sink left behind.
        await publish(`${prefix}${Topics.quotaWaits}`, [
          { key: quotaWaitKey(A, SF), value: wait(A, SF, 4, inAnHour) },
          {
            key: quotaWaitKey(A, 'salesforce:00D000000000OLD'),
            value: wait(A, 'salesforce:00D000000000OLD', 9, Date.now() - 1_000),
          },
          { key: quotaWaitKey(B, SF), value: wait(B, SF, 2, inAnHour) },
        ]);
      },
    });
    const claims: Record<string, Record<string, unknown>> = {
      publisherA: { roles: ['publisher'], publishers: ['contoso'] },
      operator: { roles: ['operator'] },
    };
    for (const [who, c] of Object.entries(claims))
      bearer.set(who, { authorization: `Bearer ${await issuer.sign({ sub: who, ...c })}` });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await t?.close();
    await sim?.close();
  });

  it("shows a publisher its own offer's waits read at start, a passed one left out, and not another publisher's", async () => {
    const own = await offer(A, 'publisherA');
    expect(own.status).toBe(200);
    expect(own.view.quotaWaits).toEqual([
      {
        destination: 'salesforce',
        leads: 4,
        until: new Date(inAnHour).toISOString(),
        errorClass: 'SALESFORCE.DAILY_LIMIT',
        updatedAt: expect.any(String),
      },
    ]);
    expect((await offer(B, 'publisherA')).status).toBe(404);
    expect((await offer(B, 'operator')).view.quotaWaits).toMatchObject([{ destination: 'salesforce', leads: 2 }]);
  });

  it('follows the topic after start: a new count replaces the old, a tombstone clears it', async () => {
    const topic = `${t.prefix}${Topics.quotaWaits}`;
    await publish(topic, [{ key: quotaWaitKey(A, SF), value: wait(A, SF, 6, inAnHour + 60_000) }]);
    await eventually(async () => (await offer(A, 'publisherA')).view.quotaWaits[0]?.leads === 6);
    expect((await offer(A, 'publisherA')).view.quotaWaits).toHaveLength(1);
    await publish(topic, [{ key: quotaWaitKey(A, SF), value: null }]);
    await eventually(async () => (await offer(A, 'publisherA')).view.quotaWaits.length === 0);
    // B's wait is its own key: untouched.
    expect((await offer(B, 'operator')).view.quotaWaits).toHaveLength(1);
  });
});
