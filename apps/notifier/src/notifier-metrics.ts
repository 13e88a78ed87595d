import { Counter, Gauge, type Registry } from 'prom-client';
import { NOTICE_KINDS, NOTIFIER_ERRORS } from '@leadflow/lead-model';

export interface NotifierMetrics {
  /** The service's registry: the consumer reports its lag into it (`leadflow_kafka_consumer_lag_records`). */
  readonly registry: Registry;
  readonly sent: Counter<'kind'>;
  readonly deadLettered: Counter<'kind' | 'error_class'>;
  readonly retries: Counter<'reason'>;
  readonly events: Counter<'kind'>;
  readonly openDigests: Gauge;
}

/**
 * Labels are kinds, classes and nodemailer codes: never an address, an offer id or a lead id. The error class is
 * `error_class`, as on `leadflow_dead_letters_total`, so one label name means one thing across services.
 */
export function createNotifierMetrics(registry: Registry): NotifierMetrics {
  const metrics: NotifierMetrics = {
    registry,
    sent: new Counter({
      name: 'leadflow_notices_sent_total',
      help: 'Notices the mail server accepted',
      labelNames: ['kind'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'leadflow_notices_dead_lettered_total',
      help: 'Notices refused for good, on leads.dlq.notifier',
      labelNames: ['kind', 'error_class'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'leadflow_notifier_smtp_retries_total',
      help: 'Sends retried after a temporary failure (connection, 4xx)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    events: new Counter({
      name: 'leadflow_notifier_events_total',
      help: 'Receipts and dead letters read',
      labelNames: ['kind'],
      registers: [registry],
    }),
    openDigests: new Gauge({
      name: 'leadflow_notifier_open_digests',
      help: 'Digests collecting leads',
      registers: [registry],
    }),
  };
  // Every refusal series exists from the start: the alerts on them read a rate, and a rate over nothing is no series.
  for (const kind of NOTICE_KINDS)
    for (const errorClass of Object.keys(NOTIFIER_ERRORS))
      metrics.deadLettered.inc({ kind, error_class: errorClass }, 0);
  return metrics;
}
