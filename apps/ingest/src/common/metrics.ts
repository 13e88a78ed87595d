import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The ingest's own series (the registry already carries process metrics and the `service` label). */
export interface IngestMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly leadsAccepted: Counter<'endpoint'>;
  readonly produceBatchSize: Histogram;
  readonly produceLatency: Histogram<'outcome'>;
  readonly produceBacklog: Gauge;
  readonly authRefusals: Counter<'status' | 'reason'>;
}

/** `backlog` reads the leads waiting for a broker acknowledgement (sampled at scrape time). */
export function createIngestMetrics(registry: Registry, backlog: () => number): IngestMetrics {
  return {
    requests: new Counter({
      name: 'leadflow_ingest_http_requests_total',
      help: 'HTTP requests by route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    leadsAccepted: new Counter({
      name: 'leadflow_ingest_leads_accepted_total',
      help: 'Leads acknowledged by the broker and answered with a leadId',
      labelNames: ['endpoint'],
      registers: [registry],
    }),
    produceBatchSize: new Histogram({
      name: 'leadflow_ingest_produce_batch_size',
      help: 'Leads per produce request',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    produceLatency: new Histogram({
      name: 'leadflow_ingest_produce_latency_seconds',
      help: 'Time from a produce request to the broker acknowledgement',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    authRefusals: new Counter({
      name: 'leadflow_ingest_auth_refusals_total',
      help: 'Requests refused by the gate, by status and reason code (expired, claims, unknown-key, other-publisher...)',
      labelNames: ['status', 'reason'],
      registers: [registry],
    }),
    produceBacklog: new Gauge({
      name: 'leadflow_ingest_produce_backlog',
      help: 'Leads accepted for publishing and not yet acknowledged by the broker',
      registers: [registry],
      collect() {
        this.set(backlog());
      },
    }),
  };
}
