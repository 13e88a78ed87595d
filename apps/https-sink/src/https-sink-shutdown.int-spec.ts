import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { leadCloudEventHeaders, type Lead } from '@leadflow/lead-model';
import { freePort } from '@leadflow/local-infra';
import { OfferDestinationPublisher, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { sinkTopics } from '@leadflow/sink-runtime';
import { createTestTopics, readTopic, testKafka, uniqueName } from '@leadflow/testing';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * SIGTERM while deliveries are in flight: the process exits 0, and every lead is delivered in the end
 * (finished before exit, or handed back uncommitted and delivered by the next instance). Nothing is lost
 * and nothing is dead-lettered.
 */
describe('https-sink graceful shutdown (a real process)', () => {
  it('finishes or hands back in-flight work on SIGTERM', async () => {
    const kafka = testKafka();
    const prefix = `${uniqueName('hsd')}.`;
    const t = sinkTopics('https', prefix);
    const cleanup = await createTestTopics(
      kafka,
      [`${prefix}leads.route.https`, t.deadLetter, t.delivered, t.offers],
      2,
    );
    const received = new Set<string>();
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          received.add(String(req.headers['leadflow-lead-id']));
          res.writeHead(200).end('{}');
        }, 300),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/leads`;
    const keySpec = `k1:${randomBytes(32).toString('base64')}`;
    const ring = parseKeyring(keySpec);
    const publisher = new OfferDestinationPublisher({ kafka, topic: t.offers });
    await publisher.connect();
    await publisher.put({
      offerId: 'contoso.drain',
      version: 1,
      destination: sealDestination({ type: 'https', url }, ring, 'contoso.drain'),
      updatedAt: new Date().toISOString(),
    });
    await publisher.disconnect();

    const leads: Lead[] = Array.from({ length: 60 }, (_, i) => ({
      leadId: randomUUID(),
      offerId: 'contoso.drain',
      source: 'AzureMarketplace',
      action: 'INS',
      customer: { firstName: `K${i}`, lastName: 'Doe', email: `k${i}@contoso.example` },
      occurredAt: new Date().toISOString(),
      isTest: false,
      piiSuppressed: false,
    }));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: `${prefix}leads.route.https`,
      acks: -1,
      messages: leads.map((l) => ({
        key: l.offerId,
        value: JSON.stringify(l),
        headers: leadCloudEventHeaders(l, { source: '/test' }),
      })),
    });
    await producer.disconnect();

    const start = async (): Promise<ChildProcess> =>
      spawn(process.execPath, ['-r', '@swc-node/register', 'apps/https-sink/src/main.ts'], {
        cwd: ROOT,
        stdio: 'ignore',
        env: {
          ...process.env,
          LEADFLOW_TOPIC_PREFIX: prefix,
          LEADFLOW_SECRET_KEYS: keySpec,
          LEADFLOW_HTTPS_SINK_PORT: String(await freePort()),
          LEADFLOW_HTTPS_ALLOW: 'loopback',
          LEADFLOW_LOG_LEVEL: 'silent',
          // A few deliveries at a time, so SIGTERM finds work in flight and work not yet started.
          LEADFLOW_SINK_MAX_IN_FLIGHT_PER_OFFER: '4',
          LEADFLOW_SHUTDOWN_TIMEOUT_MS: '5000',
        },
      });
    const first = await start();
    try {
      const deadline = Date.now() + 30_000;
      while (received.size < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const exited = new Promise<number | null>((r) => first.once('exit', (code) => r(code)));
      first.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(received.size).toBeLessThan(leads.length);

      const second = await start();
      try {
        // At least once: a lead may be delivered (and receipted) twice; every lead must be there.
        const wanted = new Set(leads.map((l) => l.leadId));
        let got = new Set<string>();
        for (const until = Date.now() + 60_000; Date.now() < until && got.size < wanted.size;) {
          const receipts = await readTopic(kafka, t.delivered, { count: 10_000, timeoutMs: 2_000 });
          got = new Set(receipts.map((r) => JSON.parse(r.value ?? '{}').leadId as string));
        }
        expect(got).toEqual(wanted);
        expect(await readTopic(kafka, t.deadLetter, { count: 1, timeoutMs: 500 })).toEqual([]);
      } finally {
        second.kill('SIGTERM');
      }
    } finally {
      first.kill('SIGKILL');
      server.closeAllConnections();
      server.close();
      await cleanup();
    }
  }, 120_000);
});
