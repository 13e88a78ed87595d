import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { TOPIC_SPECS, Topics } from '@leadflow/lead-model';
import { ensureTopics } from '@leadflow/kafka';
import { freePort } from '@leadflow/local-infra';
import { benchKafka, rawBatchedProduce } from './baselines';
import { cpuMeter, runTs, waitFor200 } from './processes';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';
import { sampleLead } from './sample-lead';

const DURATION_S = 10;
const TOKEN = 'bench-ingest-token';

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ duration: DURATION_S, ...opts });
}

/**
 * Ingest throughput, each figure beside its baseline in the same run:
 * single-lead POSTs at 64 connections vs a bare node:http + kafkajs server awaiting one acks=all send per
 * request (both as separate processes, loaded by autocannon from this one); batch POSTs of 500 leads vs
 * raw kafkajs batched produce of the same records.
 */
export async function ingestBench(ctx: BenchContext): Promise<BenchRow[]> {
  const kafka = benchKafka(ctx.brokers, 'bench-ingest');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [...TOPIC_SPECS, { name: 'bench.bare', partitions: 6, compacted: false }]);
  await admin.disconnect();

  const body = JSON.stringify(sampleLead('contoso.bench-offer'));
  const batchBody = JSON.stringify({
    leads: Array.from({ length: 500 }, (_, i) => sampleLead('contoso.bench-offer', i)),
  });
  const rows: BenchRow[] = [];

  // Baseline server first, then ingest, never both at once: they share two cores with the broker.
  const bare = runTs('bench/src/bare-server.ts', { BENCH_BROKERS: ctx.brokers, BENCH_TOPIC: 'bench.bare' });
  const bareUrl = await bare.firstLine;
  const base = await load({
    url: bareUrl,
    connections: 64,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await bare.stop();

  const port = await freePort();
  const ingest = runTs(
    'apps/ingest/src/main.ts',
    {
      KAFKA_BROKERS: ctx.brokers,
      LEADFLOW_INGEST_PORT: String(port),
      LEADFLOW_INGEST_TOKENS: TOKEN,
      LEADFLOW_ADMIN_TOKENS: 'bench-admin-token',
      LEADFLOW_SECRET_KEYS: `bench1:${randomBytes(32).toString('base64')}`,
      LEADFLOW_URL_SIGNING_KEY: 'bench-url-signing-key',
      LEADFLOW_LOG_LEVEL: 'warn',
      // 64 connections on one token: the per-token limit would measure itself.
      LEADFLOW_RATE_LIMIT_MAX: '0',
    },
    // LEADFLOW_INGEST_NODE_OPTIONS: added after the heap (a profiler: `--cpu-prof --cpu-prof-dir=…`).
    process.env['LEADFLOW_INGEST_NODE_OPTIONS'] ?? '',
  );
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor200(`${url}/readyz`, 60_000, ingest);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
    const single = await load({ url: `${url}/v1/leads`, connections: 64, method: 'POST', headers, body });
    if (single.non2xx > 0) throw new Error(`ingest answered ${single.non2xx} non-2xx responses`);
    rows.push({
      scenario: 'POST /v1/leads, 64 connections, 202 after acks=all',
      value: single.requests.average,
      unit: 'leads/s',
      baseline: { label: 'bare node:http + kafkajs, one send per request', value: base.requests.average },
      // Coalescing single leads into shared produce requests should beat one send per request by 2.5 times.
      target: { ratio: 2.5 },
      notes: `p50 ${single.latency.p50} ms, p99 ${single.latency.p99} ms (baseline p50 ${base.latency.p50} ms, p99 ${base.latency.p99} ms)`,
    });

    // CPU time per lead beside the rates: the cores are shared (broker, load generator, anything else running), so a
    // rate alone cannot tell ingest's own cost from what it waited for.
    const brokers = Object.fromEntries(ctx.brokerPids.map((pid, i) => [`broker${i}`, pid]));
    const batchCpu = cpuMeter({ ingest: ingest.child.pid, ...brokers });
    const batch = await load({
      url: `${url}/v1/leads/batch`,
      connections: 4,
      method: 'POST',
      headers,
      body: batchBody,
    });
    const batchSeconds = batchCpu.stop();
    if (batch.non2xx > 0) throw new Error(`ingest answered ${batch.non2xx} non-2xx batch responses`);
    const rawCpu = cpuMeter({ bench: process.pid, ...brokers });
    const raw = await rawBatchedProduce(kafka, Topics.ingested, 100_000, 500);
    const rawSeconds = rawCpu.stop();
    const perLead = (seconds: Record<string, number>, name: string, leads: number) => {
      const broker = Object.entries(seconds).reduce((sum, [n, v]) => (n.startsWith('broker') ? sum + v : sum), 0);
      return `${name} ${(((seconds[name] ?? Number.NaN) * 1e6) / leads).toFixed(1)} µs + broker ${((broker * 1e6) / leads).toFixed(1)} µs`;
    };
    const rawNoHeaders = await rawBatchedProduce(kafka, Topics.ingested, 100_000, 500, false);
    rows.push({
      scenario: 'POST /v1/leads/batch, 500 leads each, 4 connections',
      value: batch.requests.average * 500,
      unit: 'leads/s',
      baseline: { label: 'raw kafkajs produce, 500 per send', value: raw },
      // Validating and enriching 500 leads should cost less than a quarter of sending them.
      target: { ratio: 0.8 },
      notes:
        `p50 ${batch.latency.p50} ms, p99 ${batch.latency.p99} ms per batch; CPU per lead: ` +
        `${perLead(batchSeconds, 'ingest', batch.requests.total * 500)} (baseline: ${perLead(rawSeconds, 'bench', 100_000)})`,
    });
    rows.push({
      scenario: 'reference: raw kafkajs produce of the same records without their CloudEvents headers',
      value: rawNoHeaders,
      unit: 'msg/s',
      notes: 'kafkajs spends about half its produce time encoding the 8 per-record headers',
    });
  } finally {
    await ingest.stop();
  }
  return rows;
}
