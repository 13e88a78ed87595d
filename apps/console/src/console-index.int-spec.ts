import { randomUUID } from 'node:crypto';
import { createProducer } from '@leadflow/kafka';
import { leadCloudEventHeaders, Topics, type DeliveryReceipt } from '@leadflow/lead-model';
import { createTestTopics } from '@leadflow/testing';
import type { LeadHistory, Overview } from './api/api.schemas';
import { eventually, lead, startTestConsole, type TestConsole } from './test/console-harness';

const receipt = (n: number, at: number): DeliveryReceipt => ({
  leadId: randomUUID(),
  offerId: 'fabrikam.fine',
  destination: 'https',
  externalId: `crm-${n}`,
  attempts: 1,
  deliveredAt: new Date(at).toISOString(),
  isTest: false,
});

/**
 * The index against the real broker, through the public HTTP API. What the console is for stays in it: with more
 * delivered leads than LEADFLOW_CONSOLE_MAX_LEADS, the oldest delivered ones leave the index, but a dead-lettered
 * lead's history (and its e-mail search) stays, read at start and while following. And a route topic created
 * after start (an offer's own) is followed without a restart.
 */
describe('console index (real Kafka)', () => {
  let t: TestConsole;
  const broken = Array.from({ length: 3 }, (_, i) => lead('contoso.broken', i));
  const now = Date.now();
  const before = Array.from({ length: 1_500 }, (_, n) => receipt(n, now - 60_000 + n));

  beforeAll(async () => {
    t = await startTestConsole({
      env: { LEADFLOW_CONSOLE_MAX_LEADS: '1000', LEADFLOW_CONSOLE_TOPIC_CHECK_MS: '1000' },
      seed: async (w) => {
        // The dead-lettered leads first: everything delivered after them is newer.
        await w.ingested(broken);
        await w.deadLetters('https', 'HTTPS.ENDPOINT_REJECTED', broken);
        for (let i = 0; i < before.length; i += 500) await w.receipts(before.slice(i, i + 500));
      },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  const history = async (leadId: string) => t.get(`/api/leads/${leadId}`);

  it("keeps dead-lettered leads' histories when delivered leads beyond the limit arrived after them", async () => {
    for (const l of broken) {
      const { status, body } = await history(l.leadId);
      expect(status).toBe(200);
      const h = body as LeadHistory;
      expect(h.state).toBe('dead-lettered');
      expect(h.steps.map((s) => s.kind)).toEqual(['accepted', 'dead-lettered']);
    }
    const found = await t.post('/api/lead-searches', { email: 'ann1@contoso.example' });
    expect(found.body).toEqual({ leadIds: [broken[1]?.leadId] });
    // Delivered leads past the limit: the oldest went, the newest 1,000 stayed.
    expect((await history(before[0]?.leadId as string)).status).toBe(404);
    expect((await history(before[499]?.leadId as string)).status).toBe(404);
    const newest = await history(before[1_499]?.leadId as string);
    expect(newest.status).toBe(200);
    expect((newest.body as LeadHistory).steps).toEqual([
      expect.objectContaining({ kind: 'delivered', externalId: 'crm-1499' }),
    ]);
    // Exactly the newest 1,000: the dead letters are read before leads.ingested, so the three dead-lettered leads
    // never counted as leads without one.
    expect((await history(before[500]?.leadId as string)).status).toBe(200);
    // Counts follow every receipt, kept in detail or not.
    const o = (await t.get('/api/overview')).body as Overview;
    expect(o.delivered).toEqual([{ destination: 'https', count: 1_500 }]);
    expect(o.deadLetters.total).toBe(3);
    // Each reader reports its lag and last fetch under its own bounded group label.
    const metrics = await (await fetch(`${t.address}/metrics`)).text();
    for (const reader of ['dead-letters', 'pipeline'])
      expect(metrics).toContain(
        `leadflow_kafka_consumer_last_fetch_timestamp_seconds{group="${t.prefix}leadflow-console-index-${reader}"`,
      );
  });

  it('keeps them while following too: live receipts push out older delivered leads only', async () => {
    const after = Array.from({ length: 1_200 }, (_, n) => receipt(1_500 + n, now + n));
    for (let i = 0; i < after.length; i += 400) await t.writer.receipts(after.slice(i, i + 400));
    await eventually(async () => (await history(after[1_199]?.leadId as string)).status === 200);
    expect((await history(before[1_499]?.leadId as string)).status).toBe(404);
    for (const l of broken) expect((await history(l.leadId)).status).toBe(200);
    const dryRun = await t.post('/api/replay-dry-runs', { filter: { offer: 'contoso.broken' } });
    expect(dryRun.body).toMatchObject({ matched: 3, alreadyReplayed: 0, wouldReplay: 3 });
  });

  it("follows a route topic created after start (an offer's own) without a restart", async () => {
    const own = `${t.prefix}${Topics.route('https')}.contoso-own`;
    const drop = await createTestTopics(t.kafka, [own]);
    const producer = createProducer(t.kafka, {});
    await producer.connect();
    try {
      const l = lead('contoso.own', 1);
      await t.writer.ingested([l]);
      await producer.send({
        topic: own,
        acks: -1,
        messages: [
          { key: l.offerId, value: JSON.stringify(l), headers: leadCloudEventHeaders(l, { source: '/test' }) },
        ],
      });
      const routed = await eventually(async () => {
        const { status, body } = await history(l.leadId);
        const steps = status === 200 ? (body as LeadHistory).steps : [];
        return steps.find((s) => s.kind === 'routed');
      });
      expect(routed.detail).toBe(`to ${own}`);
    } finally {
      await producer.disconnect();
      await drop();
    }
  });
});
