import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SinkMetrics {
  readonly delivered: Counter<'sink'>;
  readonly deadLettered: Counter<'sink' | 'error_class' | 'category'>;
  readonly retries: Counter<'sink' | 'error_class'>;
  readonly inFlight: Gauge<'sink'>;
  readonly latency: Histogram<'sink'>;
  /** Leads waiting for a destination's quota to reset (Web-to-Lead's daily limit, Marketo's daily quota). */
  readonly waiting: Gauge<'sink' | 'error_class'>;
  readonly batchSize: Histogram<'sink'>;
  readonly destinationCache: Counter<'sink' | 'event'>;
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
    waiting: new Gauge({
      name: 'leadflow_sink_waiting_for_quota',
      help: 'Leads waiting (not failed, not dead-lettered) for a destination quota to reset, by class',
      labelNames: ['sink', 'error_class'],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'leadflow_sink_batch_size',
      help: 'Leads per destination call of a batch sink',
      labelNames: ['sink'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 200, 300],
      registers: [registry],
    }),
    destinationCache: new Counter({
      name: 'leadflow_sink_destination_cache_total',
      help: 'Opened (decrypted) destinations: hits, misses and evictions by size or age',
      labelNames: ['sink', 'event'],
      registers: [registry],
    }),
  };
}
