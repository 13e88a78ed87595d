import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { azuriteConnectionString, freePorts } from '@leadflow/local-infra';
import { Topics } from '@leadflow/lead-model';
import { DEV_ENV } from '../components';
import { IngestClient } from '../demo/ingest-client';
import { OBSERVE_PORT_VARIABLES, readStackConfig, SERVICE_PORT_VARIABLES, type StackConfig } from '../stack.config';
import { down, up } from '../stack';
import { latencyGraphUrl, traceIdOfLead } from './demo-links';
import { jaegerBin, jaegerTrace, type JaegerSpan } from './jaeger';
import { jaegerUrl, prometheusUrl } from './observe-components';
import { query, scrapeTargets } from './prometheus';
import { takeStackTurn } from '../test/one-stack-at-a-time';

/**
 * `./dev up --observe`: Jaeger and Prometheus join the stack; one lead's trace is read back from Jaeger's own query
 * API with every hop, and Prometheus scrapes every service. Set LEADFLOW_TRACE_OUT=<file> to keep the trace read.
 */
describe('./dev up --observe', () => {
  takeStackTurn();
  const realLocal = join(__dirname, '..', '..', '..', '..', '.local');
  let dir: string;
  let cfg: StackConfig;

  beforeAll(async () => {
    if (!existsSync(jaegerBin(join(__dirname, '..', '..', '..', '..')))) {
      throw new Error('Jaeger is not installed: run ./dev setup (it builds .local/go-tools/bin/jaeger v1.75.0)');
    }
    dir = mkdtempSync(join(tmpdir(), 'leadflow-jaeger-'));
    mkdirSync(join(dir, 'kafka'), { recursive: true });
    symlinkSync(join(realLocal, 'kafka', 'libs'), join(dir, 'kafka', 'libs'));
    const names = [
      'LEADFLOW_KAFKA_PORT',
      'LEADFLOW_KAFKA_CONTROLLER_PORT',
      ...SERVICE_PORT_VARIABLES,
      ...OBSERVE_PORT_VARIABLES,
    ];
    const ports = await freePorts(names.length);
    cfg = readStackConfig({
      LEADFLOW_LOCAL_DIR: dir,
      LEADFLOW_OBSERVE: '1',
      ...Object.fromEntries(names.map((n, i) => [n, String(ports[i])])),
    });
    await up(cfg, () => undefined);
  }, 240_000);

  afterAll(async () => {
    if (cfg) await down(cfg, () => undefined).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a delivered lead back from Jaeger with every hop, and Prometheus scrapes every service', async () => {
    const ingest = new IngestClient(
      `http://${cfg.host}:${cfg.ingestPort}`,
      DEV_ENV.LEADFLOW_INGEST_TOKENS,
      DEV_ENV.LEADFLOW_ADMIN_TOKENS,
    );
    await ingest.putDestination('fabrikam.analytics-suite', {
      type: 'azure-table',
      connectionString: azuriteConnectionString(cfg.host, cfg.azuritePort),
    });
    const { leadId } = await ingest.postLead({
      offerId: 'fabrikam.analytics-suite',
      source: 'AzureMarketplace',
      action: 'INS',
      customer: { firstName: 'Ida', lastName: 'Trace', email: 'ida.trace@fabrikam.example', company: 'Fabrikam' },
    });

    const traceId = await traceIdOfLead(cfg, leadId, 30_000);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const hops = [
      ['ingest', /^POST/],
      ['ingest', new RegExp(`^send ${Topics.ingested}$`)],
      ['router', new RegExp(`^process ${Topics.ingested}$`)],
      ['router', new RegExp(`^send ${Topics.route('azure-table')}$`)],
      ['table-sink', new RegExp(`^process ${Topics.route('azure-table')}$`)],
      ['table-sink', /^deliver azure-table batch$/],
      ['table-sink', /^(POST|PUT|PATCH|GET)$/],
      ['table-sink', new RegExp(`^send ${Topics.delivered}$`)],
    ] as const;
    let spans: JaegerSpan[] = [];
    const deadline = Date.now() + 30_000;
    const missing = () =>
      hops.filter(([svc, name]) => !spans.some((s) => s.service === svc && name.test(s.operationName)));
    while (Date.now() < deadline) {
      spans = await jaegerTrace(jaegerUrl(cfg), traceId as string);
      if (missing().length === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(missing().map(([svc, name]) => `${svc} ${String(name)}`)).toEqual([]);
    if (process.env['LEADFLOW_TRACE_DUMP'])
      writeFileSync(
        process.env['LEADFLOW_TRACE_DUMP'],
        JSON.stringify(await (await fetch(`${jaegerUrl(cfg)}/api/traces/${traceId}`)).json(), null, 1),
      );
    // Causal order: each hop starts no earlier than the one before, and continues it (parent chain).
    const found = hops.map(
      ([svc, name]) => spans.find((s) => s.service === svc && name.test(s.operationName)) as JaegerSpan,
    );
    for (let i = 1; i < found.length; i++) {
      expect((found[i] as JaegerSpan).startTime >= (found[i - 1] as JaegerSpan).startTime).toBe(true);
    }
    const byId = new Map(spans.map((s) => [s.spanID, s]));
    const ancestors = (s: JaegerSpan): string[] => {
      const out: string[] = [];
      for (let p = s.parentSpanID; p; p = byId.get(p)?.parentSpanID) out.push(p);
      return out;
    };
    // The hop each one continues: the CRM call is inside the batch call, the receipt inside the lead's processing.
    const continues = [-1, 0, 1, 2, 3, 4, 5, 4];
    found.forEach((s, i) => {
      const parent = found[continues[i] as number];
      if (parent)
        expect([s.operationName, ancestors(s)]).toEqual([s.operationName, expect.arrayContaining([parent.spanID])]);
    });
    expect(typeof (found[6] as JaegerSpan).tags['http.response.status_code']).toBe('number');

    const out = process.env['LEADFLOW_TRACE_OUT'];
    if (out) {
      const t0 = spans[0]?.startTime ?? 0;
      writeFileSync(
        out,
        [
          `trace ${traceId} of lead ${leadId} (${jaegerUrl(cfg)}/api/traces/${traceId})`,
          ...spans.map(
            (s) =>
              `${String(((s.startTime - t0) / 1000).toFixed(1)).padStart(8)} ms  ${(s.duration / 1000).toFixed(1).padStart(8)} ms  ${s.service.padEnd(11)} ${s.operationName}`,
          ),
        ].join('\n') + '\n',
      );
    }

    // Prometheus of the stack: every service scraped, the latency series there once the lead was delivered.
    const base = prometheusUrl(cfg);
    const deadlineP = Date.now() + 20_000;
    let upTargets = 0;
    let latency = 0;
    while (Date.now() < deadlineP && (upTargets < scrapeTargets(cfg).length || latency === 0)) {
      upTargets = (await query(base, 'up{job="leadflow"} == 1')).length;
      latency = (await query(base, 'leadflow_delivery_latency_seconds_count{destination_type="azure-table"} > 0'))
        .length;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect([upTargets, latency]).toEqual([scrapeTargets(cfg).length, 1]);
    expect(latencyGraphUrl(cfg)).toContain(`${base}/graph?g0.expr=`);
  }, 120_000);
});
