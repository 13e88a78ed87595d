import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureTopics } from '@leadflow/kafka';
import { freePort } from '@leadflow/local-infra';
import { OfferDestinationPublisher, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { sinkPortVariable } from '@leadflow/sink-runtime';
import { benchKafka, preload } from './baselines';
import { runTs, waitFor200, type ChildService, SERVICE_HEAP } from './processes';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';

/** The receiver answers every POST after this long: a CRM's pace, so an instance is bound by its in-flight slots. */
const LATENCY_MS = 200;
/**
 * Leads in flight per instance. Small on purpose: 32 / 200 ms = 160 leads/s per instance keeps three instances within
 * what two shared cores can carry, so the figure is about partitions shared by instances, not about CPU.
 */
const IN_FLIGHT = 32;
const PARTITIONS = 6;
/** Enough offers that every one of the six partitions carries some (keys are offer ids). */
const OFFERS = 36;
const WARMUP_MS = 8_000;
const MEASURE_MS = 15_000;

interface Arrival {
  readonly at: number;
  readonly offerId: string;
}

/** The receiver: arrival time and offer of every POST (a lead handed over may arrive twice: at-least-once). */
async function startReceiver(): Promise<{ server: Server; url: string; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      // The marketplace body names no offer: each offer's destination URL does (`?offer=`).
      const offerId = new URL(req.url ?? '/', 'http://receiver').searchParams.get('offer') ?? '?';
      arrivals.push({ at: Date.now(), offerId });
      setTimeout(() => res.writeHead(200).end('{}'), LATENCY_MS);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/leads`, arrivals };
}

const countIn = (arrivals: readonly Arrival[], from: number, to: number) =>
  arrivals.filter((a) => a.at >= from && a.at < to).length;

/**
 * The longest stretch between `from` and the last arrival before `to` without an arrival (seconds). The tail after
 * the last arrival is left out: an offer whose backlog ran out is not paused (idle offers are counted apart).
 */
function longestGap(times: readonly number[], from: number, to: number): number {
  let last = from;
  let gap = 0;
  for (const t of times) {
    if (t < from) continue;
    if (t > to) break;
    gap = Math.max(gap, t - last);
    last = t;
  }
  return gap / 1000;
}

interface Pause {
  /** The longest stretch without a delivery of one offer (whose partition may have moved) before it resumed. */
  readonly offer: number;
  /** The longest stretch without any delivery. */
  readonly any: number;
  /** Offers delivered before `from` with no delivery in the window's last 5 s: stalled, or their backlog ran out. */
  readonly idle: number;
}

function pauses(arrivals: readonly Arrival[], from: number, to: number): Pause {
  const byOffer = new Map<string, number[]>();
  for (const a of arrivals) byOffer.set(a.offerId, [...(byOffer.get(a.offerId) ?? []), a.at]);
  const offers = [...byOffer.values()];
  const idle = offers.filter((times) => times.some((t) => t < from) && !times.some((t) => t >= to - 5_000 && t <= to));
  return {
    offer: Math.max(0, ...offers.map((times) => longestGap(times, from, to))),
    any: longestGap(
      arrivals.map((a) => a.at),
      from,
      to,
    ),
    idle: idle.length,
  };
}

interface Topics {
  readonly prefix: string;
  readonly keySpec: string;
}

/** A fresh prefix with a 6-partition route topic, OFFERS offers to the receiver and `leads` preloaded leads. */
async function prepare(ctx: BenchContext, url: string, leads: number): Promise<Topics> {
  const kafka = benchKafka(ctx.brokers, 'bench-scale');
  const admin = kafka.admin();
  await admin.connect();
  const prefix = `bench-scale-${randomUUID().slice(0, 8)}.`;
  await ensureTopics(admin, [
    { name: `${prefix}leads.route.https`, partitions: PARTITIONS, compacted: false },
    { name: `${prefix}leads.dlq.https`, partitions: 1, compacted: false },
    { name: `${prefix}leads.delivered`, partitions: 3, compacted: false },
    { name: `${prefix}offers.destinations`, partitions: 1, compacted: true },
  ]);
  await admin.disconnect();
  const keySpec = `k1:${randomBytes(32).toString('base64')}`;
  const ring = parseKeyring(keySpec);
  const publisher = new OfferDestinationPublisher({ kafka, topic: `${prefix}offers.destinations` });
  await publisher.connect();
  for (let i = 0; i < OFFERS; i++) {
    const offerId = `contoso.offer-${i}`;
    await publisher.put({
      offerId,
      version: 1,
      destination: sealDestination({ type: 'https', url: `${url}?offer=${offerId}` }, ring, offerId),
      updatedAt: new Date().toISOString(),
    });
  }
  await publisher.disconnect();
  await preload(kafka, `${prefix}leads.route.https`, leads, OFFERS);
  return { prefix, keySpec };
}

/** One https-sink process, as the stack runs it (its heap bound), in the bench's group. */
async function startInstance(ctx: BenchContext, t: Topics, n: number): Promise<ChildService> {
  const port = await freePort();
  const sink = runTs('apps/https-sink/src/main.ts', {
    KAFKA_BROKERS: ctx.brokers,
    LEADFLOW_TOPIC_PREFIX: t.prefix,
    LEADFLOW_SECRET_KEYS: t.keySpec,
    LEADFLOW_HTTPS_ALLOW: 'loopback',
    LEADFLOW_INSTANCE_ID: `scale-${n}`,
    LEADFLOW_SINK_MAX_IN_FLIGHT: String(IN_FLIGHT),
    [sinkPortVariable('https-sink')]: String(port),
    LEADFLOW_LOG_LEVEL: 'warn',
  });
  await waitFor200(`http://127.0.0.1:${port}/healthz`, 60_000, sink);
  return sink;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Progress on stderr: a run takes minutes. */
const note = (line: string) => process.stderr.write(`[scale] ${new Date().toISOString().slice(11, 19)} ${line}\n`);

/**
 * `./dev bench scale`: the https sink against a receiver answering after 200 ms, on a 6-partition route topic, with
 * 1, 2 and 3 instances (leads/s each), then the pause in deliveries when a third instance joins two, when one leaves
 * gracefully (SIGTERM) and when one is killed (SIGKILL: its partitions wait for the session timeout, 30 s).
 */
export async function scaleBench(ctx: BenchContext): Promise<BenchRow[]> {
  const receiver = await startReceiver();
  const rows: BenchRow[] = [];
  const rates: number[] = [];
  try {
    for (const n of [1, 2, 3]) {
      const perInstance = (IN_FLIGHT * 1000) / LATENCY_MS;
      const total = Math.ceil(perInstance * n * ((WARMUP_MS + MEASURE_MS) / 1000) * 1.5);
      note(`${n} instance(s): preloading ${total} leads`);
      const t = await prepare(ctx, receiver.url, total);
      note(`${n} instance(s): starting`);
      const instances = await Promise.all(Array.from({ length: n }, (_, i) => startInstance(ctx, t, i)));
      try {
        await sleep(WARMUP_MS);
        const from = Date.now();
        await sleep(MEASURE_MS);
        const rate = countIn(receiver.arrivals, from, Date.now()) / (MEASURE_MS / 1000);
        rates.push(rate);
        note(`${n} instance(s): ${rate.toFixed(0)} leads/s`);
      } finally {
        await Promise.all(instances.map((s) => s.stop()));
      }
      receiver.arrivals.length = 0;
    }
    const [one = 0, two = 0, three = 0] = rates;
    rows.push(
      {
        scenario: 'https-sink, 1 instance, 6 partitions',
        value: one,
        unit: 'leads/s',
        notes: `in-flight ${IN_FLIGHT}, receiver ${LATENCY_MS} ms, heap ${SERVICE_HEAP}`,
      },
      {
        scenario: 'https-sink, 2 instances',
        value: two,
        unit: 'leads/s',
        baseline: { label: '1 instance', value: one },
        target: { ratio: 1.8 },
      },
      {
        scenario: 'https-sink, 3 instances',
        value: three,
        unit: 'leads/s',
        baseline: { label: '1 instance', value: one },
        target: { ratio: 2.7 },
      },
    );

    // Joins and leaves under a steady backlog: two instances, a third joins, one leaves, one is killed.
    note('joins and leaves: preloading 60000 leads');
    const t = await prepare(ctx, receiver.url, 60_000);
    const a = await startInstance(ctx, t, 10);
    const b = await startInstance(ctx, t, 11);
    let c: ChildService | undefined;
    try {
      await sleep(WARMUP_MS);
      note('a third instance joins');
      const joinAt = Date.now();
      c = await startInstance(ctx, t, 12);
      await sleep(20_000);
      const joinGap = pauses(receiver.arrivals, joinAt, Date.now());
      note('one leaves (SIGTERM)');
      const leaveAt = Date.now();
      await b.stop();
      await sleep(20_000);
      const leaveGap = pauses(receiver.arrivals, leaveAt, Date.now());
      note('one is killed (SIGKILL)');
      const killAt = Date.now();
      const killed = c;
      c = undefined; // gone: nothing to stop
      killed.child.kill('SIGKILL');
      await sleep(40_000);
      const killGap = pauses(receiver.arrivals, killAt, Date.now());
      const pause = (scenario: string, gap: Pause, notes: string): BenchRow => ({
        scenario,
        value: gap.offer,
        unit: 's',
        notes: `longest gap of one offer's deliveries; of all: ${gap.any.toFixed(1)} s; offers idle at the end: ${gap.idle}/${OFFERS}; ${notes}`,
      });
      rows.push(
        pause('pause when a 3rd instance joins 2', joinGap, 'in the 20 s after it started'),
        pause('pause when 1 of 3 leaves (SIGTERM)', leaveGap, 'it settles what it has in flight, then leaves'),
        pause('pause when 1 of 2 is killed (SIGKILL)', killGap, 'its partitions move after the 30 s session timeout'),
      );
    } finally {
      await Promise.all([a.stop(), b.stop(), c?.stop()]);
      for (const r of rows) note(`${r.scenario}: ${r.value.toFixed(1)} ${r.unit} ${r.notes ?? ''}`);
    }
    return rows;
  } finally {
    receiver.server.closeAllConnections();
    receiver.server.close();
  }
}
