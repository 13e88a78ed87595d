import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { registerEventLoopMetrics } from './event-loop';

type DefaultCollector = (registry: Registry, config: object) => void;

/**
 * prom-client's default collectors but its event-loop one, which keeps a 10 ms timer running for good: the same
 * series come from registerEventLoopMetrics, which stops that timer while the loop idles. prom-client (pinned) has no
 * option to leave one collector out; its list names the modules.
 */
const PROCESS_COLLECTORS: readonly DefaultCollector[] = collectDefaultMetrics.metricsList
  .filter((name) => name !== 'eventLoopLag')
  .map((name) => require(`prom-client/lib/metrics/${name}`) as DefaultCollector);

/** A Prometheus registry per service, with the process metrics and a `service` label on every series. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  for (const collect of PROCESS_COLLECTORS) collect(registry, {});
  registerEventLoopMetrics(registry);
  return registry;
}

/**
 * Every label a leadflow metric may carry. Each holds a bounded set of values: a service, a destination type, an
 * error class or category (the catalog), a dead-letter stage, a consumer group, a topic (the contract's and the
 * route topics operators create per offer, capped by configuration), a partition, a histogram bucket, a CRM call's
 * endpoint name or outcome, a process metric's own labels. Never a lead id, an offer id, an e-mail or a URL.
 */
export const ALLOWED_METRIC_LABELS: ReadonlySet<string> = new Set([
  // every series
  'service',
  // histograms
  'le',
  // leadflow's own
  'sink',
  'destination_type',
  'error_class',
  'category',
  'stage',
  'group',
  'topic',
  'partition',
  'event',
  'outcome',
  'endpoint',
  'status',
  'method',
  'route',
  'status_code',
  'kind',
  'reason',
  'result',
  'code',
  // Marketo's quota is per instance: one series per Munchkin ID, capped by cappedLabel (the rest are "other").
  'munchkin_id',
  // prom-client's process and Node.js metrics
  'version',
  'major',
  'minor',
  'patch',
  'type',
  'space',
]);

/** `name{label}` for each label of the exposition text outside ALLOWED_METRIC_LABELS. */
export function metricLabelViolations(exposition: string): string[] {
  const out = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#') || !line.includes('{')) continue;
    const name = line.slice(0, line.indexOf('{'));
    const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    for (const m of labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) {
      const label = m[1] as string;
      if (!ALLOWED_METRIC_LABELS.has(label)) out.add(`${name}{${label}}`);
    }
  }
  return [...out];
}

/**
 * A label whose values come from configuration (a Marketo instance's Munchkin ID, one per publisher account): the
 * first `max` distinct values keep their own series, later ones share `other`, so a marketplace with many
 * publishers cannot grow the series count without bound.
 */
export function cappedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}

/**
 * Dead letters written, by stage (`router` or a destination type: the topic `leads.dlq.<stage>`), class and category.
 * One counter for every service that dead-letters, so an alert reads one series family; `category` is what routes a
 * configuration problem to the publisher's owner rather than the SRE.
 */
export function deadLetterCounter(
  registry: Registry,
  initial: readonly { stage: string; errorClass: string; category: string }[] = [],
): Counter<'stage' | 'error_class' | 'category'> {
  const name = 'leadflow_dead_letters_total';
  const counter =
    (registry.getSingleMetric(name) as Counter<'stage' | 'error_class' | 'category'> | undefined) ??
    new Counter({
      name,
      help: 'Leads dead-lettered, by stage (router or destination type), error class and category',
      labelNames: ['stage', 'error_class', 'category'],
      registers: [registry],
    });
  // Series that exist at 0 from the start: an alert's rate reads 0, not "no data", before the first dead letter.
  for (const s of initial) counter.inc({ stage: s.stage, error_class: s.errorClass, category: s.category }, 0);
  return counter;
}
