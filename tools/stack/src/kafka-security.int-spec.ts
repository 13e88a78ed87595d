import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { createKafka, PRINCIPALS } from '@leadflow/kafka';
import { Topics } from '@leadflow/lead-model';
import { freePorts, generateTls, securityMaterial, writeTls, type SpawnedProcess } from '@leadflow/local-infra';
import { kafkaSecurityFromEnv } from '@leadflow/service-config';
import { components, DEMO_SIGNING_SECRET, DEV_ENV, simulatorTlsDir } from './components';
import {
  applyStackAcls,
  kafkaClientEnv,
  stackAdminSecurity,
  stackKafkaSecurity,
  stackPrincipals,
} from './kafka-security';
import { kafkaBrokers, readStackConfig, SERVICE_PORT_VARIABLES, type StackConfig } from './stack.config';
import { createStackTopics } from './topics';
import type { Received } from './receiver/receiver';

const OFFER = 'contoso.secured-offer';
const ROOT = join(__dirname, '..', '..', '..');

/** Every `type` of a kafkajs error and of the errors it wraps (retries, aggregates, causes). */
function errorTypes(err: unknown, seen = new Set<unknown>()): string[] {
  if (typeof err !== 'object' || err === null || seen.has(err)) return [];
  seen.add(err);
  const e = err as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  return [
    ...(typeof e.type === 'string' ? [e.type] : []),
    ...errorTypes(e.cause, seen),
    ...errorTypes(e.originalError, seen),
    ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => errorTypes(x, seen)) : []),
  ];
}

async function refusal(attempt: Promise<unknown>): Promise<string[]> {
  try {
    await attempt;
  } catch (err) {
    return errorTypes(err);
  }
  throw new Error('the broker accepted it');
}

function canonicalLead(leadId: string, offerId = OFFER): Record<string, unknown> {
  return {
    leadId,
    offerId,
    source: 'AzurePortal',
    action: 'Create',
    customer: { firstName: 'Kim', lastName: 'Doe', email: `kim.${leadId.slice(0, 8)}@contoso.example` },
    occurredAt: new Date().toISOString(),
  };
}

/**
 * Kafka secured (`LEADFLOW_KAFKA_SECURE=1`): one broker with a SASL_SSL listener, a SCRAM user per service and ACLs
 * on, the production entry points of ingest, the router and the https sink each connecting as its own principal.
 * The broker itself refuses what a principal was not granted.
 */
describe('Kafka secured: SASL_SSL, SCRAM users and ACLs per service', () => {
  let dir: string;
  let cfg: StackConfig;
  const running: SpawnedProcess[] = [];
  const clients: { disconnect(): Promise<void> }[] = [];

  /** A client as `user`, built from the same KAFKA_* variables the stack hands that service. */
  const kafkaAs = (user: string): Kafka =>
    createKafka({
      brokers: kafkaBrokers(cfg).split(','),
      clientId: `acl-test-${user}`,
      security: kafkaSecurityFromEnv(kafkaClientEnv(cfg, user), 'test'),
      retry: { retries: 1, initialRetryTime: 100 },
    });
  const received = async (): Promise<Received[]> =>
    (await (await fetch(`http://${cfg.host}:${cfg.receiverPort}/received`)).json()) as Received[];
  const waitForDelivery = async (leadId: string, timeoutMs = 30_000): Promise<Received> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await received()).find((r) => r.leadId === leadId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`lead ${leadId} was not delivered within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /** The lead ids on leads.route.https (read as the admin, committed records only) once `until` is among them. */
  const routedLeadIds = async (until: string): Promise<string[]> => {
    const kafka = createKafka({
      brokers: kafkaBrokers(cfg).split(','),
      clientId: 'acl-test-admin',
      security: stackAdminSecurity(cfg),
    });
    const consumer = kafka.consumer({ groupId: `acl-test-reader-${randomUUID()}`, readUncommitted: false });
    const ids: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [Topics.route('https')], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          ids.push((JSON.parse(message.value?.toString('utf8') ?? '{}') as { leadId?: string }).leadId ?? '');
        },
      });
      const deadline = Date.now() + 20_000;
      while (!ids.includes(until) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return ids;
    } finally {
      await consumer.disconnect();
    }
  };

  const putDestination = async (offerId: string): Promise<number> =>
    (
      await fetch(`http://${cfg.host}:${cfg.ingestPort}/v1/offers/${offerId}/destination`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${DEV_ENV.LEADFLOW_ADMIN_TOKENS}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'https',
          url: `http://${cfg.host}:${cfg.receiverPort}/hook`,
          signingSecret: DEMO_SIGNING_SECRET,
        }),
      })
    ).status;
  const postLead = async (lead: Record<string, unknown>): Promise<number> =>
    (
      await fetch(`http://${cfg.host}:${cfg.ingestPort}/v1/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_ENV.LEADFLOW_INGEST_TOKENS}`, 'content-type': 'application/json' },
        body: JSON.stringify(lead),
      })
    ).status;
  /** leadctl's production entry point, connecting as the `leadctl` principal. */
  const leadctl = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const built = join(ROOT, 'dist', 'apps', 'leadctl', 'main.js');
    const program = cfg.runFromSource ? ['-r', '@swc-node/register', 'apps/leadctl/src/main.ts'] : [built];
    return spawnSync(process.execPath, [...program, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, KAFKA_BROKERS: kafkaBrokers(cfg), ...kafkaClientEnv(cfg, PRINCIPALS.leadctl) },
    });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadflow-kafka-acl-'));
    mkdirSync(join(dir, 'kafka'), { recursive: true });
    symlinkSync(join(ROOT, '.local', 'kafka', 'libs'), join(dir, 'kafka', 'libs'));
    const names = ['LEADFLOW_KAFKA_PORT', 'LEADFLOW_KAFKA_CONTROLLER_PORT', ...SERVICE_PORT_VARIABLES];
    const ports = await freePorts(names.length);
    cfg = readStackConfig({
      LEADFLOW_LOCAL_DIR: dir,
      LEADFLOW_KAFKA_SECURE: '1',
      // dist/ when built (./dev test builds first), the TypeScript source otherwise.
      LEADFLOW_RUN_FROM_SOURCE: existsSync(join(ROOT, 'dist', 'apps', 'ingest', 'main.js')) ? '' : '1',
      ...Object.fromEntries(names.map((n, i) => [n, String(ports[i])])),
    });
    // The sinks trust the simulators' CA (no simulator runs here: the https sink delivers to the receiver).
    writeTls(simulatorTlsDir(cfg), await generateTls());
    const wanted = ['kafka', 'receiver', 'ingest', 'router', 'https-sink', 'console'];
    for (const c of components(cfg).filter((x) => wanted.includes(x.name))) {
      running.push(await c.start(cfg));
      if (c.kafka) {
        await createStackTopics(kafkaBrokers(cfg), stackAdminSecurity(cfg));
        await applyStackAcls(cfg);
      }
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.disconnect().catch(() => undefined)));
    for (const p of running.reverse()) await p.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('delivers a lead through ingest, the router and the https sink, each connected as its own principal', async () => {
    expect(await putDestination(OFFER)).toBe(200);
    const leadId = randomUUID();
    expect(await postLead(canonicalLead(leadId))).toBe(202);
    expect((await waitForDelivery(leadId)).signature).toBe('valid');
  });

  it("counts the receipt into offers.status as ingest's own principal (transactions, its group) and answers from it", async () => {
    const leadId = randomUUID();
    expect(await postLead(canonicalLead(leadId))).toBe(202);
    await waitForDelivery(leadId);
    const deadline = Date.now() + 30_000;
    let last: string | undefined;
    while (last !== leadId && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      const res = await fetch(`http://${cfg.host}:${cfg.ingestPort}/v1/offers/${OFFER}/status`, {
        headers: { authorization: `Bearer ${DEV_ENV.LEADFLOW_ADMIN_TOKENS}` },
      });
      last = ((await res.json()) as { lastDelivery?: { leadId: string } }).lastDelivery?.leadId;
    }
    expect(last).toBe(leadId);
  });

  it('lets leadctl, as its own principal, list a router dead letter and replay it to delivery', async () => {
    const offerId = `fabrikam.replay-${randomUUID().slice(0, 8)}`;
    const leadId = randomUUID();
    // No destination yet: the router dead-letters the lead (ROUTER.OFFER_NOT_CONFIGURED) on leads.dlq.router.
    expect(await postLead(canonicalLead(leadId, offerId))).toBe(202);
    const deadline = Date.now() + 20_000;
    let listed = leadctl('dlq', 'list', '--offer', offerId, '--json');
    while (!listed.stdout.includes(leadId) && Date.now() < deadline) {
      expect([listed.status, listed.stderr]).toEqual([expect.any(Number), expect.any(String)]);
      await new Promise((r) => setTimeout(r, 500));
      listed = leadctl('dlq', 'list', '--offer', offerId, '--json');
    }
    expect(listed.stdout).toContain('ROUTER.OFFER_NOT_CONFIGURED');

    expect(await putDestination(offerId)).toBe(200);
    // A transaction under the replay engine's id, writing leads.ingested and the replay ledger together.
    const replay = leadctl('dlq', 'replay', '--offer', offerId);
    expect([replay.status, replay.stderr]).toEqual([0, expect.stringContaining('replayed 1/1')]);
    await waitForDelivery(leadId);
  });

  it('refuses a producer principal writing leads.route.https (TOPIC_AUTHORIZATION_FAILED); nothing of it is delivered', async () => {
    const producer = kafkaAs('producer').producer();
    clients.push(producer);
    await producer.connect();
    const forged = randomUUID();
    const types = await refusal(
      producer.send({
        topic: Topics.route('https'),
        messages: [{ key: OFFER, value: JSON.stringify(canonicalLead(forged)) }],
      }),
    );
    expect(types).toContain('TOPIC_AUTHORIZATION_FAILED');

    // The same credentials may write leads.ingested, as a producer writing straight to Kafka does: the refusal was
    // the ACL's, and this lead, routed after the forged attempt, is delivered while the forged one never is.
    const direct = randomUUID();
    await producer.send({
      topic: Topics.ingested,
      messages: [{ key: OFFER, value: JSON.stringify(canonicalLead(direct)) }],
    });
    await waitForDelivery(direct);
    expect((await received()).map((r) => r.leadId)).not.toContain(forged);
    // Nor is it on the route topic: the router's record of the direct lead is there, the forged one is not.
    const routed = await routedLeadIds(direct);
    expect(routed).toContain(direct);
    expect(routed).not.toContain(forged);
  });

  it("refuses a sink's principal another sink's route topic, and lists only its own", async () => {
    const kafka = kafkaAs('https-sink');
    // A group of its own family: only the topic's ACL is in question.
    const consumer = kafka.consumer({ groupId: `leadflow-https-sink-acl-probe-${randomUUID()}` });
    clients.push(consumer);
    await consumer.connect();
    expect(await refusal(consumer.subscribe({ topics: [Topics.route('marketo')] }))).toContain(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    await consumer.subscribe({ topics: [Topics.route('https')] });

    const admin = kafka.admin();
    clients.push(admin);
    await admin.connect();
    expect(await refusal(admin.fetchTopicOffsets(Topics.route('marketo')))).toContain('TOPIC_AUTHORIZATION_FAILED');
    const visible = await admin.listTopics();
    expect(visible).toContain(Topics.route('https'));
    expect(visible.filter((t) => t.startsWith('leads.route.')).sort()).toEqual([Topics.route('https')]);
  });

  it('runs the analyst console as its own principal: it follows every topic it is granted', async () => {
    // Ready means its index caught up with leads, routes, receipts, dead letters and offers: all read as `console`.
    const ready = await fetch(`http://${cfg.host}:${cfg.consolePort}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('lets the topics one-shot, as its own principal, create what the topic map misses', async () => {
    const admin = createKafka({
      brokers: kafkaBrokers(cfg).split(','),
      clientId: 'acl-test-admin',
      security: stackAdminSecurity(cfg),
    }).admin();
    clients.push(admin);
    await admin.connect();
    await admin.deleteTopics({ topics: [Topics.route('salesforce')] });
    const security = kafkaSecurityFromEnv(kafkaClientEnv(cfg, PRINCIPALS.topics), 'test');
    let created: string[] = [];
    const deadline = Date.now() + 20_000;
    // A deleted topic lingers in the metadata for a moment: ask until the one-shot sees it missing.
    while (created.length === 0 && Date.now() < deadline) {
      created = await createStackTopics(kafkaBrokers(cfg), security);
      if (created.length === 0) await new Promise((r) => setTimeout(r, 300));
    }
    expect(created).toEqual([Topics.route('salesforce')]);
  });

  it('runs the notifier as its own principal: it reads what it is granted and joins its group', async () => {
    const notifier = components(cfg).find((c) => c.name === 'notifier');
    if (!notifier) throw new Error('the stack has no notifier');
    // Ready means it read offers.destinations and notices.sent to their ends and joined leadflow-notifier on
    // receipts, dead letters and the replay ledger: all as `notifier` (no mail server is needed for that).
    running.push(await notifier.start(cfg));
  }, 90_000);

  it('refused no service anything: the broker denied only the probes above', () => {
    const log = readFileSync(join(cfg.localDir, 'kafka', 'secure-broker', 'broker.log'), 'utf8');
    const denied = [...log.matchAll(/Principal = User:(\S+) is Denied operation = (\w+) .* on resource = (\S+)/g)].map(
      (m) => `${m[1]} ${m[2]} ${m[3]}`,
    );
    expect([...new Set(denied)].sort()).toEqual([
      'https-sink DESCRIBE Topic:LITERAL:leads.route.marketo',
      'producer DESCRIBE Topic:LITERAL:leads.route.https',
    ]);
  });

  it("writes no principal's password into any service's log", () => {
    const security = stackKafkaSecurity(cfg);
    if (!security) throw new Error('the stack is not secured');
    const m = securityMaterial(security.dir);
    const logs = readdirSync(join(cfg.localDir, 'logs')).map((f) =>
      readFileSync(join(cfg.localDir, 'logs', f), 'utf8'),
    );
    // Each service logged the (secret-free) security it connected with: its own principal over SASL_SSL.
    for (const user of ['ingest', 'router', 'https-sink', 'console'])
      expect(logs.join('')).toMatch(
        new RegExp(`"protocol":"SASL_SSL","mechanism":"SCRAM-SHA-512","principal":"User:${user}"`),
      );
    for (const user of ['admin', ...stackPrincipals().map((p) => p.name)]) {
      const password = m.password(user);
      expect(password.length).toBeGreaterThan(20);
      expect(logs.filter((l) => l.includes(password))).toEqual([]);
    }
  });
});
