import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { spawnLogged, waitUntil, type SpawnedProcess } from '@leadflow/local-infra';
import { SINK_SERVICES } from '@leadflow/sink-runtime';
import type { StackConfig } from '../stack.config';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const RULES_FILE = join('deploy', 'observability', 'rules', 'leadflow.rules.yml');
export const DASHBOARD_FILE = join('deploy', 'observability', 'dashboards', 'leadflow.json');

/**
 * Every service's metrics endpoint on the local stack (each app under apps/ but the CLI): ingest's and the console's
 * API ports, the others' ops ports. The stack's observability test fails when an app is missing here.
 */
export function scrapeTargets(cfg: StackConfig): { service: string; target: string }[] {
  return [
    { service: 'ingest', target: `${cfg.host}:${cfg.ingestPort}` },
    { service: 'router', target: `${cfg.host}:${cfg.routerPort}` },
    ...SINK_SERVICES.map((s) => ({ service: s.name, target: `${cfg.host}:${cfg.sinkPorts[s.name]}` })),
    { service: 'console', target: `${cfg.host}:${cfg.consolePort}` },
    { service: 'notifier', target: `${cfg.host}:${cfg.notifierPort}` },
  ];
}

/** The metric families every service exports: consumer lag (each one consumes), process and event-loop metrics. */
export const COMMON_METRIC_FAMILIES = [
  'leadflow_kafka_consumer_lag_records',
  'leadflow_ready',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
] as const;

/** prometheus.yml for the stack: job `leadflow` (the rules' `up{job="leadflow"}`), the repository's rules. */
export function prometheusConfig(cfg: StackConfig, intervalS: number): string {
  const targets = scrapeTargets(cfg)
    .map((t) => `          - '${t.target}'`)
    .join('\n');
  return `global:
  scrape_interval: ${intervalS}s
  evaluation_interval: ${intervalS}s
rule_files:
  - '${join(cfg.root, RULES_FILE)}'
scrape_configs:
  - job_name: leadflow
    static_configs:
      - targets:
${targets}
`;
}

export interface PrometheusOptions {
  readonly cfg: StackConfig;
  readonly port: number;
  /** Config, data and log live here. */
  readonly dir: string;
  readonly intervalS: number;
  readonly detached: boolean;
}

/** A real Prometheus on loopback, its own data folder, scraping the stack; resolves once it answers. */
export async function startPrometheus(o: PrometheusOptions): Promise<SpawnedProcess> {
  if (!existsSync(PROMETHEUS_BIN))
    throw new Error(`${PROMETHEUS_BIN} is missing: run ./dev setup (Debian package prometheus)`);
  mkdirSync(join(o.dir, 'data'), { recursive: true });
  const config = join(o.dir, 'prometheus.yml');
  writeFileSync(config, prometheusConfig(o.cfg, o.intervalS));
  const proc = spawnLogged({
    command: PROMETHEUS_BIN,
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(o.dir, 'data')}`,
      `--web.listen-address=${o.cfg.host}:${o.port}`,
      '--storage.tsdb.retention.time=2d',
    ],
    logFile: join(o.dir, 'prometheus.log'),
    detached: o.detached,
  });
  await waitUntil(
    `Prometheus on port ${o.port}`,
    () =>
      fetch(`http://${o.cfg.host}:${o.port}/-/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    200,
  );
  return proc;
}

/** An instant query's result, as Prometheus answers it. */
export async function query(base: string, expr: string): Promise<{ metric: Record<string, string> }[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string> }[] };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

/** Every expression of the rules file: recording rules as they are, alerts with their threshold taken off. */
export function ruleExpressions(root: string): { name: string; expr: string; operand: string }[] {
  const doc = parse(readFileSync(join(root, RULES_FILE), 'utf8')) as {
    groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
  };
  return doc.groups.flatMap((g) =>
    g.rules.map((r) => ({
      name: r.record ?? r.alert ?? '?',
      expr: r.expr,
      // An alert's condition selects nothing while it is not firing; what it compares must still select series.
      operand: r.alert ? r.expr.replace(/\s*(>=|<=|==|!=|>|<)\s*(\([^()]*\)|[0-9.]+)/g, '') : r.expr,
    })),
  );
}

/** Every panel query of the dashboard, Grafana's interval variables replaced by a window. */
export function panelQueries(root: string, window = '1m'): { panel: string; expr: string }[] {
  const dash = JSON.parse(readFileSync(join(root, DASHBOARD_FILE), 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  return dash.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title,
      expr: t.expr.replace(/\$__(rate_interval|interval|range)/g, window),
    })),
  );
}

/** The leadflow metric names an expression reads (recording rules' `a:b:c` names are not metrics). */
export function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(leadflow_[a-z0-9_]+)/g)].map((m) =>
    (m[1] as string).replace(/_(bucket|count|sum)$/, ''),
  );
}

/**
 * The labels every series an expression returns must carry: those named by each of its `by (…)` clauses (an outer
 * aggregation keeps only its own, so the intersection), `le` aside (histogram_quantile consumes it). A rule grouping
 * by a label its metric does not have still selects series (with the label empty), and its alert would page with
 * `{{ $labels.x }}` blank: the stack test checks these labels are set on every result.
 */
export function groupingLabels(expr: string): string[] {
  const clauses = [...expr.matchAll(/\bby\s*\(([^()]*)\)/g)].map(
    (m) =>
      new Set(
        (m[1] as string)
          .split(',')
          .map((l) => l.trim())
          .filter((l) => l !== '' && l !== 'le'),
      ),
  );
  const [first, ...rest] = clauses;
  if (!first) return [];
  return [...first].filter((l) => rest.every((c) => c.has(l)));
}
