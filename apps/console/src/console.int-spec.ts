import { readAuditTrail } from '@leadflow/audit';
import { DeadLetterStore } from '@leadflow/dead-letters';
import { readTopic } from '@leadflow/testing';
import type { LeadHistory, Overview, ReplayJobView } from './api/api.schemas';
import { eventually, lead, startTestConsole, type TestConsole } from './test/console-harness';

type Preview = { matched: number; alreadyReplayed: number; wouldReplay: number };
type Problem = { errors?: { path: string }[] };

/**
 * The console against the real broker: its index rebuilt from the topics at start, pages answered from it, replay
 * through the same engine and ledger as leadctl (so neither replays a dead letter the other did), live updates.
 */
describe('console (real Kafka)', () => {
  let t: TestConsole;
  const broken = Array.from({ length: 5 }, (_, i) => lead('contoso.broken', i));
  const delivered = lead('fabrikam.fine', 9);

  beforeAll(async () => {
    t = await startTestConsole({
      seed: async (w) => {
        await w.ingested([...broken, delivered]);
        await w.deadLetters('https', 'HTTPS.ENDPOINT_REJECTED', broken);
        await w.receipts([
          {
            leadId: delivered.leadId,
            offerId: delivered.offerId,
            destination: 'https',
            externalId: 'crm-42',
            attempts: 1,
            deliveredAt: new Date().toISOString(),
            isTest: false,
          },
        ]);
      },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses the API without a console token, with problem details', async () => {
    const res = await t.get('/api/overview', {});
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect((await t.get('/api/overview', { authorization: 'Bearer not-a-token-at-all' })).status).toBe(401);
    expect((await t.get('/healthz', {})).status).toBe(200);
    expect((await t.get('/readyz', {})).status).toBe(200);
  });

  it('answers the overview from the index rebuilt at start', async () => {
    const { status, body } = await t.get('/api/overview');
    expect(status).toBe(200);
    const o = body as Overview;
    expect(o.ready).toBe(true);
    expect(o.deadLetters.total).toBe(5);
    expect(o.deadLetters.groups).toEqual([
      expect.objectContaining({
        stage: 'https',
        errorClass: 'HTTPS.ENDPOINT_REJECTED',
        offerId: 'contoso.broken',
        count: 5,
        remediation: expect.stringMatching(/.+/),
      }),
    ]);
    expect(o.delivered).toEqual([{ destination: 'https', count: 1 }]);
  });

  it("tells a lead's history in order, with the receipt's CRM id and the trace link", async () => {
    const { status, body } = await t.get(`/api/leads/${delivered.leadId}`);
    expect(status).toBe(200);
    const h = body as LeadHistory;
    expect(h.state).toBe('delivered');
    expect(h.steps.map((s) => s.kind)).toEqual(['accepted', 'delivered']);
    expect(h.steps[1]?.externalId).toBe('crm-42');
    expect(h.traceUrl).toBe(`http://jaeger.test/trace/${'ab'.repeat(16)}`);
    expect(JSON.stringify(h)).not.toContain('@contoso.example');
    expect((await t.get('/api/leads/no-such-lead')).status).toBe(404);
    expect((await t.get('/api/leads/bad%20id')).status).toBe(400);
  });

  it('finds leads by e-mail through the keyed hash', async () => {
    const res = await t.post('/api/lead-searches', { email: ' ANN2@contoso.example ' });
    expect(res.body).toEqual({ leadIds: [broken[2]?.leadId] });
  });

  it('validates filters and names the failing field', async () => {
    const res = await t.post('/api/replay-dry-runs', { filter: { class: 'NOPE.NEVER' } });
    expect(res.status).toBe(400);
    expect((res.body as Problem).errors).toEqual([expect.objectContaining({ path: 'filter.class' })]);
    expect((await t.post('/api/replay-dry-runs', { filter: {} })).status).toBe(400);
  });

  it('replays with a dry run first, streams progress, and never replays a dead letter twice (leadctl included)', async () => {
    const filter = { offer: 'contoso.broken', class: 'HTTPS.ENDPOINT_REJECTED' };
    // leadctl's engine replays one of them first.
    const engine = new DeadLetterStore({ kafka: t.kafka, topics: t.console.topics.engine, groupPrefix: 'cli-test' });
    const first = await engine.replay(
      { offers: ['contoso.broken'], leadIds: [broken[0]?.leadId ?? ''] },
      { by: 'leadctl:ann' },
    );
    expect(first.replayed).toBe(1);

    const preview = await eventually(async () => {
      const r = (await t.post('/api/replay-dry-runs', { filter })).body as Preview;
      return r.alreadyReplayed === 1 ? r : undefined;
    });
    expect(preview).toMatchObject({ matched: 5, alreadyReplayed: 1, wouldReplay: 4 });

    const started = await t.post('/api/replays', { filter, confirm: true });
    expect(started.status).toBe(202);
    const id = (started.body as ReplayJobView).id;
    const res = await fetch(`${t.address}/api/replays/${id}/events`, {
      headers: { authorization: `Bearer test-console-token-0123` },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .map((chunk) => /^event: (.+)$/m.exec(chunk)?.[1])
      .filter((e): e is string => e !== undefined);
    expect(events[0]).toBe('phase');
    expect(events).toContain('progress');
    expect(events[events.length - 1]).toBe('done');
    const job = (await t.get(`/api/replays/${id}`)).body as ReplayJobView;
    expect(job).toMatchObject({ state: 'done', matched: 5, alreadyReplayed: 1, replayed: 4, by: 'console:analyst' });

    // The ledger holds all five once; a second replay from either side publishes nothing.
    const again = await engine.replay({ offers: ['contoso.broken'] }, { by: 'leadctl:ann' });
    expect(again.replayed).toBe(0);
    const replayedRecords = (
      await readTopic(t.kafka, `${t.prefix}leads.ingested`, { count: 100, timeoutMs: 3_000 })
    ).filter((r) => r.headers['leadflow.replay.of'] !== undefined);
    expect(replayedRecords).toHaveLength(5);
    const byConsole = await eventually(async () => {
      const h = (await t.get(`/api/leads/${broken[3]?.leadId}`)).body as LeadHistory;
      return h.steps.some((s) => s.kind === 'replayed') ? h : undefined;
    });
    expect(byConsole.steps.map((s) => s.kind)).toEqual(
      expect.arrayContaining(['accepted', 'dead-lettered', 'replayed']),
    );
  }, 60_000);

  it('leaves one audit record per replay and per reveal of personal data, holding none of it', async () => {
    const target = broken[1];
    const shown = await t.post(`/api/leads/${target?.leadId}/reveal`, {});
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).toContain(target?.customer.email);
    const records = await eventually(async () => {
      const trail = await readAuditTrail(t.kafka, `${t.prefix}leads.audit`, {}, { groupPrefix: `${t.prefix}audit` });
      return trail.records.length >= 2 ? trail.records : undefined;
    });
    expect(records.map((r) => [r.action, r.actor, r.replay?.count ?? r.reveal?.count])).toEqual([
      ['deadletters.replay', 'console:analyst', 4],
      ['pii.reveal', 'console:analyst', 1],
    ]);
    expect(records[1]).toMatchObject({ offerId: 'contoso.broken', reveal: { filter: { leadIds: [target?.leadId] } } });
    expect(JSON.stringify(records)).not.toContain(target?.customer.email ?? '@');
  });

  it('pushes new dead letters to open pages over SSE', async () => {
    const abort = new AbortController();
    const res = await fetch(`${t.address}/api/live`, {
      headers: { authorization: 'Bearer test-console-token-0123' },
      signal: abort.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await t.writer.deadLetters('router', 'ROUTER.OFFER_NOT_CONFIGURED', [lead('adatum.none', 1)]);
    let text = '';
    const deadline = Date.now() + 20_000;
    while (!text.includes('event: dead-letter') && Date.now() < deadline) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    expect(text).toContain('event: dead-letter');
    expect(text).toContain('ROUTER.OFFER_NOT_CONFIGURED');
    expect(text).not.toContain('@contoso.example');
  });
});
