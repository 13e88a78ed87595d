import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { TOPIC_SPECS, Topics } from '@leadflow/lead-model';
import { ensureTopics } from '@leadflow/kafka';
import { freePorts, generateTls } from '@leadflow/local-infra';
import {
  createDataverseSimulator,
  createEntraSimulator,
  createSalesforceSimulator,
  DYNAMICS_SCENARIOS,
  marketoSimulator,
  SALESFORCE_SCENARIOS,
  startSimulator,
  type StartedSimulator,
} from '@leadflow/simulators';
import { SINK_SERVICES, sinkPortVariable } from '@leadflow/sink-runtime';
import { benchKafka } from './baselines';
import { rssMb, runTs, waitFor200, type ChildService } from './processes';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';
import { fitSlope, growthPercent, parseMetric } from './soak-figures';

/**
 * The soak (`./dev bench soak`, not in the default set: 20 minutes): RATE leads/s POSTed to ingest (open loop) for
 * MINUTES, spread evenly over the five destination types — an HTTPS receiver, an Azure Table in Azurite, and the
 * Dynamics (Entra ID + Dataverse), Salesforce (API mode) and Marketo (Sync Leads) simulators over HTTPS with a CA
 * made for the run — through ingest, the router and all five sinks, one instance each, on the run's broker.
 * Per service: RSS at the start of the load, at minute WARM and at the end, and the slope of a least-squares line
 * through the samples from minute WARM to the end (the first minutes fill caches, pools and the JIT; what grows after
 * them is what a leak looks like); the event-loop delay p99 (prom-client's `nodejs_eventloop_lag_p99_seconds`, whose
 * histogram restarts at each scrape: one p99 per SCRAPE_SECONDS window); the consumer lag it reports in
 * `leadflow_kafka_consumer_lag_records` once the load stops. Targets: RSS grows less than 10 % from minute WARM to the
 * end (along the fitted line), and every lag is back to zero within a minute of the last POST.
 * `LEADFLOW_SOAK_MINUTES` and `LEADFLOW_SOAK_RATE` make it short or light; WARM is 5 minutes, or a quarter of a run
 * shorter than 20 minutes.
 */
const MINUTES = Number(process.env['LEADFLOW_SOAK_MINUTES'] ?? '20');
const RATE = Number(process.env['LEADFLOW_SOAK_RATE'] ?? '300');
const WARM_MINUTES = Math.min(5, MINUTES / 4);
const SAMPLE_SECONDS = 5;
const SCRAPE_SECONDS = 15;
const LAG_WAIT_MS = 60_000;
const MAX_IN_FLIGHT = 256;
const TOKEN = 'bench-soak-token';
const ADMIN = 'bench-soak-admin';

/**
 * Marketo allows 100 calls per 20 s per Munchkin ID, and the sink paces itself to that: a fifth of 300 leads/s on one
 * Munchkin ID would depend on Sync Leads batching 12+ leads a call just to keep up. Real publishers each bring their
 * own subscription, so the Marketo share is spread over several Munchkin IDs (any ID the simulator does not list as a
 * failure scenario is a healthy subscription with its own limits).
 */
const MARKETO_MUNCHKINS = ['100-SKA-001', '100-SKB-002', '100-SKC-003', '100-SKD-004'];

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  readonly minute: number;
  readonly mb: number;
}

export async function soakBench(ctx: BenchContext): Promise<BenchRow[]> {
  const kafka = benchKafka(ctx.brokers, 'bench-soak');
  const admin = kafka.admin();
  await admin.connect();
  // Fresh topics, as the e2e bench makes: an earlier bench of the run may have left a backlog on leads.ingested.
  const existing = new Set(await admin.listTopics());
  const stale = TOPIC_SPECS.map((t) => t.name).filter((t) => existing.has(t));
  if (stale.length > 0) {
    await admin.deleteTopics({ topics: stale });
    await sleep(2_000);
  }
  await ensureTopics(admin, TOPIC_SPECS);
  await admin.disconnect();

  // The destinations. The HTTPS receiver and the simulators run in this process: their own memory (the simulators
  // keep every lead they accept) is not a service's.
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  receiver.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/leads`;
  const tls = await generateTls();
  const caFile = join(mkdtempSync(join(tmpdir(), 'leadflow-soak-ca-')), 'ca.pem');
  writeFileSync(caFile, tls.caPem);
  const sims: StartedSimulator[] = [];
  const sim = async (app: Parameters<typeof startSimulator>[0]) => {
    const s = await startSimulator(app, tls, { host: '127.0.0.1', port: 0 });
    sims.push(s);
    return s.url;
  };
  const entra = await sim(createEntraSimulator());
  const dataverse = await sim(createDataverseSimulator());
  const salesforce = await sim(createSalesforceSimulator());
  const marketo = await sim(marketoSimulator());
  const D = DYNAMICS_SCENARIOS;
  const offers: Record<string, unknown> = {
    'soak.https': { type: 'https', url: receiverUrl },
    'soak.table': {
      type: 'azure-table',
      connectionString: ctx.tablesConnectionString,
      tableName: `Soak${randomBytes(3).toString('hex')}`,
    },
    'soak.dynamics': {
      type: 'dynamics',
      url: `${dataverse}/${D.instance.ok}`,
      authorityHost: entra,
      auth: { kind: 'aad', tenantId: D.tenant.ok, clientId: D.client.ok, clientSecret: D.secret.ok },
    },
    'soak.salesforce': {
      type: 'salesforce',
      mode: 'api',
      loginUrl: salesforce,
      clientId: SALESFORCE_SCENARIOS.clients.ok,
      clientSecret: SALESFORCE_SCENARIOS.clientSecret,
      externalIdField: 'LeadflowId__c',
    },
    ...Object.fromEntries(
      MARKETO_MUNCHKINS.map((m, i) => [
        `soak.marketo-${i + 1}`,
        {
          type: 'marketo',
          munchkinId: m,
          clientId: 'soak-client',
          clientSecret: 'soak-secret',
          baseUrl: `${marketo}/${m}`,
        },
      ]),
    ),
  };
  // Each lead goes to one of the five types in turn; a Marketo lead to one of its Munchkin IDs in turn.
  const offerOf = (i: number): string => {
    const k = i % 5;
    if (k < 4) return ['soak.https', 'soak.table', 'soak.dynamics', 'soak.salesforce'][k] ?? 'soak.https';
    return `soak.marketo-${(Math.floor(i / 5) % MARKETO_MUNCHKINS.length) + 1}`;
  };

  const common = {
    KAFKA_BROKERS: ctx.brokers,
    LEADFLOW_SECRET_KEYS: `soak1:${randomBytes(32).toString('base64')}`,
    LEADFLOW_LOG_LEVEL: 'warn',
  };
  const free = await freePorts(2 + SINK_SERVICES.length);
  const ports: Record<string, number> = { ingest: free[0] ?? 0, router: free[1] ?? 0 };
  SINK_SERVICES.forEach((s, i) => (ports[s.name] = free[2 + i] ?? 0));
  const sinkEnv: Record<string, Record<string, string>> = {
    'https-sink': { LEADFLOW_HTTPS_ALLOW: 'loopback' },
    'dynamics-sink': { NODE_EXTRA_CA_CERTS: caFile },
    'salesforce-sink': { NODE_EXTRA_CA_CERTS: caFile },
    // One instance: no other instance can have used the Munchkin IDs' windows, so the hand-over hold (Marketo's 20 s
    // window plus a margin, for partitions taken over from an instance that may have spent it) would only delay
    // the first 21 s of Marketo leads and put a backlog at the start of every RSS curve.
    'marketo-sink': { NODE_EXTRA_CA_CERTS: caFile, LEADFLOW_MARKETO_HANDOVER_MS: '0' },
  };
  const services: Record<string, ChildService> = {
    ingest: runTs('apps/ingest/src/main.ts', {
      ...common,
      LEADFLOW_INGEST_PORT: String(ports['ingest']),
      LEADFLOW_INGEST_TOKENS: TOKEN,
      LEADFLOW_ADMIN_TOKENS: ADMIN,
      LEADFLOW_URL_SIGNING_KEY: 'bench-url-signing-key',
      LEADFLOW_RATE_LIMIT_MAX: '0',
    }),
    router: runTs('apps/router/src/main.ts', { ...common, LEADFLOW_ROUTER_PORT: String(ports['router']) }),
    ...Object.fromEntries(
      SINK_SERVICES.map((s) => [
        s.name,
        runTs(`apps/${s.name}/src/main.ts`, {
          ...common,
          [sinkPortVariable(s.name)]: String(ports[s.name]),
          ...sinkEnv[s.name],
        }),
      ]),
    ),
  };
  const http = new Agent({ connections: 128, keepAliveTimeout: 30_000 });
  const call = async (method: 'PUT' | 'POST' | 'GET', path: string, token: string, body?: unknown) => {
    const res = await request(`http://127.0.0.1:${ports['ingest']}${path}`, {
      method,
      dispatcher: http,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  };
  const metrics = async (name: string): Promise<string> => {
    const res = await request(`http://127.0.0.1:${ports[name]}/metrics`, { dispatcher: http });
    return res.body.text();
  };
  const receipts = new Set<string>();
  const watcher = kafka.consumer({ groupId: `bench-soak-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200 });
  const timers: NodeJS.Timeout[] = [];
  try {
    await Promise.all(
      Object.entries(services).map(([name, s]) => waitFor200(`http://127.0.0.1:${ports[name]}/readyz`, 90_000, s)),
    );
    await watcher.connect();
    await watcher.subscribe({ topic: Topics.delivered, fromBeginning: false });
    await watcher.run({
      eachMessage: async ({ message }) => {
        const id = (JSON.parse(message.value?.toString() ?? '{}') as { leadId?: string }).leadId;
        if (id) receipts.add(id);
      },
    });
    for (const [offerId, destination] of Object.entries(offers)) {
      const r = await call('PUT', `/v1/offers/${offerId}/destination`, ADMIN, destination);
      if (r.status >= 300) throw new Error(`PUT ${offerId} destination: ${r.status} ${JSON.stringify(r.json)}`);
    }
    for (const offerId of Object.keys(offers)) {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const st = await call('GET', `/v1/offers/${offerId}/status`, ADMIN);
        const validation = st.json['validation'] as { status?: string } | undefined;
        if (validation?.status === 'passed') break;
        if (Date.now() > deadline)
          throw new Error(`${offerId}: validation lead not delivered in 90 s (${JSON.stringify(validation)})`);
        await sleep(500);
      }
    }

    const pids = Object.fromEntries(Object.entries(services).map(([n, s]) => [n, s.child.pid]));
    const rss: Record<string, Sample[]> = Object.fromEntries(Object.keys(services).map((n) => [n, []]));
    const loopP99: Record<string, number[]> = Object.fromEntries(Object.keys(services).map((n) => [n, []]));
    const t0 = Date.now();
    const minute = () => (Date.now() - t0) / 60_000;
    const sampleRss = () => {
      for (const [n, pid] of Object.entries(pids)) rss[n]?.push({ minute: minute(), mb: rssMb(pid) });
    };
    const scrape = async () => {
      for (const n of Object.keys(services)) {
        const text = await metrics(n).catch(() => '');
        for (const p99 of parseMetric(text, 'nodejs_eventloop_lag_p99_seconds')) loopP99[n]?.push(p99 * 1000);
      }
    };
    // Start each service's event-loop histogram with the load (it restarts at each scrape).
    await scrape();
    sampleRss();
    timers.push(setInterval(sampleRss, SAMPLE_SECONDS * 1000));
    timers.push(setInterval(() => void scrape(), SCRAPE_SECONDS * 1000));
    timers.push(
      setInterval(() => {
        const m = Math.round(minute());
        const now = Object.entries(pids)
          .map(([n, pid]) => `${n} ${Math.round(rssMb(pid))}`)
          .join(', ');
        process.stderr.write(`soak: minute ${m} of ${MINUTES}, ${receipts.size} receipts; RSS MB: ${now}\n`);
      }, 60_000),
    );

    // Open loop at RATE for MINUTES, with at most MAX_IN_FLIGHT POSTs waiting for their 202: when the services (or
    // a shared machine) cannot take RATE, the generator falls behind and the offered rate row says so, instead of
    // queueing minutes of POSTs in this process and stretching the load past MINUTES.
    const accepted = new Set<string>();
    let refused = 0;
    let sent = 0;
    const end = t0 + MINUTES * 60_000;
    const posts = new Set<Promise<void>>();
    for (let i = 0; ; i++) {
      const due = t0 + (i * 1000) / RATE;
      if (due >= end) break;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      while (posts.size >= MAX_IN_FLIGHT) await Promise.race(posts);
      if (Date.now() >= end) break;
      sent++;
      const p = call('POST', '/v1/leads', TOKEN, {
        offerId: offerOf(i),
        source: 'AzureMarketplace',
        action: 'INS',
        customer: { firstName: 'Pat', lastName: 'Lee', email: `pat${i}@contoso.example`, company: 'Contoso' },
      }).then(
        (r) => {
          if (r.status === 202) accepted.add(String(r.json['leadId']));
          else refused++;
        },
        () => void refused++,
      );
      // Only the POSTs in flight are kept: 20 minutes of settled promises would be this process's own leak.
      posts.add(p);
      void p.finally(() => posts.delete(p));
    }
    await Promise.all(posts);
    const loadMinutes = minute();
    for (const t of timers.splice(0)) clearInterval(t);
    sampleRss();
    await scrape();

    // Lag after the load: each service's own gauge, polled until every series is zero or a minute has passed.
    // No series at all (the scrape failed) is not a lag of zero: NaN, which fails the target.
    const lagOf = async (n: string) => {
      const series = parseMetric(await metrics(n).catch(() => ''), 'leadflow_kafka_consumer_lag_records');
      return series.length === 0 ? Number.NaN : series.reduce((a, b) => a + b, 0);
    };
    const stopped = Date.now();
    const lag: Record<string, number> = {};
    const zeroAfter: Record<string, number> = {};
    for (;;) {
      for (const n of Object.keys(services)) {
        if (zeroAfter[n] !== undefined) continue;
        lag[n] = await lagOf(n);
        if (lag[n] === 0) zeroAfter[n] = (Date.now() - stopped) / 1000;
      }
      if (Object.keys(zeroAfter).length === Object.keys(services).length || Date.now() - stopped > LAG_WAIT_MS) break;
      await sleep(1_000);
    }
    const receiptDeadline = Date.now() + 10_000;
    while ([...accepted].some((id) => !receipts.has(id)) && Date.now() < receiptDeadline) await sleep(500);
    const delivered = [...accepted].filter((id) => receipts.has(id)).length;

    const rows: BenchRow[] = [
      {
        scenario: `offered load, ${MINUTES} min`,
        value: sent / (loadMinutes * 60),
        unit: 'leads/s',
        baseline: { label: 'asked for (LEADFLOW_SOAK_RATE)', value: RATE },
        target: { ratio: 0.95 },
        notes: `${sent} POSTs, at most ${MAX_IN_FLIGHT} awaiting their 202`,
      },
      {
        scenario: `leads POSTed at ${RATE}/s for ${MINUTES} min over five destination types, with a receipt`,
        value: delivered,
        unit: 'leads',
        baseline: { label: 'accepted (202)', value: accepted.size },
        target: { ratio: 1 },
        notes: `${refused} refused; load ran ${loadMinutes.toFixed(1)} min; Marketo's fifth over ${MARKETO_MUNCHKINS.length} Munchkin IDs`,
      },
    ];
    for (const n of Object.keys(services)) {
      const samples = rss[n] ?? [];
      const late = samples.filter((s) => s.minute >= WARM_MINUTES && Number.isFinite(s.mb));
      const fit = fitSlope(late.map((s) => [s.minute, s.mb]));
      const start = samples[0]?.mb ?? Number.NaN;
      const end = samples.at(-1)?.mb ?? Number.NaN;
      const atWarm = fit.at(WARM_MINUTES);
      const p99s = loopP99[n] ?? [];
      rows.push(
        {
          scenario: `${n}: RSS growth, minute ${WARM_MINUTES} → end (fitted line)`,
          value: growthPercent(fit, WARM_MINUTES, loadMinutes),
          unit: '%',
          target: { atMost: 10 },
          notes: `RSS start ${start.toFixed(0)} MB, minute ${WARM_MINUTES} ${atWarm.toFixed(0)} MB (fitted), end ${end.toFixed(0)} MB; slope ${fit.slope.toFixed(2)} MB/min over ${late.length} samples`,
        },
        {
          scenario: `${n}: event-loop delay p99`,
          value: quantile(p99s, 0.5),
          unit: 'ms',
          // prom-client samples the loop every 10 ms and the figure includes that interval: an idle loop reads ~10 ms.
          notes: `median of ${p99s.length} ${SCRAPE_SECONDS} s windows' p99 (prom-client, 10 ms resolution included); worst window ${Math.max(...p99s).toFixed(1)} ms`,
        },
        {
          scenario: `${n}: consumer lag after the load`,
          value: lag[n] ?? Number.NaN,
          unit: 'records',
          target: { atMost: 0 },
          notes:
            zeroAfter[n] !== undefined
              ? `zero ${zeroAfter[n]?.toFixed(0)} s after the last POST`
              : `not zero ${LAG_WAIT_MS / 1000} s after the last POST`,
        },
      );
    }
    return rows;
  } finally {
    for (const t of timers) clearInterval(t);
    await watcher.disconnect().catch(() => undefined);
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await http.close();
    await Promise.all(sims.map((s) => s.close()));
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  }
}
