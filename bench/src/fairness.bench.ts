import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { leadMessage, sampleLead } from './sample-lead';
import { preload } from './baselines';
import { samplePeakRss } from './processes';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';
import { sinkUnderTest } from './sink-process';

/**
 * Isolation between offers on one sink instance: offer `contoso.hung` has BACKLOG leads queued and a CRM that never
 * answers (every attempt runs into the attempt timeout and is retried); offer `contoso.steady` gets RATE leads/s.
 * The steady offer's latency (its record acknowledged on the route topic → its arrival at its endpoint) and
 * throughput are measured twice in the same run, beside the hung offer and alone, on an https-sink process each.
 */
const BACKLOG = Number(process.env['LEADFLOW_FAIRNESS_BACKLOG'] ?? '10000');
const RATE = 50;
const SECONDS = Number(process.env['LEADFLOW_FAIRNESS_SECONDS'] ?? '20');

const quantile = (xs: readonly number[], q: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

interface Run {
  readonly latencies: number[];
  /** Steady leads arrived per second of the run (sent for SECONDS, waited for up to 10 s more). */
  readonly rate: number;
  readonly sent: number;
  /** Hanging calls the hung offer had open when the steady leads started. */
  readonly hanging: number;
  readonly peakRssMb: number;
  /** The sink's `leadflow_sink_unsettled` gauge at the end: leads held. */
  readonly unsettled: number;
  /** The route topic's partitions of the steady offer's leads and of the hung offer's backlog. */
  readonly partitions: { readonly steady: number[]; readonly hung: number[] };
}

async function gauge(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return Number(line?.split(' ').pop() ?? Number.NaN);
}

async function run(ctx: BenchContext, withHung: boolean): Promise<Run> {
  const arrived = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    if (req.url === '/hung') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const id = req.headers['leadflow-lead-id'];
    req.on('end', () => {
      if (typeof id === 'string' && !arrived.has(id)) arrived.set(id, Date.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s = await sinkUnderTest(ctx, 'https', {
    'contoso.steady': { type: 'https', url: `${base}/steady` },
    ...(withHung ? { 'contoso.hung': { type: 'https', url: `${base}/hung` } } : {}),
  });
  try {
    if (withHung) await preload(s.kafka, s.route, BACKLOG, ['contoso.hung']);
    const hungOn = (await s.admin.fetchTopicOffsets(s.route)).filter((p) => Number(p.high) > 0).map((p) => p.partition);
    const steadyOn = new Set<number>();
    const sink = await s.start({ LEADFLOW_HTTPS_ALLOW: 'loopback' });
    const rss = samplePeakRss(sink.child.pid);
    // The hung offer's calls are open (its leads taken) before the steady offer's first lead.
    const deadline = Date.now() + 30_000;
    while (withHung && hanging.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 2_000));
    const open = hanging.size;
    const producer = s.kafka.producer({ idempotent: true });
    await producer.connect();
    const acked = new Map<string, number>();
    const t0 = Date.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < RATE * SECONDS; i++) {
      const wait = t0 + (i * 1000) / RATE - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const lead = sampleLead('contoso.steady', i);
      sends.push(
        producer.send({ topic: s.route, acks: -1, messages: [leadMessage(lead)] }).then((meta) => {
          acked.set(lead.leadId, Date.now());
          for (const m of meta) steadyOn.add(m.partition);
        }),
      );
    }
    await Promise.all(sends);
    const until = Date.now() + 10_000;
    while (arrived.size < acked.size && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const elapsed = (Math.max(...arrived.values()) - t0) / 1000;
    await producer.disconnect();
    const unsettled = await gauge(s.port, 'leadflow_sink_unsettled').catch(() => Number.NaN);
    const latencies = [...acked]
      .map(([id, at]) => (arrived.get(id) ?? Number.NaN) - at)
      .filter((x) => Number.isFinite(x));
    return {
      latencies,
      rate: arrived.size / elapsed,
      sent: acked.size,
      hanging: open,
      peakRssMb: rss.stop(),
      unsettled,
      partitions: { steady: [...steadyOn], hung: hungOn },
    };
  } finally {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    server.close();
    await s.stop();
  }
}

export async function fairnessBench(ctx: BenchContext): Promise<BenchRow[]> {
  const alone = await run(ctx, false);
  const beside = await run(ctx, true);
  const scenario = `https-sink, one offer at ${RATE} leads/s beside ${BACKLOG.toLocaleString('en-US')} leads of an offer whose CRM hangs`;
  return [
    {
      scenario: `${scenario}: its p99, route topic → endpoint`,
      value: quantile(beside.latencies, 0.99),
      unit: 'ms',
      baseline: { label: 'the same offer alone on an instance, p99', value: quantile(alone.latencies, 0.99) },
      target: { atMost: 1_000 },
      notes: `p50 ${quantile(beside.latencies, 0.5)} ms beside, ${quantile(alone.latencies, 0.5)} ms alone; ${beside.latencies.length} of ${beside.sent} arrived (alone ${alone.latencies.length} of ${alone.sent}); ${beside.hanging} calls of the hung offer open`,
    },
    {
      scenario: `${scenario}: its throughput`,
      value: beside.rate,
      unit: 'leads/s',
      baseline: { label: 'the same offer alone on an instance', value: alone.rate },
      target: { ratio: 0.95 },
      // A partition is the unit a sink holds back: an offer on the hung offer's partition waits with it (its own
      // route topic, `topicSuffix`, avoids that).
      notes: `over ${SECONDS} s; route topic partitions: steady offer ${beside.partitions.steady.join(',')}, hung offer's backlog ${beside.partitions.hung.join(',')}`,
    },
    {
      scenario: `${scenario}: the instance's RSS peak`,
      value: beside.peakRssMb,
      unit: 'MB',
      baseline: { label: 'the same instance with the steady offer alone', value: alone.peakRssMb },
      target: { atMost: 250 },
      notes: `${beside.unsettled} leads held unsettled at the end`,
    },
  ];
}
