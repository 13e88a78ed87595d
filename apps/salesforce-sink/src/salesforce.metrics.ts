import { Counter, Gauge, type Registry } from 'prom-client';

export interface SalesforceMetrics {
  readonly webToLeadPosts: Counter<'result'>;
  readonly dailyLimitWaiting: Gauge;
  readonly dailyLimitDeferrals: Counter;
  readonly apiCalls: Counter<'endpoint' | 'result'>;
  readonly duplicateRisk: Counter;
}

export function createSalesforceMetrics(registry: Registry): SalesforceMetrics {
  return {
    webToLeadPosts: new Counter({
      name: 'leadflow_salesforce_web_to_lead_posts_total',
      help: 'Web-to-Lead form posts, by result (answered: Salesforce answered, which does not mean it stored the lead)',
      labelNames: ['result'],
      registers: [registry],
    }),
    dailyLimitWaiting: new Gauge({
      name: 'leadflow_salesforce_daily_limit_waiting_leads',
      help: "Leads held back today because their org's Web-to-Lead daily limit is used up (they are sent after 00:00 UTC)",
      registers: [registry],
    }),
    dailyLimitDeferrals: new Counter({
      name: 'leadflow_salesforce_daily_limit_deferrals_total',
      help: "Deliveries refused by this sink because the org's Web-to-Lead daily limit was used up",
      registers: [registry],
    }),
    apiCalls: new Counter({
      name: 'leadflow_salesforce_api_calls_total',
      help: 'Salesforce API calls, by endpoint (token, sobject, collection, upsert) and result',
      labelNames: ['endpoint', 'result'],
      registers: [registry],
    }),
    duplicateRisk: new Counter({
      name: 'leadflow_salesforce_duplicate_risk_total',
      help: 'Leads written again without an external-id field (a repeat after a crash or timeout may create a second Lead)',
      registers: [registry],
    }),
  };
}
