import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { Headers, leadCloudEventHeaders, type Destination, type Lead } from '@leadflow/lead-model';
import { createLogger, HealthState } from '@leadflow/observability';
import { OfferDestinationPublisher, OfferTable, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { createSinkMetrics, sinkTopics, SinkRunner } from '@leadflow/sink-runtime';
import { createTestTopics, readTopic, testKafka, uniqueName } from '@leadflow/testing';
import { httpsSink, signature } from './https.sink';

const ring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);

function lead(offerId: string): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    customer: { firstName: 'Kim', lastName: 'Doe', email: 'kim@contoso.example', company: 'Contoso' },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

/** A receiver whose behaviour depends on the path; it counts calls and records bodies and signatures. */
function receiver(): Promise<{
  url: string;
  calls: Map<string, number>;
  bodies: { path: string; body: string; sig?: string; at: number }[];
  close: () => Promise<void>;
}> {
  const calls = new Map<string, number>();
  const bodies: { path: string; body: string; sig?: string; at: number }[] = [];
  const server: Server = createServer((req, res) => {
    const at = Date.now();
    const path = req.url ?? '/';
    const n = (calls.get(path) ?? 0) + 1;
    calls.set(path, n);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const sig = req.headers['leadflow-signature'];
      bodies.push({
        path,
        at,
        body: Buffer.concat(chunks).toString('utf8'),
        ...(typeof sig === 'string' ? { sig } : {}),
      });
      if (path === '/hang') return; // never answers
      if (path === '/gone') return void res.writeHead(410).end();
      if (path === '/flaky' && n <= 2) return void res.writeHead(503, { 'retry-after': '0' }).end();
      res.writeHead(200).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        calls,
        bodies,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    }),
  );
}

describe('https sink on the runtime (real Kafka, local receivers)', () => {
  let kafka: Kafka;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let runner: SinkRunner<'https'>;
  let publisher: OfferDestinationPublisher;
  const topics = () => sinkTopics('https', prefix);

  async function configure(offerId: string, destination: Destination, version = 1): Promise<void> {
    await publisher.put({
      offerId,
      version,
      destination: sealDestination(destination, ring, offerId),
      updatedAt: new Date().toISOString(),
    });
  }

  async function send(leads: Lead[]): Promise<void> {
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
  }

  beforeAll(async () => {
    kafka = testKafka();
    prefix = `${uniqueName('hs')}.`;
    const t = sinkTopics('https', prefix);
    cleanup = await createTestTopics(kafka, [`${prefix}leads.route.https`, t.deadLetter, t.delivered, t.offers], 1);
    rx = await receiver();
    publisher = new OfferDestinationPublisher({ kafka, topic: t.offers });
    await publisher.connect();
    await configure('contoso.ok', { type: 'https', url: `${rx.url}/ok`, signingSecret: 'a-signing-secret-0123' });
    await configure('contoso.gone', { type: 'https', url: `${rx.url}/gone` });
    await configure('contoso.flaky', { type: 'https', url: `${rx.url}/flaky` });
    await configure('contoso.hang', { type: 'https', url: `${rx.url}/hang` });
    await configure('contoso.private', { type: 'https', url: 'https://10.0.0.1/hook' });
    await configure('contoso.nodns', { type: 'https', url: 'https://leads.nohost.invalid/hook' });
    const logger = createLogger({ service: 'https-sink-test', level: 'silent' });
    runner = new SinkRunner({
      kafka,
      sink: httpsSink('loopback'),
      offers: new OfferTable({ kafka, logger, clientId: uniqueName('hs-offers'), topic: t.offers }),
      keyring: ring,
      topics: t,
      groupId: `${prefix}https-sink`,
      limits: { maxInFlight: 64, maxInFlightPerOffer: 4, attemptTimeoutMs: 1_000 },
      retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200, maxElapsedMs: 10_000 },
      logger,
      metrics: createSinkMetrics(new Registry()),
      health: new HealthState(),
    });
    await runner.start();
  });

  afterAll(async () => {
    await runner.stop(2_000);
    await publisher.disconnect();
    await rx.close();
    await cleanup();
  });

  it('delivers, retries transient failures, dead-letters each class, and keeps other offers moving', async () => {
    const hung = lead('contoso.hang');
    const leads = {
      hang: hung,
      ok: lead('contoso.ok'),
      gone1: lead('contoso.gone'),
      flaky: lead('contoso.flaky'),
      priv: lead('contoso.private'),
      nodns: lead('contoso.nodns'),
      unknown: lead('contoso.not-configured'),
    };
    // The hanging offer's lead goes first, on the same partition as all the others.
    await send([leads.hang]);
    await send([leads.ok, leads.gone1, leads.flaky, leads.priv, leads.nodns, leads.unknown]);

    const receipts = await readTopic(kafka, topics().delivered, { count: 2, timeoutMs: 20_000 });
    const delivered = new Map(
      receipts.map((r) => [
        JSON.parse(r.value ?? '{}').leadId as string,
        JSON.parse(r.value ?? '{}') as { attempts: number; destination: string },
      ]),
    );
    expect(delivered.get(leads.ok.leadId)).toMatchObject({ destination: 'https', attempts: 1 });
    expect(delivered.get(leads.flaky.leadId)).toMatchObject({ attempts: 3 });
    // The bound: another offer's lead behind the hanging one on the same partition is delivered before
    // the hanging call's first attempt has even timed out (1 s), i.e. it is not held back by it at all.
    const firstHang = rx.bodies.find((b) => b.path === '/hang')?.at ?? 0;
    const okAt = rx.bodies.find((b) => b.path === '/ok')?.at ?? Number.MAX_SAFE_INTEGER;
    expect(okAt - firstHang).toBeLessThan(1_000);

    const dead = await readTopic(kafka, topics().deadLetter, { count: 5, timeoutMs: 20_000 });
    const byLead = new Map(dead.map((d) => [d.headers[Headers.ceId], d]));
    const cls = (l: Lead) => [
      byLead.get(l.leadId)?.headers[Headers.errorClass],
      byLead.get(l.leadId)?.headers[Headers.errorCategory],
    ];
    expect(cls(leads.gone1)).toEqual(['HTTPS.ENDPOINT_REJECTED', 'configuration']);
    expect(cls(leads.priv)).toEqual(['HTTPS.ADDRESS_NOT_ALLOWED', 'configuration']);
    expect(cls(leads.nodns)).toEqual(['HTTPS.ENDPOINT_UNREACHABLE', 'configuration']);
    expect(cls(leads.unknown)).toEqual(['ROUTER.OFFER_NOT_CONFIGURED', 'configuration']);
    expect(cls(leads.hang)).toEqual(['HTTPS.SERVER_ERROR', 'transient-exhausted']);
    const hangDl = byLead.get(leads.hang.leadId);
    expect(hangDl?.headers[Headers.attempts]).toBe('3');
    expect(hangDl?.value).toBe(JSON.stringify(leads.hang));
    expect(hangDl?.headers[Headers.destinationVersion]).toBe('1');
    expect(hangDl?.headers[Headers.originalTopic]).toBe(`${prefix}leads.route.https`);

    // The circuit: once the offer failed with a configuration error, its next lead is dead-lettered
    // without calling the endpoint again.
    const gone2 = lead('contoso.gone');
    await send([gone2]);
    const dead2 = await readTopic(kafka, topics().deadLetter, { count: 6, timeoutMs: 15_000 });
    const second = dead2.find((d) => d.headers[Headers.ceId] === gone2.leadId);
    expect([second?.headers[Headers.errorClass], second?.headers[Headers.attempts]]).toEqual([
      'HTTPS.ENDPOINT_REJECTED',
      '0',
    ]);
    expect(rx.calls.get('/gone')).toBe(1);

    // Signed with the offer's secret over the exact body; the marketplace's JSON shape.
    const ok = rx.bodies.find((b) => b.path === '/ok');
    const t = Number(/t=(\d+)/.exec(ok?.sig ?? '')?.[1]);
    expect(ok?.sig).toBe(signature('a-signing-secret-0123', ok?.body ?? '', t));
    expect(JSON.parse(ok?.body ?? '{}')).toMatchObject({
      UserDetails: { FirstName: 'Kim', Email: 'kim@contoso.example' },
      LeadSource: 'AzureMarketplace-INS|contoso.ok',
      ActionCode: 'INS',
    });
  }, 60_000);

  it("calls the endpoint again once the offer's configuration version changes", async () => {
    await configure('contoso.gone', { type: 'https', url: `${rx.url}/ok-now` }, 2);
    await new Promise((r) => setTimeout(r, 500));
    const l = lead('contoso.gone');
    await send([l]);
    const receipts = await readTopic(kafka, topics().delivered, { count: 3, timeoutMs: 15_000 });
    expect(receipts.map((r) => JSON.parse(r.value ?? '{}').leadId)).toContain(l.leadId);
    expect(rx.calls.get('/ok-now')).toBe(1);
  }, 30_000);
});
