import { randomBytes, randomUUID } from 'node:crypto';
import { TOPIC_SPECS, Topics, type DeliveryReceipt } from '@leadflow/lead-model';
import { ensureTopics } from '@leadflow/kafka';
import { freePort } from '@leadflow/local-infra';
import { benchKafka } from './baselines';
import { rssMb, runTs, waitFor200, type ChildService } from './processes';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';

const ADMIN = 'bench-admin-token';
const OFFER = 'contoso.status-bench';
const OFFERS = 1_000;
const SIZES = [10_000, 1_000_000] as const;
/** The targets: ready within 5 s, and RSS within 20 MB of the small topic's, whatever the receipts. */
const READY_TARGET_S = 5;
const RSS_SPREAD_MB = 20;

const note = (line: string) => process.stderr.write(`[status] ${new Date().toISOString().slice(11, 19)} ${line}\n`);

/** `count` receipts on leads.delivered over OFFERS offers, then one for OFFER with `marker` as lead id. */
async function produceReceipts(ctx: BenchContext, count: number, marker: string): Promise<void> {
  const producer = benchKafka(ctx.brokers, 'bench-status').producer({ idempotent: true });
  await producer.connect();
  const receipt = (leadId: string, offerId: string): DeliveryReceipt => ({
    leadId,
    offerId,
    destination: 'https',
    attempts: 1,
    deliveredAt: new Date().toISOString(),
    isTest: false,
  });
  for (let sent = 0; sent < count; sent += 5_000) {
    const n = Math.min(5_000, count - sent);
    await producer.send({
      topic: Topics.delivered,
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => {
        const r = receipt(randomUUID(), `contoso.offer-${(sent + i) % OFFERS}`);
        return { key: r.offerId, value: JSON.stringify(r) };
      }),
    });
  }
  const last = receipt(marker, OFFER);
  await producer.send({ topic: Topics.delivered, acks: -1, messages: [{ key: OFFER, value: JSON.stringify(last) }] });
  await producer.disconnect();
}

function startIngest(ctx: BenchContext, port: number, keys: string, env: Record<string, string> = {}): ChildService {
  return runTs('apps/ingest/src/main.ts', {
    KAFKA_BROKERS: ctx.brokers,
    LEADFLOW_INGEST_PORT: String(port),
    LEADFLOW_INGEST_TOKENS: 'bench-ingest-token',
    LEADFLOW_ADMIN_TOKENS: ADMIN,
    LEADFLOW_SECRET_KEYS: keys,
    LEADFLOW_URL_SIGNING_KEY: 'bench-url-signing-key',
    LEADFLOW_LOG_LEVEL: 'warn',
    ...env,
  });
}

async function lastDeliveredLead(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/offers/${OFFER}/status`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    if (res.status !== 200) return undefined;
    return ((await res.json()) as { lastDelivery?: { leadId: string } }).lastDelivery?.leadId;
  } catch {
    return undefined;
  }
}

async function waitForLead(port: number, marker: string, what: string): Promise<void> {
  const deadline = Date.now() + 900_000;
  while ((await lastDeliveredLead(port)) !== marker) {
    if (Date.now() > deadline) throw new Error(`${what} did not show the newest receipt in 15 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Start {
  readonly readyS: number;
  readonly caughtUpS: number;
  readonly rss: number;
  readonly statusRecords?: number;
}

/** Records between the low and high watermarks of `topic` (compaction leaves gaps: an upper bound). */
async function recordsOn(ctx: BenchContext, topic: string): Promise<number> {
  const admin = benchKafka(ctx.brokers, 'bench-status-offsets').admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** One start of a new ingest instance: seconds to /readyz, seconds until its status answer shows `marker`, RSS then. */
async function measureStart(ctx: BenchContext, keys: string, marker: string): Promise<Start> {
  const port = await freePort();
  const t0 = Date.now();
  const ingest = startIngest(ctx, port, keys);
  try {
    await waitFor200(`http://127.0.0.1:${port}/readyz`, 120_000, ingest);
    const readyS = (Date.now() - t0) / 1000;
    await waitForLead(port, marker, 'the new ingest instance');
    const caughtUpS = (Date.now() - t0) / 1000;
    return { readyS, caughtUpS, rss: rssMb(ingest.child.pid) };
  } finally {
    await ingest.stop();
  }
}

/**
 * `./dev bench status`: a new ingest instance's start-up with 10,000 and then 1,000,000 receipts on leads.delivered
 * (same run, same broker): seconds to ready, seconds until `GET /v1/offers/{id}/status` shows the newest receipt, and
 * RSS then. A first ingest instance runs throughout and counts the receipts into offers.status as they arrive (as a
 * deployment's instances do); the instance measured starts once they are counted, and reads offers.status only.
 */
export async function statusStartupBench(ctx: BenchContext): Promise<BenchRow[]> {
  const admin = benchKafka(ctx.brokers, 'bench-status-admin').admin();
  await admin.connect();
  await ensureTopics(admin, TOPIC_SPECS);
  await admin.disconnect();
  const keys = `bench1:${randomBytes(32).toString('base64')}`;

  // The counting instance, and the offer whose status is asked for.
  const port = await freePort();
  const counting = startIngest(ctx, port, keys);
  const starts: Start[] = [];
  const counted: { count: number; seconds: number }[] = [];
  try {
    await waitFor200(`http://127.0.0.1:${port}/readyz`, 120_000, counting);
    const res = await fetch(`http://127.0.0.1:${port}/v1/offers/${OFFER}/destination`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'https', url: 'https://hooks.contoso.example/leads' }),
    });
    if (res.status >= 300) throw new Error(`PUT destination answered ${res.status}: ${await res.text()}`);

    let total = 0;
    for (const count of SIZES) {
      const marker = randomUUID();
      note(`producing ${count - total} receipts (${count} in all)`);
      const t0 = Date.now();
      await produceReceipts(ctx, count - total, marker);
      await waitForLead(port, marker, 'the counting ingest instance');
      counted.push({ count: count - total, seconds: (Date.now() - t0) / 1000 });
      total = count;
      note(`starting a new ingest over ${count} receipts`);
      // What a starting reader reads: one record per offer and input partition once compacted, plus what the log
      // cleaner has not compacted yet (it works on closed segments, every 15 s by default).
      const statusRecords = await recordsOn(ctx, Topics.offerStatus);
      const m = { ...(await measureStart(ctx, keys, marker)), statusRecords };
      note(`ready ${m.readyS.toFixed(1)} s, caught up ${m.caughtUpS.toFixed(1)} s, ${m.rss.toFixed(0)} MB`);
      starts.push(m);
    }
  } finally {
    await counting.stop();
  }

  const [small, large] = starts;
  if (!small || !large) throw new Error('both sizes must have been measured');
  const label = (n: number) => n.toLocaleString('en-US');
  const [smallLabel, largeLabel] = SIZES.map(label) as [string, string];
  return [
    {
      scenario: `new ingest start to ready, ${smallLabel} receipts`,
      value: small.readyS,
      unit: 's',
      target: { atMost: READY_TARGET_S },
    },
    {
      scenario: `new ingest start to ready, ${largeLabel} receipts`,
      value: large.readyS,
      unit: 's',
      baseline: { label: `${smallLabel} receipts`, value: small.readyS },
      target: { atMost: READY_TARGET_S },
    },
    {
      scenario: `new ingest RSS, ${smallLabel} receipts`,
      value: small.rss,
      unit: 'MB',
      notes: `receipts over ${OFFERS} offers`,
    },
    {
      scenario: `new ingest RSS, ${largeLabel} receipts`,
      value: large.rss,
      unit: 'MB',
      baseline: { label: `${smallLabel} receipts`, value: small.rss },
      target: { atMost: small.rss + RSS_SPREAD_MB },
      notes: `receipts over ${OFFERS} offers`,
    },
    ...starts.map((m, i) => ({
      scenario: `new ingest start to status caught up, ${label(SIZES[i] ?? 0)} receipts`,
      value: m.caughtUpS,
      unit: 's',
      notes: `until GET /v1/offers/{id}/status shows the newest receipt; offers.status offsets at start: ${m.statusRecords ?? '?'} (records read are fewer where compacted)`,
    })),
    ...counted.map((c) => ({
      scenario: `counting ${label(c.count)} receipts into offers.status`,
      value: c.count / c.seconds,
      unit: 'receipts/s',
      notes: 'produced and counted by the running instance (one instance owns every partition)',
    })),
  ];
}
