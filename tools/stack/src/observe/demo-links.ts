import type { DemoReport } from '../demo/demo';
import type { StackConfig } from '../stack.config';
import { jaegerUrl, prometheusUrl } from './observe-components';

/** The delivery-latency graph (p99 by destination type over the last hour) in Prometheus's own UI. */
export function latencyGraphUrl(cfg: StackConfig): string {
  const expr =
    'histogram_quantile(0.99, sum by (le, destination_type) (rate(leadflow_delivery_latency_seconds_bucket[1m])))';
  return `${prometheusUrl(cfg)}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=1h`;
}

/** The id of the trace a lead's spans are in, found by its `leadflow.lead.id` tag in Jaeger's query API. */
export async function traceIdOfLead(cfg: StackConfig, leadId: string, timeoutMs = 15_000): Promise<string | undefined> {
  const tags = encodeURIComponent(JSON.stringify({ 'leadflow.lead.id': leadId }));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${jaegerUrl(cfg)}/api/traces?service=router&tags=${tags}&lookback=1h&limit=1`).catch(
      () => undefined,
    );
    const body = res?.ok ? ((await res.json()) as { data?: { traceID: string }[] }) : undefined;
    const id = body?.data?.[0]?.traceID;
    if (id) return id;
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

/** What `./dev demo --observe` prints last: a delivered and a dead-lettered lead's traces, the latency graph. */
export async function printObserveLinks(
  cfg: StackConfig,
  report: DemoReport,
  out: (line?: string) => void,
): Promise<void> {
  const leads = [...report.leads].filter(([, l]) => l.label !== 'validation lead (MSFT_TEST)');
  const delivered = leads.find(([, l]) => l.settledOn === 'leads.delivered')?.[0];
  const deadLettered = leads.find(([, l]) => (l.settledOn ?? l.topic ?? '').startsWith('leads.dlq.'))?.[0];
  out('\n7. Observe: the traces in Jaeger, the delivery latency in Prometheus\n');
  for (const [what, leadId] of [
    ['delivered', delivered],
    ['dead-lettered', deadLettered],
  ] as const) {
    if (!leadId) continue;
    const traceId = await traceIdOfLead(cfg, leadId);
    out(
      traceId
        ? `Trace of a ${what} lead (${leadId}): ${jaegerUrl(cfg)}/trace/${traceId}  (JSON: ${jaegerUrl(cfg)}/api/traces/${traceId})`
        : `Trace of a ${what} lead (${leadId}): not in Jaeger yet; search ${jaegerUrl(cfg)}/search?service=router&tags=${encodeURIComponent(JSON.stringify({ 'leadflow.lead.id': leadId }))}`,
    );
  }
  out(`Delivery latency (p99 by destination type): ${latencyGraphUrl(cfg)}`);
}
