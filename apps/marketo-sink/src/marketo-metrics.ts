import { Counter, Gauge, type Registry } from 'prom-client';

/** What a Marketo operator watches: calls against the limits, Marketo's refusals, the daily quota spent. */
export interface MarketoMetrics {
  readonly calls: Counter<'endpoint' | 'munchkin_id'>;
  readonly throttled: Counter<'code' | 'munchkin_id'>;
  readonly quotaUsed: Gauge<'munchkin_id'>;
  readonly skipped: Counter<'reason'>;
}

export function createMarketoMetrics(registry: Registry): MarketoMetrics {
  return {
    calls: new Counter({
      name: 'leadflow_marketo_calls_total',
      help: 'HTTP calls made to Marketo, by endpoint (identity, syncLeads, submitForm) and Munchkin ID',
      labelNames: ['endpoint', 'munchkin_id'],
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'leadflow_marketo_throttled_total',
      help: 'Calls Marketo refused for its rate (606) or concurrency (615) limit',
      labelNames: ['code', 'munchkin_id'],
      registers: [registry],
    }),
    quotaUsed: new Gauge({
      name: 'leadflow_marketo_daily_quota_used',
      help: "REST calls this instance made to the Munchkin ID since the daily quota's last reset (00:00 CST)",
      labelNames: ['munchkin_id'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'leadflow_marketo_leads_not_sent_total',
      help: 'Leads settled without a Marketo call (no e-mail: PII suppressed for .edu customers)',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
