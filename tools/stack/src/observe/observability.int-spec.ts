import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePorts, type SpawnedProcess } from '@leadflow/local-infra';
import { metricLabelViolations } from '@leadflow/observability';
import { DESTINATION_TYPES, leadCloudEventHeaders, Topics, type Lead } from '@leadflow/lead-model';
import { DYNAMICS_SCENARIOS, SALESFORCE_SCENARIOS } from '@leadflow/simulators';
import { SINK_SERVICES } from '@leadflow/sink-runtime';
import { DEMO_SIGNING_SECRET, DEV_ENV } from '../components';
import { runDemo, type DemoReport } from '../demo/demo';
import { IngestClient } from '../demo/ingest-client';
import { loadSamples } from '../demo/samples';
import { readStackConfig, SERVICE_PORT_VARIABLES, type StackConfig } from '../stack.config';
import { down, up } from '../stack';
import { OtlpReceiver, SpanKinds, type ReceivedSpan } from './otlp-receiver';
import { entries } from '../build/entries';
import {
  COMMON_METRIC_FAMILIES,
  groupingLabels,
  metricNames,
  panelQueries,
  query,
  ruleExpressions,
  scrapeTargets,
  startPrometheus,
} from './prometheus';
import { takeStackTurn } from '../test/one-stack-at-a-time';

/**
 * One trace per lead, on the local stack's production entry points (built programs) exporting to an OTLP receiver:
 * the demo sends leads to each of the five destination types, dead-letters some at the router and at the sinks,
 * and replays a sink's dead letters; the test adds a lead written straight to Kafka with its own `traceparent`.
 */
describe('observability on the running stack', () => {
  takeStackTurn();
  const realLocal = join(__dirname, '..', '..', '..', '..', '.local');
  const receiver = new OtlpReceiver();
  const saved = { ...process.env };
  let dir: string;
  let cfg: StackConfig;
  let report: DemoReport;
  let prometheus: SpawnedProcess | undefined;
  let autoReplayed = '';

  /** Waits until a span of `leadId` named `name` arrived. */
  async function spanOf(leadId: string, name: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (!receiver.spans.some((s) => s.name === name && s.attributes['leadflow.lead.id'] === leadId)) {
      if (Date.now() > deadline) throw new Error(`no ${name} span of lead ${leadId}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * The paths the demo does not take: an HTTPS endpoint that refuses the lead (a 4xx: the URL names ingest's API,
   * not a receiver) dead-letters it at the https stage with a configuration class; the publisher's fix, saved with
   * `autoReplay`, has ingest replay it. Returns the lead's id.
   */
  async function deadLetterThenAutoReplay(): Promise<string> {
    const ingest = new IngestClient(
      `http://${cfg.host}:${cfg.ingestPort}`,
      DEV_ENV.LEADFLOW_INGEST_TOKENS,
      DEV_ENV.LEADFLOW_ADMIN_TOKENS,
    );
    const offerId = 'litware.endpoint';
    const endpoint = (port: number) => ({
      type: 'https',
      url: `http://${cfg.host}:${port}/leads`,
      signingSecret: DEMO_SIGNING_SECRET,
      autoReplay: true,
    });
    await ingest.putDestination(offerId, endpoint(cfg.ingestPort));
    const { leadId } = await ingest.postLead({
      offerId,
      source: 'AzureMarketplace',
      action: 'INS',
      customer: LITWARE_CUSTOMER,
    });
    await spanOf(leadId, `send ${Topics.dlq('https')}`);
    await ingest.putDestination(offerId, endpoint(cfg.receiverPort));
    await spanOf(leadId, `send ${Topics.delivered}`);
    return leadId;
  }
  const direct = {
    leadId: randomUUID(),
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
  };
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadflow-observe-'));
    mkdirSync(join(dir, 'kafka'), { recursive: true });
    symlinkSync(join(realLocal, 'kafka', 'libs'), join(dir, 'kafka', 'libs'));
    const names = ['LEADFLOW_KAFKA_PORT', 'LEADFLOW_KAFKA_CONTROLLER_PORT', ...SERVICE_PORT_VARIABLES];
    const ports = await freePorts(names.length);
    cfg = readStackConfig({
      LEADFLOW_LOCAL_DIR: dir,
      ...Object.fromEntries(names.map((n, i) => [n, String(ports[i])])),
    });
    // The services inherit the environment: the SDK's own variables, as an operator would set them.
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = await receiver.start(cfg.host);
    process.env['OTEL_BSP_SCHEDULE_DELAY'] = '200';
    await up(cfg, (l) => void lines.push(l));
    report = await runDemo(cfg, (l = '') => void lines.push(l));
    await writeStraightToKafka(cfg, direct);
    autoReplayed = await deadLetterThenAutoReplay();
  }, 300_000);

  afterAll(async () => {
    await prometheus?.stop(5_000);
    await down(cfg, () => undefined).catch(() => undefined);
    process.env = saved;
    await receiver.stop();
    if (!process.env['KEEP_OBSERVE_DIR']) rmSync(dir, { recursive: true, force: true });
    else process.stdout.write(`kept ${dir}\n`);
  });

  const has =
    (...names: string[]) =>
    (spans: ReceivedSpan[]): boolean =>
      names.every((n) => spans.some((s) => s.name.startsWith(n)));

  /** The lead's one trace (every span naming the lead shares it), once every hop it waits for arrived. */
  async function traceOf(leadId: string, last: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const traceIds = new Set(
        receiver.spans.filter((s) => s.attributes['leadflow.lead.id'] === leadId).map((s) => s.traceId),
      );
      const [traceId] = traceIds;
      if (traceIds.size > 1) throw new Error(`lead ${leadId} has spans in ${traceIds.size} traces`);
      const spans = traceId ? receiver.trace(traceId) : [];
      if (spans.length > 0 && last(spans)) return spans;
      if (Date.now() > deadline) {
        throw new Error(`lead ${leadId}: trace incomplete: ${spans.map((s) => `${s.service}:${s.name}`).join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const one = (spans: readonly ReceivedSpan[], name: string | RegExp, service?: string): ReceivedSpan => {
    const found = spans.filter(
      (s) => (typeof name === 'string' ? s.name === name : name.test(s.name)) && (!service || s.service === service),
    );
    if (found.length !== 1) {
      throw new Error(
        `${found.length} spans named ${String(name)}: ${spans.map((s) => `${s.service}:${s.name}`).join(', ')}`,
      );
    }
    return found[0] as ReceivedSpan;
  };

  /** `child` continues `parent` directly and starts after it. */
  const expectHop = (parent: ReceivedSpan, child: ReceivedSpan): void => {
    expect(`${child.name} <- ${child.parentSpanId}`).toBe(`${child.name} <- ${parent.spanId}`);
    expect(child.startNs >= parent.startNs).toBe(true);
  };

  const descendants = (root: ReceivedSpan): ReceivedSpan[] => {
    const out: ReceivedSpan[] = [];
    const walk = (id: string) => {
      for (const s of receiver.spans.filter((x) => x.parentSpanId === id && x.traceId === root.traceId)) {
        out.push(s);
        walk(s.spanId);
      }
    };
    walk(root.spanId);
    return out;
  };

  /** The CRM calls that carried a lead: inside its process span, or inside a batch call linking it. */
  const crmCalls = (processing: ReceivedSpan): ReceivedSpan[] => {
    const batches = receiver.spans.filter((s) => s.links.some((l) => l.spanId === processing.spanId));
    return [processing, ...batches].flatMap(descendants).filter((s) => s.kind === SpanKinds.client);
  };
  const statusCode = (s: ReceivedSpan) => s.attributes['http.response.status_code'] ?? s.attributes['http.status_code'];

  type DemoLead = DemoReport['leads'] extends ReadonlyMap<string, infer V> ? V : never;
  const VALIDATION = 'validation lead (MSFT_TEST)';
  const leadOf = (where: (l: DemoLead) => boolean) => {
    const found = [...report.leads].find(([, l]) => where(l));
    if (!found) throw new Error('no such lead in the demo');
    return found[0];
  };

  it('follows a delivered lead of each destination type through every hop, CRM call included', async () => {
    for (const type of DESTINATION_TYPES) {
      const leadId = leadOf(
        (l) =>
          l.label !== VALIDATION && l.settledOn === Topics.delivered && (l.topic ?? '').startsWith(Topics.route(type)),
      );
      const spans = await traceOf(
        leadId,
        has(
          `send ${Topics.ingested}`,
          `process ${Topics.ingested}`,
          `process ${Topics.route(type)}`,
          `send ${Topics.delivered}`,
        ),
      );
      const http = spans.find((s) => s.service === 'ingest' && s.kind === SpanKinds.server) as ReceivedSpan;
      const sent = one(spans, `send ${Topics.ingested}`, 'ingest');
      const routed = one(spans, `process ${Topics.ingested}`, 'router');
      const toRoute = one(spans, new RegExp(`^send ${Topics.route(type)}`), 'router');
      const processing = one(spans, new RegExp(`^process ${Topics.route(type)}`));
      const receipt = one(spans, `send ${Topics.delivered}`);
      expectHop(http, sent);
      expectHop(sent, routed);
      expectHop(routed, toRoute);
      expectHop(toRoute, processing);
      expectHop(processing, receipt);
      expect(processing.service).toBe(SINK_SERVICES.find((x) => x.type === type)?.name);
      expect(sent.kind).toBe(SpanKinds.producer);
      expect(routed.kind).toBe(SpanKinds.consumer);
      expect(routed.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': Topics.ingested,
        'messaging.consumer.group.name': 'leadflow-router',
      });
      expect(typeof routed.attributes['messaging.destination.partition.id']).toBe('string');
      expect(typeof routed.attributes['messaging.kafka.offset']).toBe('number');
      const calls = crmCalls(processing);
      expect([type, calls.length > 0]).toEqual([type, true]);
      for (const c of calls) expect([type, c.name, typeof statusCode(c)]).toEqual([type, c.name, 'number']);
    }
  });

  it('ends a lead the router cannot route, and one a sink cannot deliver, on its dead-letter topic', async () => {
    const orphan = leadOf((l) => l.label !== VALIDATION && l.topic === Topics.dlq('router'));
    const spans = await traceOf(orphan, has(`process ${Topics.ingested}`, `send ${Topics.dlq('router')}`));
    expectHop(one(spans, `process ${Topics.ingested}`), one(spans, `send ${Topics.dlq('router')}`));

    // The offer's validation lead: its failure (an offer-wide one) opens the circuit, so later leads of the offer are
    // dead-lettered without a call.
    const refused = leadOf((l) => l.label === VALIDATION && l.settledOn === Topics.dlq('dynamics'));
    const failed = await traceOf(refused, has(`process ${Topics.route('dynamics')}`, `send ${Topics.dlq('dynamics')}`));
    const processing = one(failed, new RegExp(`^process ${Topics.route('dynamics')}`));
    expectHop(processing, one(failed, `send ${Topics.dlq('dynamics')}`));
    expect(processing.status.code).toBe(2);
    expect(processing.attributes['error.type']).toBe('DYNAMICS.AAD_TENANT_NOT_FOUND');
    const calls = crmCalls(processing);
    expect(calls.map((c) => statusCode(c))).toContainEqual(expect.any(Number));
  });

  it("continues a leadctl-replayed lead in its original trace, through leadctl's send, linked to the replay run", async () => {
    const leadId = report.replay.replayed[0] as string;
    const spans = await traceOf(
      leadId,
      (s) =>
        has(`send ${Topics.dlq('azure-table')}`, `send ${Topics.delivered}`)(s) &&
        s.filter((x) => x.name === `process ${Topics.ingested}`).length === 2,
    );
    const deadLetter = one(spans, `send ${Topics.dlq('azure-table')}`);
    const replay = one(spans, `send ${Topics.ingested}`, 'leadctl');
    expect(replay.attributes['leadflow.replay']).toBe(true);
    const routings = spans
      .filter((s) => s.name === `process ${Topics.ingested}`)
      .sort((a, b) => Number(a.startNs - b.startNs));
    expect(routings).toHaveLength(2);
    expectHop(deadLetter, replay);
    expectHop(replay, routings[1] as ReceivedSpan);
    expect(routings[1]?.attributes['leadflow.replay']).toBe(true);
    expect(one(spans, `send ${Topics.delivered}`).startNs > deadLetter.startNs).toBe(true);
    // The run leadctl made: one span in a trace of its own, which every lead it replayed links to.
    const runs = receiver.spans.filter((s) => s.service === 'leadctl' && s.name === 'replay dead letters');
    expect(runs).toHaveLength(1);
    const run = runs[0] as ReceivedSpan;
    expect(run.traceId).not.toBe(replay.traceId);
    expect(run.attributes['leadflow.replay.count']).toBe(report.replay.replayed.length);
    expect(replay.links).toEqual([expect.objectContaining({ traceId: run.traceId, spanId: run.spanId })]);
    for (const replayed of report.replay.replayed) {
      const sent = receiver.spans.filter(
        (s) =>
          s.service === 'leadctl' &&
          s.name === `send ${Topics.ingested}` &&
          s.attributes['leadflow.lead.id'] === replayed,
      );
      expect([replayed, sent.map((s) => s.links.map((l) => l.spanId))]).toEqual([replayed, [[run.spanId]]]);
    }
  });

  it('continues an auto-replayed lead from its dead letter, through the replay ingest made', async () => {
    const spans = await traceOf(
      autoReplayed,
      (s) =>
        has(`send ${Topics.dlq('https')}`, `send ${Topics.delivered}`)(s) &&
        s.filter((x) => x.name === `process ${Topics.ingested}`).length === 2 &&
        s.filter((x) => x.name.startsWith(`process ${Topics.route('https')}`)).length === 2,
    );
    const deadLetter = one(spans, `send ${Topics.dlq('https')}`);
    const replay = spans.find((s) => s.name === `send ${Topics.ingested}` && s.attributes['leadflow.replay'] === true);
    expect(replay?.service).toBe('ingest');
    expectHop(deadLetter, replay as ReceivedSpan);
    const routings = spans
      .filter((s) => s.name === `process ${Topics.ingested}`)
      .sort((a, b) => Number(a.startNs - b.startNs));
    expectHop(replay as ReceivedSpan, routings[1] as ReceivedSpan);
    // Its first processing (dead-lettered: the offer's circuit was open after its validation lead's rejection) and
    // the replayed one (delivered), both in the trace.
    const processed = spans.filter((s) => s.name.startsWith(`process ${Topics.route('https')}`));
    expect(processed.map((s) => s.attributes['leadflow.outcome']).sort()).toEqual(['dead-lettered', 'delivered']);
  });

  it('continues the trace of a lead written straight to Kafka with a traceparent', async () => {
    const spans = await traceOf(direct.leadId, has(`process ${Topics.ingested}`, `send ${Topics.delivered}`));
    expect(spans.every((s) => s.traceId === direct.traceId)).toBe(true);
    expect(one(spans, `process ${Topics.ingested}`).parentSpanId).toBe(direct.spanId);
  });

  it('exports only bounded labels, and every rule and panel of deploy/observability selects series in a real Prometheus', async () => {
    const expositions = await Promise.all(
      scrapeTargets(cfg).map(async (t) => ({ ...t, text: await (await fetch(`http://${t.target}/metrics`)).text() })),
    );
    for (const e of expositions) expect([e.service, metricLabelViolations(e.text)]).toEqual([e.service, []]);
    // Every app but the CLI is scraped, and each exports the common families with series in them (its consumer
    // lag once it has fetched: every service read records in the demo).
    const services = entries(cfg.root)
      .filter((e) => e.name.startsWith('apps/') && e.name !== 'apps/leadctl')
      .map((e) => e.name.slice('apps/'.length));
    expect(expositions.map((e) => e.service).sort()).toEqual(services.sort());
    for (const e of expositions) {
      const missing = COMMON_METRIC_FAMILIES.filter((f) => !new RegExp(`^${f}\\{`, 'm').test(e.text));
      expect([e.service, missing]).toEqual([e.service, []]);
    }
    const exported = new Set(
      expositions.flatMap((e) => [...e.text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] as string)),
    );
    const rules = ruleExpressions(cfg.root);
    const panels = panelQueries(cfg.root);
    const unknown = [...rules.map((r) => r.expr), ...panels.map((p) => p.expr)]
      .flatMap(metricNames)
      .filter((name) => !exported.has(name));
    expect(unknown).toEqual([]);

    const [port] = await freePorts(1);
    prometheus = await startPrometheus({
      cfg,
      port: port as number,
      dir: join(dir, 'prometheus'),
      intervalS: 1,
      detached: false,
    });
    const base = `http://${cfg.host}:${port}`;
    // Enough scrapes for rate() over 1m and for the recording rules to have run.
    await new Promise((r) => setTimeout(r, 8_000));
    // Each must select series, and each series must carry the labels the expression groups by (a label the metric
    // does not have would leave an alert's `{{ $labels.… }}` and its routing blank).
    const empty: string[] = [];
    const checked = [
      ...rules.map((r) => ({ what: `rule ${r.name}`, expr: r.operand })),
      ...panels.map((p) => ({ what: `panel "${p.panel}"`, expr: p.expr })),
    ];
    for (const c of checked) {
      const result = await query(base, c.expr);
      if (result.length === 0) empty.push(`${c.what}: ${c.expr}`);
      for (const label of groupingLabels(c.expr))
        if (result.some((r) => !r.metric[label])) empty.push(`${c.what}: a series without ${label}: ${c.expr}`);
    }
    expect(empty).toEqual([]);
    const up = await query(base, 'up{job="leadflow"} == 1');
    expect(up).toHaveLength(scrapeTargets(cfg).length);
  }, 60_000);

  it("writes no PII or secret in any log line, and lines written in a lead's work carry its trace", () => {
    const forbidden = [...demoPii(cfg), ...secrets()];
    const email = /[\w.+-]+@[\w-]+\.[a-z]{2,}/i;
    const logs = join(dir, 'logs');
    let correlated = 0;
    for (const file of readdirSync(logs).filter(
      (f) => f.endsWith('.log') && !/kafka|azurite|simulators|receiver/.test(f),
    )) {
      readFileSync(join(logs, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const hit = forbidden.find((f) => line.includes(f)) ?? email.exec(line)?.[0];
          if (hit) throw new Error(`${file}:${i + 1} holds ${hit}: ${line}`);
          if (/"msg":"lead dead-lettered"/.test(line)) {
            expect([file, i + 1, /"trace_id":"[0-9a-f]{32}","span_id":"[0-9a-f]{16}"/.test(line)]).toEqual([
              file,
              i + 1,
              true,
            ]);
            correlated++;
          }
        });
    }
    expect(correlated).toBeGreaterThan(0);
  });

  it('puts no PII and no secret in any span, event or link', () => {
    expect(receiver.spans.length).toBeGreaterThan(100);
    const forbidden = [...demoPii(cfg), ...secrets()];
    const email = /[\w.+-]+@[\w-]+\.[\w.]+/;
    for (const s of receiver.spans) {
      const values = [
        ...Object.entries(s.attributes),
        ...s.events.flatMap((e) => Object.entries(e.attributes)),
        ...s.links.flatMap((l) => Object.entries(l.attributes)),
        ['status.message', s.status.message ?? ''],
      ];
      for (const [key, value] of values) {
        const text = String(value);
        const hit = forbidden.find((f) => text.includes(f)) ?? (email.test(text) ? 'an e-mail address' : undefined);
        if (hit) throw new Error(`${s.service} span "${s.name}" attribute ${key} holds ${hit}`);
      }
    }
  });
});

const LITWARE_CUSTOMER = {
  firstName: 'Quinlan',
  lastName: 'Marsh',
  email: 'quinlan.marsh@litware.example',
  company: 'Litware Endpoints',
  phone: '+44 20 7946 0958',
};

/** A lead written by a producer of the publisher's own, with the trace it was made in. */
async function writeStraightToKafka(
  cfg: StackConfig,
  d: { leadId: string; traceId: string; spanId: string },
): Promise<void> {
  const lead: Lead = {
    leadId: d.leadId,
    offerId: 'fabrikam.analytics-suite',
    source: 'AzureMarketplace',
    action: 'INS',
    offerTitle: 'Fabrikam Suite',
    customer: { firstName: 'Jo', lastName: 'Direct', email: 'jo.direct@fabrikam.example', company: 'Fabrikam Direct' },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  } as Lead;
  const kafka = new Kafka({
    brokers: [`${cfg.host}:${cfg.kafkaPort}`],
    clientId: 'observe-test',
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: Topics.ingested,
    messages: [
      {
        key: lead.offerId,
        value: JSON.stringify(lead),
        headers: leadCloudEventHeaders(lead, {
          source: '/publisher/own-producer',
          traceparent: `00-${d.traceId}-${d.spanId}-01`,
        }),
      },
    ],
  });
  await producer.disconnect();
}

/** The customers' fields the demo and this test send (names, e-mails, phones, companies). */
export function demoPii(cfg: StackConfig): string[] {
  const found = new Set<string>([
    'Alex',
    'alex@adatum.example',
    'Sam',
    'sam@tailspin.example',
    'Robin',
    'Park',
    '+1 425 555 0100',
    '425 555',
    'Tailspin',
    'Adatum',
    'Contoso',
    'jo.direct@fabrikam.example',
    'Fabrikam Direct',
    LITWARE_CUSTOMER.firstName,
    LITWARE_CUSTOMER.email,
    LITWARE_CUSTOMER.company,
    LITWARE_CUSTOMER.phone,
  ]);
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string' && /name|mail|phone|company/i.test(key) && v.length >= 3) found.add(v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const s of loadSamples(cfg.root)) walk(s.body, '');
  return [...found];
}

/** Secrets the stack and the demo use: tokens, client secrets, signing secrets, storage keys. */
export function secrets(): string[] {
  return [
    ...Object.values(DEV_ENV),
    DEMO_SIGNING_SECRET,
    DYNAMICS_SCENARIOS.secret.ok,
    SALESFORCE_SCENARIOS.clientSecret,
    'demo-secret',
    'AccountKey=',
    'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq',
    'Bearer ',
  ];
}
