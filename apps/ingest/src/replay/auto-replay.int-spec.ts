import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { readAuditTrail } from '@leadflow/audit';
import { readToEnd, ReplayHeaders } from '@leadflow/dead-letters';
import { headersToStrings } from '@leadflow/kafka';
import { deadLetterHeaders, leadCloudEventHeaders, type ErrorClass, type Lead } from '@leadflow/lead-model';
import { createLogger } from '@leadflow/observability';
import { createTestTopics, testBrokers, testKafka, uniqueName } from '@leadflow/testing';
import { createIngest, type Ingest, type IngestTopics } from '../composition';
import { loadIngestConfig } from '../ingest.config';
import { ADMIN_TOKEN, adminAuth, PRODUCER_TOKEN, SECRET_KEYS, URL_SIGNING_KEY } from '../ingest.int-harness';
import { autoReplayActor } from './auto-replay-decision';

const OFFER = `contoso.autoreplay-${Date.now().toString(36)}`;

function lead(offerId: string): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    customer: { firstName: 'Ann', lastName: 'Lee', email: 'ann@contoso.example' },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

async function ingestOn(topics: IngestTopics): Promise<Ingest> {
  const config = loadIngestConfig({
    KAFKA_BROKERS: testBrokers().join(','),
    LEADFLOW_INGEST_TOKENS: PRODUCER_TOKEN,
    LEADFLOW_ADMIN_TOKENS: ADMIN_TOKEN,
    LEADFLOW_SECRET_KEYS: SECRET_KEYS,
    LEADFLOW_URL_SIGNING_KEY: URL_SIGNING_KEY,
    LEADFLOW_PUBLIC_URL: 'https://ingest.test',
    LEADFLOW_LOG_LEVEL: 'silent',
  });
  const ingest = await createIngest({
    config,
    topics,
    logger: createLogger({ service: 'auto-replay-test', level: 'silent' }),
    clientId: uniqueName('ingest-ar'),
  });
  ingest.start();
  await ingest.whenReady();
  return ingest;
}

async function replays(kafka: Kafka, topic: string): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  await readToEnd(
    kafka,
    [topic],
    (_t, _p, m) => {
      const h = headersToStrings(m.headers);
      if (h[ReplayHeaders.of]) out.push(h);
    },
    { groupPrefix: 'ar-test' },
  );
  return out;
}

/**
 * Auto-replay on fix, on a real broker: the offer's configuration dead letters from before the fix are
 * replayed once its new version's validation lead is delivered, once, through the ledger; the status and
 * metrics say how many and when.
 */
describe('ingest auto-replay', () => {
  const kafka = testKafka();
  const topics: IngestTopics = {
    ingested: uniqueName('ar-leads'),
    delivered: uniqueName('ar-delivered'),
    offerDestinations: uniqueName('ar-offers'),
    deadLetters: { router: uniqueName('ar-dlq-router'), https: uniqueName('ar-dlq-https') },
    replayLedger: uniqueName('ar-ledger'),
    audit: uniqueName('ar-audit'),
    offerStatus: uniqueName('ar-offer-status'),
  };
  let drop: () => Promise<void>;
  let ingest: Ingest | undefined;

  beforeAll(async () => {
    drop = await createTestTopics(
      kafka,
      [
        topics.ingested,
        topics.delivered,
        topics.offerDestinations,
        ...Object.values(topics.deadLetters),
        topics.audit as string,
        topics.offerStatus,
      ],
      1,
    );
  });
  afterAll(async () => {
    await ingest?.close();
    await drop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topics.replayLedger as string] }).catch(() => undefined);
    await admin.disconnect();
  });

  const put = async (destination: unknown) => {
    const res = await (ingest as Ingest).app.inject({
      method: 'PUT',
      url: `/v1/offers/${OFFER}/destination`,
      headers: { ...adminAuth, 'content-type': 'application/json' },
      payload: JSON.stringify(destination),
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { version: number; validation: { testLeadId: string } };
  };

  const deadLetter = (
    l: Lead,
    stage: 'router' | 'https',
    errorClass: ErrorClass,
    category: 'configuration' | 'data',
    version?: number,
  ) => ({
    key: l.offerId,
    value: JSON.stringify(l),
    headers: deadLetterHeaders({
      original: leadCloudEventHeaders(l, { source: '/test' }),
      errorClass,
      category,
      message: 'failed in the test',
      originalTopic: 'leads.route.https',
      partition: 0,
      offset: '1',
      sink: stage === 'router' ? 'router' : 'https-sink',
      attempts: 1,
      failedAt: new Date(),
      ...(version !== undefined ? { destinationVersion: version } : {}),
    }),
  });

  /** What the HTTPS sink writes once it delivered the validation lead. */
  const deliver = async (leadId: string) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topics.delivered,
      acks: -1,
      messages: [
        {
          key: OFFER,
          value: JSON.stringify({
            leadId,
            offerId: OFFER,
            destination: 'https',
            attempts: 1,
            deliveredAt: new Date().toISOString(),
            isTest: true,
          }),
        },
      ],
    });
    await producer.disconnect();
  };

  it('replays the configuration dead letters of earlier versions once the fixed version is validated, and only once', async () => {
    ingest = await ingestOn(topics);
    const v1 = await put({ type: 'https', url: 'https://hooks.contoso.example/wrong', autoReplay: true });
    const fixable = [lead(OFFER), lead(OFFER), lead(OFFER)];
    const beforeConfig = lead(OFFER);
    const dataError = lead(OFFER);
    const otherOffer = lead('fabrikam.other');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topics.deadLetters.https as string,
      acks: -1,
      messages: [
        ...fixable.map((l) => deadLetter(l, 'https', 'HTTPS.ENDPOINT_REJECTED', 'configuration', v1.version)),
        deadLetter(dataError, 'https', 'INTERNAL.UNEXPECTED', 'data', v1.version),
        deadLetter(otherOffer, 'https', 'HTTPS.ENDPOINT_REJECTED', 'configuration', 1),
      ],
    });
    await producer.send({
      topic: topics.deadLetters.router as string,
      acks: -1,
      messages: [deadLetter(beforeConfig, 'router', 'ROUTER.OFFER_NOT_CONFIGURED', 'configuration')],
    });
    await producer.disconnect();

    const waitReplays = async (count: number) => {
      const deadline = Date.now() + 30_000;
      let got: Record<string, string>[] = [];
      while (Date.now() < deadline) {
        got = await replays(kafka, topics.ingested);
        if (got.length >= count) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      return new Map(got.map((h) => [h['ce_id'], h[ReplayHeaders.by]]));
    };

    // Version 1 validated: it repairs what failed before the offer had a destination, not its own failures.
    await deliver(v1.validation.testLeadId);
    expect(await waitReplays(1)).toEqual(new Map([[beforeConfig.leadId, autoReplayActor(OFFER, v1.version)]]));

    const v2 = await put({ type: 'https', url: 'https://hooks.contoso.example/right', autoReplay: true });
    expect(v2.version).toBe(v1.version + 1);
    await deliver(v2.validation.testLeadId);
    const wanted = [...fixable, beforeConfig].map((l) => l.leadId).sort();
    const byLead = await waitReplays(wanted.length);
    expect([...byLead.keys()].sort()).toEqual(wanted);
    for (const l of fixable) expect(byLead.get(l.leadId)).toBe(autoReplayActor(OFFER, v2.version));

    const status = await (ingest as Ingest).app.inject({
      method: 'GET',
      url: `/v1/offers/${OFFER}/status`,
      headers: adminAuth,
    });
    expect(status.json()).toMatchObject({ validation: { status: 'passed' } });
    const counted = async (n: number) => {
      const re = new RegExp(`leadflow_ingest_auto_replayed_leads_total\\{[^}]*\\} ${n}\\n`);
      const deadline = Date.now() + 10_000;
      let text = '';
      while (Date.now() < deadline && !re.test((text = await (ingest as Ingest).registry.metrics())))
        await new Promise((r) => setTimeout(r, 200));
      return text;
    };
    // Counted once the replay finished (the records are visible as soon as their transaction committed).
    expect(await counted(4)).toMatch(/leadflow_ingest_auto_replayed_leads_total\{[^}]*\} 4\n/);

    // The same receipt again, and a restart that reads every receipt from the start: nothing is replayed twice.
    await deliver(v2.validation.testLeadId);
    await ingest.close();
    ingest = await ingestOn(topics);
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await replays(kafka, topics.ingested)).length).toBe(wanted.length);
    expect(await ingest.registry.metrics()).toMatch(/leadflow_ingest_auto_replayed_leads_total\{[^}]*\} 0\n/);

    // The audit trail: one record per configuration change and one per auto-replay that published leads (the
    // repeated receipt and the restart added none).
    const { records } = await readAuditTrail(
      kafka,
      topics.audit as string,
      {},
      { groupPrefix: uniqueName('ar-audit') },
    );
    expect(records.map((r) => [r.action, r.change?.toVersion ?? r.replay?.count])).toEqual([
      ['offer.destination.put', v1.version],
      ['deadletters.replay', 1],
      ['offer.destination.put', v2.version],
      ['deadletters.replay', 3],
    ]);
    expect(records[1]).toMatchObject({
      actor: `service:ingest/${autoReplayActor(OFFER, v1.version)}`,
      offerId: OFFER,
      replay: { auto: true, filter: { offers: [OFFER], categories: ['configuration'] } },
    });
    expect(records[2]?.change?.fields).toEqual(['url']);
  }, 90_000);
});
