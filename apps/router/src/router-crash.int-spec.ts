import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { testBrokers, testKafka } from '@leadflow/testing';
import {
  createRouterTestTopics,
  eventually,
  leadMessage,
  newLead,
  offerRecord,
  publishOffers,
  readCreatedTopic,
  type TestTopics,
} from './test/router-fixtures';

const ROOT = join(__dirname, '..', '..', '..');
const LEADS = 2_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The router as the stack runs it: its own process, configured from the environment. */
function startRouterProcess(prefix: string, port: number): ChildProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/router/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: testBrokers().join(','),
      LEADFLOW_TOPIC_PREFIX: prefix,
      LEADFLOW_ROUTER_PORT: String(port),
      LEADFLOW_INSTANCE_ID: 'crash-test',
      LEADFLOW_LOG_LEVEL: process.env['LEADFLOW_TEST_LOG_LEVEL'] ?? 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function ready(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('router process crash', () => {
  const kafka = testKafka();
  let t: TestTopics;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    t = await createRouterTestTopics(kafka);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await t.cleanup();
  });

  it('killed with SIGKILL mid-stream and restarted, routes every lead exactly once (read_committed)', async () => {
    const offers = Array.from({ length: 10 }, (_, i) => `publisher${i}.offer`);
    await publishOffers(
      kafka,
      t.topics.offers,
      offers.map((o) => offerRecord(o, 1, { type: 'https', url: `https://${o}.example/leads` })),
    );
    const routeTopic = t.topics.route('https');

    const port = await freePort();
    const first = startRouterProcess(t.prefix, port);
    children.push(first);
    await eventually(() => ready(port), 30_000, 'first router ready');

    // Leads arrive while the router runs, is killed and comes back (they start once it is ready: on a loaded machine
    // its start took longer than sending them all, and it then routed every one before the kill).
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const sent = new Set<string>();
    const producing = (async () => {
      for (let wave = 0; wave < 40; wave++) {
        const leads = Array.from({ length: LEADS / 40 }, (_, i) =>
          newLead(offers[(wave + i) % offers.length] as string, wave * 50 + i),
        );
        for (const l of leads) sent.add(l.leadId);
        await producer.send({ topic: t.topics.ingested, acks: -1, messages: leads.map(leadMessage) });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const admin = kafka.admin();
    await admin.connect();
    const written = async () => {
      try {
        return (await admin.fetchTopicOffsets(routeTopic)).reduce((n, p) => n + Number(p.high), 0);
      } catch {
        return 0;
      }
    };
    await eventually(async () => (await written()) >= 300, 30_000, 'first router routed some leads');
    first.kill('SIGKILL');
    await exited(first);
    const atKill = await written();

    const second = startRouterProcess(t.prefix, port);
    children.push(second);
    await producing;
    await producer.disconnect();
    await admin.disconnect();

    const routed = await readCreatedTopic(kafka, routeTopic, { count: LEADS, timeoutMs: 60_000, settleMs: 1_500 });
    const ids = routed.map((r) => r.headers['ce_id']);
    expect(atKill).toBeLessThan(LEADS);
    expect(routed).toHaveLength(LEADS);
    expect(new Set(ids).size).toBe(LEADS);
    expect(ids.every((id) => id !== undefined && sent.has(id))).toBe(true);
    // Every record is a lead as it was produced: value and key match the lead's offer.
    expect(
      routed.every((r) => r.value !== null && (JSON.parse(r.value) as { offerId: string }).offerId === r.key),
    ).toBe(true);

    // Graceful shutdown on SIGTERM: stops consuming, finishes its transaction, exits 0.
    await eventually(() => ready(port), 30_000, 'second router ready');
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  }, 150_000);
});
