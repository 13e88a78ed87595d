import { randomBytes, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import type { Kafka } from 'kafkajs';
import { readToEnd, REPLAY_LEDGER_TOPIC, ReplayHeaders } from '@leadflow/dead-letters';
import { headersToStrings } from '@leadflow/kafka';
import {
  deadLetterHeaders,
  DLQ_STAGES,
  ERROR_CATALOG,
  leadCloudEventHeaders,
  Topics,
  type Destination,
  type Lead,
} from '@leadflow/lead-model';
import { freePort } from '@leadflow/local-infra';
import { OfferDestinationPublisher, parseKeyring, sealDestination } from '@leadflow/offer-table';
import {
  createTestTopics,
  testBrokers,
  testKafka,
  testTablesConnectionString,
  uniqueName,
  uniqueTableName,
} from '@leadflow/testing';
import { ExitCode } from './exit-codes';
import { leadctl, leadctlProcess, startService, waitReady, type Service } from './test/services';

const SECRET_KEYS = `t1:${randomBytes(32).toString('base64')}`;
const keyring = parseKeyring(SECRET_KEYS);
const BROKEN = 'tailspin.misconfigured';
const UNCONFIGURED = 'adatum.unconfigured';
const N = 5;

function lead(offerId: string, n: number): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    offerTitle: 'Tailspin Suite',
    customer: {
      firstName: `Robin${n}`,
      lastName: 'Tailspin',
      email: `robin${n}@tailspin.example`,
      phone: '+1 425 555 0199',
      company: 'Tailspin',
    },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

const message = (l: Lead) => ({
  key: l.offerId,
  value: JSON.stringify(l),
  headers: leadCloudEventHeaders(l, { source: '/test/producer' }),
});

/** Every record of a topic, read to its end. */
async function records(kafka: Kafka, topic: string) {
  const out: { value: string | null; headers: Record<string, string> }[] = [];
  await readToEnd(
    kafka,
    [topic],
    (_t, _p, m) => out.push({ value: m.value?.toString('utf8') ?? null, headers: headersToStrings(m.headers) }),
    { groupPrefix: 'lc-test' },
  );
  return out;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The analyst's loop on a real broker, the real router and the real table sink (production entry points,
 * their own topic prefix), Azurite as the table service: a rotated key dead-letters the offer's leads,
 * leadctl shows why, the key is fixed, leadctl replays them, each is delivered exactly once.
 */
describe('leadctl dlq against the real pipeline', () => {
  const kafka = testKafka();
  const prefix = `${uniqueName('lc')}.`;
  const env = {
    KAFKA_BROKERS: testBrokers().join(','),
    LEADFLOW_TOPIC_PREFIX: prefix,
    LEADFLOW_REPLAY_BY: 'analyst@test',
  };
  const topic = (name: string) => `${prefix}${name}`;
  const table = uniqueTableName('Leads');
  const good = testTablesConnectionString();
  const rotated = good.replace(/AccountKey=[^;]+/, `AccountKey=${randomBytes(64).toString('base64')}`);
  const services: Service[] = [];
  const broken = Array.from({ length: N }, (_, i) => lead(BROKEN, i));
  const unconfigured = [lead(UNCONFIGURED, 10), lead(UNCONFIGURED, 11)];
  const oldFailure = new Date('2025-06-01T00:00:00Z');
  let dropTopics: () => Promise<void>;
  let startedAt: Date;

  const configure = async (version: number, connectionString: string) => {
    const destination: Destination = { type: 'azure-table', connectionString, tableName: table };
    const publisher = new OfferDestinationPublisher({ kafka, topic: topic(Topics.offerDestinations) });
    await publisher.connect();
    await publisher.put({
      offerId: BROKEN,
      version,
      destination: sealDestination(destination, keyring, BROKEN),
      updatedAt: new Date().toISOString(),
    });
    await publisher.disconnect();
  };
  const produce = async (
    topicName: string,
    messages: { key: string; value: string; headers: Record<string, string> }[],
  ) => {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: topicName, acks: -1, messages });
    await producer.disconnect();
  };
  const ids = (run: { json: () => Record<string, unknown>[] }) =>
    run
      .json()
      .map((v) => v['leadId'])
      .sort();

  beforeAll(async () => {
    const dropIngested = await createTestTopics(kafka, [topic(Topics.ingested)], 3);
    const dropRest = await createTestTopics(
      kafka,
      [
        topic(Topics.offerDestinations),
        topic(Topics.delivered),
        topic(Topics.route('azure-table')),
        topic(Topics.audit),
        ...DLQ_STAGES.map((s) => topic(Topics.dlq(s))),
      ],
      1,
    );
    dropTopics = async () => {
      await dropIngested();
      await dropRest();
      const admin = kafka.admin();
      await admin.connect();
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      await admin.disconnect();
    };
    await configure(1, rotated);
    const [routerPort, sinkPort] = [await freePort(), await freePort()];
    const common = { KAFKA_BROKERS: env.KAFKA_BROKERS, LEADFLOW_TOPIC_PREFIX: prefix, LEADFLOW_LOG_LEVEL: 'warn' };
    const router = startService('apps/router/src/main.ts', { ...common, LEADFLOW_ROUTER_PORT: String(routerPort) });
    const sink = startService('apps/table-sink/src/main.ts', {
      ...common,
      LEADFLOW_TABLE_SINK_PORT: String(sinkPort),
      LEADFLOW_SECRET_KEYS: SECRET_KEYS,
    });
    services.push(router, sink);
    await Promise.all([
      waitReady(`http://127.0.0.1:${routerPort}/readyz`, router),
      waitReady(`http://127.0.0.1:${sinkPort}/readyz`, sink),
    ]);
    startedAt = new Date();
    await produce(topic(Topics.ingested), [
      ...broken.map(message),
      ...unconfigured.map(message),
      { key: 'broken.producer', value: '{"this is": "not a lead"}', headers: { ce_id: 'garbage-1' } },
    ]);
    // A dead letter from long ago (an HTTPS endpoint that kept failing), for the time filters.
    const old = lead('contoso.webhook', 20);
    await produce(topic(Topics.dlq('https')), [
      {
        ...message(old),
        headers: deadLetterHeaders({
          original: leadCloudEventHeaders(old, { source: '/test' }),
          errorClass: 'HTTPS.SERVER_ERROR',
          category: 'transient-exhausted',
          message: 'the endpoint answered 503 six times',
          originalTopic: topic(Topics.route('https')),
          partition: 0,
          offset: '7',
          sink: 'https-sink',
          attempts: 6,
          failedAt: oldFailure,
          destinationVersion: 3,
        }),
      },
    ]);
    await until(
      'all dead letters written',
      () => leadctl(['dlq', 'list', '--json'], env),
      (r) => r.json().length === N + 2 + 1 + 1,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await dropTopics?.();
  });

  it('summarizes the dead letters by stage, class and offer, with the remediation', async () => {
    const json = await leadctl(['dlq', 'summary', '--json'], env);
    expect(json.code).toBe(ExitCode.ok);
    const rows = json.json();
    expect(rows).toContainEqual(
      expect.objectContaining({
        stage: 'azure-table',
        errorClass: 'TABLE.AUTH_FAILED',
        category: 'configuration',
        offerId: BROKEN,
        count: N,
        replayed: 0,
        remediation: ERROR_CATALOG['TABLE.AUTH_FAILED'].remediation,
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        stage: 'router',
        errorClass: 'ROUTER.OFFER_NOT_CONFIGURED',
        offerId: UNCONFIGURED,
        count: 2,
      }),
    );
    expect(rows[0]).toMatchObject({ offerId: BROKEN, count: N });
    const text = await leadctl(['dlq', 'summary'], env);
    expect(text.stdout).toContain('TABLE.AUTH_FAILED');
    expect(text.stdout).toContain(BROKEN);
    expect(text.stdout).toContain('Access keys page');
    expect(text.stdout).toContain(`${N + 4} dead letter(s)`);
  });

  it('selects exactly what each filter says', async () => {
    const count = async (...args: string[]) => (await leadctl(['dlq', 'list', '--json', ...args], env)).json().length;
    expect(ids(await leadctl(['dlq', 'list', '--json', '--offer', BROKEN], env))).toEqual(
      broken.map((l) => l.leadId).sort(),
    );
    expect(await count('--stage', 'router')).toBe(3);
    expect(await count('--stage', 'router,https')).toBe(4);
    expect(await count('--stage', 'azure-table')).toBe(N);
    expect(await count('--class', 'TABLE.AUTH_FAILED')).toBe(N);
    expect(await count('--class', 'ROUTER.*')).toBe(3);
    expect(await count('--class', 'ROUTER.MALFORMED_EVENT')).toBe(1);
    expect(await count('--category', 'configuration')).toBe(N + 2);
    expect(await count('--category', 'data')).toBe(1);
    expect(await count('--category', 'transient-exhausted')).toBe(1);
    expect(await count('--since', startedAt.toISOString())).toBe(N + 3);
    expect(await count('--until', startedAt.toISOString())).toBe(1);
    expect(await count('--since', '2025-05-31T00:00:00Z', '--until', '2025-06-02T00:00:00Z')).toBe(1);
    expect(await count('--offer', UNCONFIGURED, '--class', 'TABLE.AUTH_FAILED')).toBe(0);
    const none = await leadctl(['dlq', 'list', '--offer', 'nobody.here'], env);
    expect(none.code).toBe(ExitCode.nothingMatched);
    const bad = await leadctl(['dlq', 'list', '--class', 'TABLE.NOPE', '--since', 'yesterday'], env);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toContain("--class: unknown error class 'TABLE.NOPE'");
    expect(bad.stderr).toContain("--since: 'yesterday' is not a time");
  });

  it('shows one lead with names, e-mail and phone masked unless --show-pii', async () => {
    const target = broken[0] as Lead;
    const masked = await leadctl(['dlq', 'show', target.leadId, '--json'], env);
    expect(masked.code).toBe(ExitCode.ok);
    const [view] = masked.json();
    expect(view).toMatchObject({
      leadId: target.leadId,
      offerId: BROKEN,
      errorClass: 'TABLE.AUTH_FAILED',
      stage: 'azure-table',
      destinationVersion: 1,
      replayed: null,
      lead: { customer: { firstName: 'R***', email: 'r***@tailspin.example', phone: '+***', company: 'Tailspin' } },
    });
    expect(masked.stdout).not.toContain(target.customer.email);
    const text = await leadctl(['dlq', 'show', target.leadId], env);
    expect(text.stdout).toContain('TABLE.AUTH_FAILED (configuration)');
    expect(text.stdout).not.toContain('Robin0');
    const open = await leadctl(['dlq', 'show', target.leadId, '--json', '--show-pii'], env);
    expect(open.json()[0]).toMatchObject({ lead: { customer: { firstName: 'Robin0', email: target.customer.email } } });
    expect((await leadctl(['dlq', 'show', 'no-such-lead'], env)).code).toBe(ExitCode.nothingMatched);
  });

  it('replays once the key is fixed: a dry run changes nothing, the replay delivers each lead exactly once, a second one publishes nothing', async () => {
    const ingestedBefore = (await records(kafka, topic(Topics.ingested))).length;
    const dry = await leadctl(['dlq', 'replay', '--offer', BROKEN, '--dry-run', '--json'], env);
    expect(dry.code).toBe(ExitCode.ok);
    const lines = dry.json();
    expect(lines.filter((l) => 'wouldReplay' in l)).toHaveLength(N);
    expect(lines[lines.length - 1]).toMatchObject({ dryRun: true, matched: N, pending: N, replayed: 0 });
    expect((await records(kafka, topic(Topics.ingested))).length).toBe(ingestedBefore);
    expect(await records(kafka, topic(REPLAY_LEDGER_TOPIC))).toHaveLength(0);

    // The publisher fixes the key (version 2); a fresh lead shows the sink now delivers with it.
    await configure(2, good);
    const probe = lead(BROKEN, 99);
    await produce(topic(Topics.ingested), [message(probe)]);
    await until(
      'the fixed configuration delivers',
      () => records(kafka, topic(Topics.delivered)),
      (rs) => rs.some((r) => r.value?.includes(probe.leadId)),
    );

    const replay = await leadctl(['dlq', 'replay', '--offer', BROKEN], env);
    expect(replay.code).toBe(ExitCode.ok);
    // Not a terminal: progress as plain lines, no bar.
    expect(replay.stderr).toBe(`replayed 0/${N}\nreplayed ${N}/${N}\n`);
    expect(replay.stdout).toContain(`replayed ${N} lead(s) to leads.ingested as analyst@test`);

    const wanted = new Set(broken.map((l) => l.leadId));
    const receipts = await until(
      'replayed leads delivered',
      () => records(kafka, topic(Topics.delivered)),
      (rs) => rs.filter((r) => wanted.has(JSON.parse(r.value ?? '{}').leadId)).length >= N,
    );
    const client = TableClient.fromConnectionString(good, table, { allowInsecureConnection: true });
    const rows: string[] = [];
    for await (const e of client.listEntities<{ rowKey: string }>()) rows.push(e.rowKey ?? '');
    expect(rows.sort()).toEqual([...broken.map((l) => l.leadId), probe.leadId].sort());

    const again = await leadctl(['dlq', 'replay', '--offer', BROKEN, '--json'], env);
    expect(again.code).toBe(ExitCode.ok);
    expect(again.json()).toEqual([{ dryRun: false, matched: N, alreadyReplayed: N, replayed: 0, by: 'analyst@test' }]);

    // Exactly N replayed records on leads.ingested, each the original lead with its id, and N receipts.
    await new Promise((r) => setTimeout(r, 1_500));
    const replayed = (await records(kafka, topic(Topics.ingested))).filter((r) => r.headers[ReplayHeaders.of]);
    expect(replayed).toHaveLength(N);
    for (const r of replayed) {
      const original = broken.find((l) => l.leadId === r.headers['ce_id']);
      expect(r.value).toBe(JSON.stringify(original));
      expect(r.headers[ReplayHeaders.by]).toBe('analyst@test');
      expect(r.headers[ReplayHeaders.of]).toMatch(
        new RegExp(`^${prefix.replace(/\./g, '\\.')}leads\\.dlq\\.azure-table/0/\\d+$`),
      );
      expect(r.headers['leadflow.error.class']).toBeUndefined();
    }
    const finalReceipts = (await records(kafka, topic(Topics.delivered))).filter((r) =>
      wanted.has(JSON.parse(r.value ?? '{}').leadId),
    );
    expect(finalReceipts).toHaveLength(N);
    expect(receipts.length).toBeGreaterThan(0);

    const summary = await leadctl(['dlq', 'summary', '--json', '--offer', BROKEN], env);
    expect(summary.json()).toEqual([expect.objectContaining({ count: N, replayed: N })]);
    const listed = await leadctl(['dlq', 'list', '--json', '--offer', BROKEN], env);
    expect(listed.json().every((v) => (v['replayed'] as { by?: string } | null)?.by === 'analyst@test')).toBe(true);
  }, 120_000);

  it('gives scripts distinct exit codes from the real executable', async () => {
    const noFilter = await leadctlProcess(['dlq', 'replay'], env);
    expect(noFilter.code).toBe(ExitCode.usage);
    expect(noFilter.stderr).toContain('--all');
    const unknownFlag = await leadctlProcess(['dlq', 'list', '--colour'], env);
    expect(unknownFlag.code).toBe(ExitCode.usage);
    expect(unknownFlag.stderr).toContain("unknown option '--colour'");
    const nothing = await leadctlProcess(['dlq', 'replay', '--offer', 'nobody.here'], env);
    expect(nothing.code).toBe(ExitCode.nothingMatched);
    const unreachable = await leadctlProcess(['dlq', 'summary', '--brokers', `127.0.0.1:${await freePort()}`], env);
    expect(unreachable.code).toBe(ExitCode.brokerUnreachable);
    expect(unreachable.stderr).toContain('no Kafka broker answered');
    const help = await leadctlProcess(['dlq', 'list', '--help'], env);
    expect(help.code).toBe(ExitCode.ok);
    expect(help.stdout).toContain('--show-pii');
  }, 60_000);
});
