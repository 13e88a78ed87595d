import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createProducer } from '@leadflow/kafka';
import { leadCloudEventHeaders } from '@leadflow/lead-model';
import { freePort } from '@leadflow/local-infra';
import { OfferDestinationPublisher, parseKeyring, sealDestination } from '@leadflow/offer-table';
import {
  createDataverseSimulator,
  createEntraSimulator,
  DYNAMICS_SCENARIOS as S,
  startSimulator,
  type DataverseState,
  type StartedSimulator,
} from '@leadflow/simulators';
import { sinkTopics } from '@leadflow/sink-runtime';
import { testLead } from '@leadflow/sink-testing';
import { createTestTopics, readTopic, testKafka, testTls, uniqueName } from '@leadflow/testing';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The service itself (main.ts), killed with SIGKILL in the middle of a stream and started again: leads delivered
 * to Dataverse but not yet committed are delivered again, and the leadid makes each of them one record.
 */
describe('dynamics-sink process killed mid-stream', () => {
  let entra: StartedSimulator;
  let dataverse: StartedSimulator;
  beforeAll(async () => {
    entra = await startSimulator(createEntraSimulator(), testTls(), { host: '127.0.0.1', port: 0 });
    // Slow enough that the kill finds deliveries in flight and offsets not yet committed.
    dataverse = await startSimulator(createDataverseSimulator({ latencyMs: 150 }), testTls(), {
      host: '127.0.0.1',
      port: 0,
    });
  });
  afterAll(async () => {
    await entra.close();
    await dataverse.close();
  });

  it('writes every lead once, with one or two receipts each and no dead letter', async () => {
    const kafka = testKafka();
    const prefix = `${uniqueName('dyncrash')}.`;
    const topics = sinkTopics('dynamics', prefix);
    const route = `${prefix}leads.route.dynamics`;
    const drop = await createTestTopics(kafka, [route, topics.deadLetter, topics.delivered, topics.offers], 2);
    const keySpec = `k1:${randomBytes(32).toString('base64')}`;
    const instance = `contoso-crash-${randomUUID().slice(0, 8)}`;
    const offers = ['contoso.crash-a', 'contoso.crash-b'];
    const publisher = new OfferDestinationPublisher({ kafka, topic: topics.offers });
    await publisher.connect();
    for (const offerId of offers)
      await publisher.put({
        offerId,
        version: 1,
        destination: sealDestination(
          {
            type: 'dynamics',
            url: `${dataverse.url}/${instance}`,
            authorityHost: entra.url,
            auth: { kind: 'aad', tenantId: S.tenant.ok, clientId: S.client.ok, clientSecret: S.secret.ok },
          },
          parseKeyring(keySpec),
          offerId,
        ),
        updatedAt: new Date().toISOString(),
      });
    await publisher.disconnect();
    const leads = Array.from({ length: 600 }, (_, i) => testLead(offers[i % 2] ?? 'contoso.crash-a'));
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: route,
      acks: -1,
      messages: leads.map((l) => ({
        key: l.offerId,
        value: JSON.stringify(l),
        headers: leadCloudEventHeaders(l, { source: '/test' }),
      })),
    });
    await producer.disconnect();

    const created = async () =>
      ((await (await fetch(`${dataverse.url}/_state`)).json()) as DataverseState).leads.filter(
        (l) => l.instance === instance,
      );
    const start = async (): Promise<ChildProcess> =>
      spawn(process.execPath, ['-r', '@swc-node/register', 'apps/dynamics-sink/src/main.ts'], {
        cwd: ROOT,
        stdio: 'ignore',
        env: {
          ...process.env,
          LEADFLOW_TOPIC_PREFIX: prefix,
          LEADFLOW_SECRET_KEYS: keySpec,
          LEADFLOW_DYNAMICS_SINK_PORT: String(await freePort()),
          LEADFLOW_LOG_LEVEL: 'silent',
          LEADFLOW_SINK_SESSION_TIMEOUT_MS: '6000',
          LEADFLOW_SINK_MAX_IN_FLIGHT: '64',
        },
      });
    const until = async (done: () => Promise<boolean>, ms: number) => {
      const deadline = Date.now() + ms;
      while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    };

    const first = await start();
    let second: ChildProcess | undefined;
    try {
      await until(async () => (await created()).length >= 150, 60_000);
      first.kill('SIGKILL');
      const atKill = (await created()).length;
      expect(atKill).toBeGreaterThanOrEqual(150);
      expect(atKill).toBeLessThan(leads.length);

      second = await start();
      await until(async () => (await created()).length >= leads.length, 90_000);
      const records = await created();
      expect(records).toHaveLength(leads.length);
      expect(new Set(records.map((r) => r.leadid))).toEqual(new Set(leads.map((l) => l.leadId)));

      const receipts = (await readTopic(kafka, topics.delivered, { count: leads.length * 2, timeoutMs: 8_000 })).map(
        (r) => JSON.parse(r.value ?? '{}') as { leadId: string; externalId?: string },
      );
      const perLead = new Map<string, number>();
      for (const r of receipts) perLead.set(r.leadId, (perLead.get(r.leadId) ?? 0) + 1);
      expect(perLead.size).toBe(leads.length);
      expect(Math.max(...perLead.values())).toBeLessThanOrEqual(2);
      expect(receipts.every((r) => r.externalId === r.leadId)).toBe(true);
      expect(await readTopic(kafka, topics.deadLetter, { count: 1, timeoutMs: 1_000 })).toEqual([]);
      // The restart did deliver again what the killed process had written but not committed: 412, not a copy.
      const answers = ((await (await fetch(`${dataverse.url}/_state`)).json()) as DataverseState).requests[instance];
      expect(answers?.['204']).toBe(leads.length);
      expect(answers?.['412']).toBeGreaterThan(0);
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      await drop();
    }
  }, 180_000);
});
