import { createOidcIssuer, startSimulator, type OidcIssuer, type StartedSimulator } from '@leadflow/simulators';
import { readTopic, testTls } from '@leadflow/testing';
import type { Overview } from './api/api.schemas';
import { lead, startTestConsole, type TestConsole } from './test/console-harness';

/**
 * Who sees what in the console, with tokens signed by the simulators' OIDC issuer (HTTPS, JWKS) and verified by
 * libs/access: a publisher and an analyst scoped to publisher A see only A's dead letters, leads and offers (B's
 * answer 404, as if they did not exist); an operator sees everything; a publisher can neither replay nor reveal.
 */
const AUDIENCE = 'api://leadflow-console-test';
const A = 'contoso.shop';
const B = 'fabrikam.shop';

type Listed = { deadLetters: { offerId?: string }[]; total: number };

describe('console access (real Kafka, signed tokens)', () => {
  let issuer: OidcIssuer;
  let sim: StartedSimulator;
  let t: TestConsole;
  const ofA = Array.from({ length: 2 }, (_, i) => lead(A, i));
  const ofB = Array.from({ length: 3 }, (_, i) => lead(B, 10 + i));
  const bearer = new Map<string, Record<string, string>>();
  const as = (who: string) => bearer.get(who) ?? {};

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
      seed: async (w) => {
        await w.ingested([...ofA, ...ofB]);
        await w.deadLetters('https', 'HTTPS.ENDPOINT_REJECTED', [...ofA, ...ofB]);
      },
    });
    const claims: Record<string, Record<string, unknown>> = {
      publisherA: { roles: ['publisher'], publishers: ['contoso'] },
      analystA: { roles: ['analyst'], publishers: ['contoso'] },
      operator: { roles: ['operator'] },
      producer: { roles: ['producer'] },
    };
    for (const [who, c] of Object.entries(claims))
      bearer.set(who, { authorization: `Bearer ${await issuer.sign({ sub: who, ...c })}` });
  });

  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('refuses no token (401) and a producer (403)', async () => {
    expect((await t.get('/api/overview', {})).status).toBe(401);
    expect((await t.get('/api/overview', as('producer'))).status).toBe(403);
    expect((await t.get('/api/dead-letters', as('producer'))).status).toBe(403);
  });

  it.each(['publisherA', 'analystA'])('%s sees only A in the overview, the lists and the offers', async (who) => {
    const overview = (await t.get('/api/overview', as(who))).body as Overview;
    expect(overview.deadLetters.total).toBe(2);
    expect(overview.deadLetters.groups.map((g) => g.offerId)).toEqual([A]);
    const listed = (await t.get('/api/dead-letters', as(who))).body as Listed;
    expect(listed.total).toBe(2);
    expect(new Set(listed.deadLetters.map((d) => d.offerId))).toEqual(new Set([A]));
    const offers = (await t.get('/api/offers', as(who))).body as { offers: { offerId: string }[] };
    expect(offers.offers.map((o) => o.offerId)).toEqual([A]);
    expect((await t.get(`/api/offers/${A}`, as(who))).status).toBe(200);
    expect((await t.get(`/api/leads/${ofA[0]?.leadId}`, as(who))).status).toBe(200);
  });

  it.each(['publisherA', 'analystA'])("%s gets 404 on B's offer and on a lead of B's", async (who) => {
    const offer = await t.get(`/api/offers/${B}`, as(who));
    expect(offer.status).toBe(404);
    // Answered exactly as an offer nobody configured.
    expect(offer.body).toMatchObject({ status: 404, detail: `The console knows nothing of offer ${B}.` });
    expect((await t.get(`/api/leads/${ofB[0]?.leadId}`, as(who))).status).toBe(404);
    expect((await t.get(`/api/dead-letters?offer=${B}`, as(who))).body).toMatchObject({ total: 0 });
  });

  it('an operator sees every offer', async () => {
    const overview = (await t.get('/api/overview', as('operator'))).body as Overview;
    expect(overview.deadLetters.total).toBe(5);
    expect(((await t.get('/api/dead-letters', as('operator'))).body as Listed).total).toBe(5);
    expect((await t.get(`/api/offers/${B}`, as('operator'))).status).toBe(200);
    expect((await t.get(`/api/leads/${ofB[0]?.leadId}`, as('operator'))).status).toBe(200);
  });

  it("refuses a publisher's replay and reveal, and a scoped analyst's beyond its publishers; nothing is replayed", async () => {
    const own = { filter: { offer: A }, confirm: true };
    expect((await t.post('/api/replay-dry-runs', { filter: { offer: A } }, as('publisherA'))).status).toBe(403);
    expect((await t.post('/api/replays', own, as('publisherA'))).status).toBe(403);
    expect((await t.post(`/api/leads/${ofA[0]?.leadId}/reveal`, {}, as('publisherA'))).status).toBe(403);
    expect((await t.post('/api/replays', { filter: { offer: B }, confirm: true }, as('analystA'))).status).toBe(404);
    expect((await t.post('/api/replays', { filter: {}, all: true, confirm: true }, as('analystA'))).status).toBe(403);
    expect((await t.post(`/api/leads/${ofB[0]?.leadId}/reveal`, {}, as('analystA'))).status).toBe(404);
    const ingested = await readTopic(t.kafka, `${t.prefix}leads.ingested`, { count: 100, timeoutMs: 2_000 });
    expect(ingested).toHaveLength(ofA.length + ofB.length);
    expect(ingested.filter((r) => r.headers['leadflow.replay.of'] !== undefined)).toHaveLength(0);
    const overview = (await t.get('/api/overview', as('operator'))).body as Overview;
    expect(overview.deadLetters.replayed).toBe(0);
  });
});
