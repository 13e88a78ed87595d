import { Counter, Histogram, type Registry } from 'prom-client';
import { deadLetterSeriesOf, dlqCategory } from '@leadflow/lead-model';
import { deadLetterCounter } from '@leadflow/observability';
import type { OutboundRecord } from './routing/records';

export interface RouterMetrics {
  readonly routed: Counter<'destination_type'>;
  readonly deadLettered: Counter<'error_class'>;
  readonly batchSeconds: Histogram;
  readonly batchSize: Histogram;
  readonly aborted: Counter;
  /** Counts one committed batch. */
  committed(records: readonly OutboundRecord[], seconds: number): void;
}

export function createRouterMetrics(registry: Registry): RouterMetrics {
  const routed = new Counter({
    name: 'leadflow_router_routed_total',
    help: 'Leads routed (committed) to a destination topic, by destination type',
    labelNames: ['destination_type'] as const,
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: 'leadflow_router_dead_lettered_total',
    help: 'Records the router dead-lettered (committed), by error class',
    labelNames: ['error_class'] as const,
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'leadflow_router_batch_duration_seconds',
    help: 'Time from planning a fetched batch to committing its transaction',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'leadflow_router_batch_records',
    help: 'Records per committed transaction',
    buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 5000],
    registers: [registry],
  });
  const deadLetters = deadLetterCounter(
    registry,
    deadLetterSeriesOf('router').map((s) => ({ ...s, stage: 'router' })),
  );
  const aborted = new Counter({
    name: 'leadflow_router_transactions_aborted_total',
    help: 'Batch transactions that failed and were aborted (the batch is read again)',
    registers: [registry],
  });
  return {
    routed,
    deadLettered,
    batchSeconds,
    batchSize,
    aborted,
    committed(records, seconds) {
      batchSeconds.observe(seconds);
      batchSize.observe(records.length);
      for (const r of records) {
        if (r.outcome.kind === 'route') routed.inc({ destination_type: r.outcome.destinationType });
        else {
          deadLettered.inc({ error_class: r.outcome.errorClass });
          deadLetters.inc({
            stage: 'router',
            error_class: r.outcome.errorClass,
            category: dlqCategory(r.outcome.errorClass, false),
          });
        }
      }
    },
  };
}
