import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { Headers, leadCloudEventHeaders, type Destination, type Lead } from '@leadflow/lead-model';
import { freePort } from '@leadflow/local-infra';
import { createLogger, HealthState } from '@leadflow/observability';
import { OfferDestinationPublisher, OfferTable, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { createSinkMetrics, sinkTopics, SinkRunner } from '@leadflow/sink-runtime';
import {
  createTestTopics,
  readTopic,
  testKafka,
  testTablesConnectionString,
  uniqueName,
  uniqueTableName,
} from '@leadflow/testing';
import { tableSink } from './table.sink';

const keySpec = `k1:${randomBytes(32).toString('base64')}`;
const ring = parseKeyring(keySpec);
const ROOT = join(__dirname, '..', '..', '..');

function lead(offerId: string, i = 0): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    offerTitle: 'Fabrikam Suite',
    customer: { firstName: `Kim${i}`, lastName: 'Doe', email: `kim${i}@fabrikam.example`, company: 'Fabrikam' },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

interface Fixture {
  kafka: Kafka;
  prefix: string;
  publisher: OfferDestinationPublisher;
  cleanup: () => Promise<void>;
  configure(offerId: string, destination: Destination): Promise<void>;
  send(leads: Lead[]): Promise<void>;
}

async function fixture(partitions: number): Promise<Fixture> {
  const kafka = testKafka();
  const prefix = `${uniqueName('ts')}.`;
  const t = sinkTopics('azure-table', prefix);
  const cleanup = await createTestTopics(
    kafka,
    [`${prefix}leads.route.azure-table`, t.deadLetter, t.delivered, t.offers],
    partitions,
  );
  const publisher = new OfferDestinationPublisher({ kafka, topic: t.offers });
  await publisher.connect();
  return {
    kafka,
    prefix,
    publisher,
    cleanup: async () => {
      await publisher.disconnect();
      await cleanup();
    },
    configure: (offerId, destination) =>
      publisher.put({
        offerId,
        version: 1,
        destination: sealDestination(destination, ring, offerId),
        updatedAt: new Date().toISOString(),
      }),
    async send(leads) {
      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      for (let i = 0; i < leads.length; i += 500) {
        await producer.send({
          topic: `${prefix}leads.route.azure-table`,
          acks: -1,
          messages: leads.slice(i, i + 500).map((l) => ({
            key: l.offerId,
            value: JSON.stringify(l),
            headers: leadCloudEventHeaders(l, { source: '/test' }),
          })),
        });
      }
      await producer.disconnect();
    },
  };
}

async function rowKeys(table: string): Promise<string[]> {
  const client = TableClient.fromConnectionString(testTablesConnectionString(), table, {
    allowInsecureConnection: true,
  });
  const keys: string[] = [];
  try {
    for await (const e of client.listEntities<{ rowKey: string }>({ queryOptions: { select: ['RowKey'] } }))
      keys.push(e.rowKey ?? '');
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  return keys;
}

describe('table sink (real Kafka, real Azurite)', () => {
  it('writes the marketplace layout, and dead-letters wrong keys, garbage and unresolvable accounts', async () => {
    const f = await fixture(1);
    const table = uniqueTableName('Leads');
    const good = testTablesConnectionString();
    await f.configure('fabrikam.ok', { type: 'azure-table', connectionString: good, tableName: table });
    const badKeyString = good.replace(/AccountKey=[^;]+/, `AccountKey=${randomBytes(64).toString('base64')}`);
    await f.configure('fabrikam.badkey', { type: 'azure-table', connectionString: badKeyString, tableName: table });
    await f.configure('fabrikam.garbage', { type: 'azure-table', connectionString: 'this is not a connection string' });
    await f.configure('fabrikam.nohost', {
      type: 'azure-table',
      connectionString: `DefaultEndpointsProtocol=https;AccountName=leadflownohost;AccountKey=${randomBytes(64).toString('base64')};EndpointSuffix=nohost.invalid`,
    });
    const logger = createLogger({ service: 'table-sink-test', level: 'silent' });
    const t = sinkTopics('azure-table', f.prefix);
    const runner = new SinkRunner({
      kafka: f.kafka,
      sink: tableSink(),
      offers: new OfferTable({ kafka: f.kafka, logger, clientId: uniqueName('ts-offers'), topic: t.offers }),
      keyring: ring,
      topics: t,
      groupId: `${f.prefix}table-sink`,
      limits: { maxInFlight: 64, maxInFlightPerOffer: 8, attemptTimeoutMs: 5_000 },
      retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 100, maxElapsedMs: 5_000 },
      logger,
      metrics: createSinkMetrics(new Registry()),
      health: new HealthState(),
    });
    await runner.start();
    try {
      const ok = lead('fabrikam.ok');
      const others = {
        badkey: lead('fabrikam.badkey'),
        garbage: lead('fabrikam.garbage'),
        nohost: lead('fabrikam.nohost'),
      };
      await f.send([ok, ok, others.badkey, others.garbage, others.nohost]);
      const dead = await readTopic(f.kafka, t.deadLetter, { count: 3, timeoutMs: 30_000 });
      const cls = (l: Lead) => dead.find((d) => d.headers[Headers.ceId] === l.leadId)?.headers[Headers.errorClass];
      expect([cls(others.badkey), cls(others.garbage), cls(others.nohost)]).toEqual([
        'TABLE.AUTH_FAILED',
        'TABLE.INVALID_CONNECTION_STRING',
        'TABLE.ACCOUNT_UNREACHABLE',
      ]);
      // No account key leaks into a dead letter.
      const keys = [good, badKeyString].map((cs) => /AccountKey=([^;]+)/.exec(cs)?.[1] ?? 'none');
      for (const d of dead) for (const k of keys) expect(JSON.stringify(d.headers)).not.toContain(k);

      const receipts = await readTopic(f.kafka, t.delivered, { count: 2, timeoutMs: 20_000 });
      expect(receipts.map((r) => JSON.parse(r.value ?? '{}').leadId)).toEqual([ok.leadId, ok.leadId]);
      const client = TableClient.fromConnectionString(good, table, { allowInsecureConnection: true });
      const entity = await client.getEntity<Record<string, string>>('fabrikam.ok', ok.leadId);
      expect(entity).toMatchObject({
        LeadSource: 'AzureMarketplace-INS|fabrikam.ok',
        ActionCode: 'INS',
        ProductId: 'fabrikam.ok',
        OfferTitle: 'Fabrikam Suite',
        CreatedTime: ok.occurredAt,
      });
      expect(JSON.parse(entity['CustomerInfo'] ?? '{}')).toMatchObject({
        FirstName: 'Kim0',
        Email: 'kim0@fabrikam.example',
      });
      // Delivered twice (a replay), stored once.
      expect(await rowKeys(table)).toEqual([ok.leadId]);
    } finally {
      await runner.stop(2_000);
      await f.cleanup();
    }
  }, 90_000);

  it('loses and duplicates nothing when an instance is SIGKILLed mid-stream, its partitions rebalanced and it restarted', async () => {
    const f = await fixture(4);
    const table = uniqueTableName('Crash');
    // Eight offers (the record key) spread the leads over the four partitions.
    const offers = Array.from({ length: 8 }, (_, i) => `fabrikam.crash-${i}`);
    for (const offerId of offers)
      await f.configure(offerId, {
        type: 'azure-table',
        connectionString: testTablesConnectionString(),
        tableName: table,
      });
    const leads = Array.from({ length: 2_000 }, (_, i) => lead(offers[i % offers.length] ?? 'fabrikam.crash-0', i));
    await f.send(leads);

    const start = async (): Promise<ChildProcess> => {
      const port = await freePort();
      return spawn(process.execPath, ['-r', '@swc-node/register', 'apps/table-sink/src/main.ts'], {
        cwd: ROOT,
        stdio: 'ignore',
        env: {
          ...process.env,
          LEADFLOW_TOPIC_PREFIX: f.prefix,
          LEADFLOW_SECRET_KEYS: keySpec,
          LEADFLOW_TABLE_SINK_PORT: String(port),
          LEADFLOW_LOG_LEVEL: 'silent',
          LEADFLOW_SINK_SESSION_TIMEOUT_MS: '6000',
          LEADFLOW_SINK_MAX_IN_FLIGHT: '32',
        },
      });
    };
    const a = await start();
    const b = await start();
    try {
      const deadline = Date.now() + 60_000;
      while ((await rowKeys(table)).length < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      a.kill('SIGKILL');
      // Killed in the middle: some leads were written, not all.
      expect((await rowKeys(table)).length).toBeLessThan(leads.length);
      const restarted = await start();
      try {
        const until = Date.now() + 90_000;
        let keys: string[] = [];
        while (Date.now() < until) {
          keys = await rowKeys(table);
          if (keys.length >= leads.length) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        expect(keys.length).toBe(leads.length);
        expect(new Set(keys)).toEqual(new Set(leads.map((l) => l.leadId)));
        const dead = await readTopic(f.kafka, sinkTopics('azure-table', f.prefix).deadLetter, {
          count: 1,
          timeoutMs: 1_000,
        });
        expect(dead).toEqual([]);
      } finally {
        restarted.kill('SIGTERM');
      }
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      await f.cleanup();
    }
  }, 180_000);
});
