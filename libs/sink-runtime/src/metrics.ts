import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { deadLetterCounter } from '@leadflow/observability';

export interface SinkMetrics {
  readonly delivered: Counter<'sink'>;
  readonly deadLettered: Counter<'sink' | 'error_class' | 'category'>;
  readonly retries: Counter<'sink' | 'error_class'>;
  /** Leads in an attempt at their destination (a call of their own, or a place in a batch call). */
  readonly inFlight: Gauge<'sink'>;
  /** Leads taken from Kafka and not yet settled: in an attempt, waiting for their offer's turn, a retry or a quota. */
  readonly unsettled: Gauge<'sink'>;
  readonly latency: Histogram<'sink'>;
  /** Leads waiting for a destination's quota to reset (Web-to-Lead's daily limit, Marketo's daily quota). */
  readonly waiting: Gauge<'sink' | 'error_class'>;
  readonly batchSize: Histogram<'sink'>;
  readonly destinationCache: Counter<'sink' | 'event'>;
  /** The registry itself: the consumer reports its lag into it. */
  readonly registry: Registry;
  /** Shared with the router: `leadflow_dead_letters_total{stage,error_class,category}`. */
  readonly deadLetters: Counter<'stage' | 'error_class' | 'category'>;
  /** Age of the oldest lead taken and not yet settled. */
  readonly lagSeconds: Gauge<'destination_type'>;
  /** Ingest's acceptance (202) to this sink's receipt. */
  readonly deliveryLatency: Histogram<'destination_type'>;
  readonly circuitsOpen: Gauge<'destination_type'>;
  readonly circuitOpenSeconds: Gauge<'destination_type'>;
  readonly quotaWaits: Counter<'destination_type'>;
  readonly validationFailed: Counter<'destination_type' | 'error_class'>;
}

/**
 * Delivery latency buckets, 50 ms to 10 min: fine below a second (the pipeline's normal), then the 60 s objective
 * as a bucket edge (the SLO reads `le="60"`), then the retry and quota waits up to ten minutes.
 */
export const DELIVERY_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export function createSinkMetrics(registry: Registry): SinkMetrics {
  return {
    registry,
    deadLetters: deadLetterCounter(registry),
    lagSeconds: new Gauge({
      name: 'leadflow_sink_lag_seconds',
      help: 'Age of the oldest lead the sink took from Kafka and has not settled (0 when none is waiting)',
      labelNames: ['destination_type'],
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'leadflow_delivery_latency_seconds',
      help: "From ingest's acceptance of a lead to the sink's receipt, by destination type (replays excluded)",
      labelNames: ['destination_type'],
      buckets: DELIVERY_LATENCY_BUCKETS,
      registers: [registry],
    }),
    circuitsOpen: new Gauge({
      name: 'leadflow_sink_circuits_open',
      help: 'Offers whose destination configuration is broken (their leads dead-letter without a call)',
      labelNames: ['destination_type'],
      registers: [registry],
    }),
    circuitOpenSeconds: new Gauge({
      name: 'leadflow_sink_circuit_open_seconds',
      help: 'How long the oldest open circuit of the sink has been open (0 when none is)',
      labelNames: ['destination_type'],
      registers: [registry],
    }),
    quotaWaits: new Counter({
      name: 'leadflow_sink_quota_waits_total',
      help: "Times a lead waited for a destination's quota to reset",
      labelNames: ['destination_type'],
      registers: [registry],
    }),
    validationFailed: new Counter({
      name: 'leadflow_validation_leads_failed_total',
      help: 'Validation (test) leads of a destination configuration that were dead-lettered, by class',
      labelNames: ['destination_type', 'error_class'],
      registers: [registry],
    }),
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
      help: 'Leads in an attempt at their destination (their own call, or a place in a batch call)',
      labelNames: ['sink'],
      registers: [registry],
    }),
    unsettled: new Gauge({
      name: 'leadflow_sink_unsettled',
      help: "Leads taken from Kafka and not yet settled (in an attempt, or waiting for their offer's turn, a retry or a quota)",
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
