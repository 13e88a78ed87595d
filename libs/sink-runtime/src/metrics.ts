import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SinkMetrics {
  readonly delivered: Counter<'sink'>;
  readonly deadLettered: Counter<'sink' | 'error_class' | 'category'>;
  readonly retries: Counter<'sink' | 'error_class'>;
  readonly inFlight: Gauge<'sink'>;
  readonly latency: Histogram<'sink'>;
}

export function createSinkMetrics(registry: Registry): SinkMetrics {
  return {
    delivered: new Counter({
      name: 'leadflow_sink_delivered_total',
      help: 'Leads delivered',
      labelNames: ['sink'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'leadflow_sink_dead_lettered_total',
      help: 'Leads dead-lettered, by class',
      labelNames: ['sink', 'error_class', 'category'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'leadflow_sink_retries_total',
      help: 'Delivery attempts retried, by class',
      labelNames: ['sink', 'error_class'],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'leadflow_sink_in_flight',
      help: 'Leads taken from Kafka and not yet settled',
      labelNames: ['sink'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'leadflow_sink_delivery_seconds',
      help: 'From taking a lead to settling it (delivered), retries included',
      labelNames: ['sink'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
  };
}
