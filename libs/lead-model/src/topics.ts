/** The destination types, each with its route topic(s), its sink service and its dead-letter topic. */
export const DESTINATION_TYPES = ['dynamics', 'salesforce', 'marketo', 'azure-table', 'https'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** Who can give up on a lead: the router, or one sink per destination type. */
export const DLQ_STAGES = ['router', ...DESTINATION_TYPES] as const;
export type DlqStage = (typeof DLQ_STAGES)[number];

export type RouteTopic = `leads.route.${DestinationType}` | `leads.route.${DestinationType}.${string}`;
export type DlqTopic = `leads.dlq.${DlqStage}`;

/** Topic names of the contract (docs/kafka.md). No app spells a topic name itself. */
export const Topics = {
  ingested: 'leads.ingested',
  delivered: 'leads.delivered',
  offerDestinations: 'offers.destinations',
  /** Replay ledger: one entry per replayed dead letter, keyed `<dlq topic>/<partition>/<offset>` (compacted). */
  replayLedger: 'leads.replay.ledger',
  /** Audit trail: configuration changes, replays, PII reveals (never compacted, kept without a time limit). */
  audit: 'leads.audit',
  /** `leads.route.<type>`, or an offer's own `leads.route.<type>.<suffix>` that isolates a noisy publisher. */
  route: (type: DestinationType, suffix?: string): RouteTopic =>
    suffix ? `leads.route.${type}.${suffix}` : `leads.route.${type}`,
  dlq: (stage: DlqStage): DlqTopic => `leads.dlq.${stage}`,
  /** The notifier's memory: one record per notice it sent or gave up on, keyed by the notice's key (compacted). */
  noticesSent: 'notices.sent',
  /** Notices a mail server refused for good (docs/notifications.md); not leads, so not a replay stage. */
  notifierDlq: 'leads.dlq.notifier',
  /** Offer status counted per input partition (`<offerId>|<topic>|<partition>`, compacted): what ingest answers from. */
  offerStatus: 'offers.status',
  /** Leads a sink holds for a quota, per offer and quota account (`<offerId>|<account>`, compacted). */
  quotaWaits: 'offers.quota-waits',
} as const;

/** What a sink subscribes to: `^leads\.route\.<type>(\..+)?$`. */
export function routeTopicPattern(type: DestinationType): RegExp {
  return new RegExp(`^leads\\.route\\.${type.replace(/[-.]/g, '\\$&')}(\\..+)?$`);
}

/** Kafka's topic limit is 249 characters of [a-zA-Z0-9._-]. */
const MAX_TOPIC = 249;
const LONGEST_ROUTE_PREFIX = Math.max(...DESTINATION_TYPES.map((t) => `leads.route.${t}.`.length));

/** A per-offer route topic suffix: letters, digits, '.', '_', '-', short enough for every route topic. */
export const ROUTE_SUFFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_ROUTE_SUFFIX = MAX_TOPIC - LONGEST_ROUTE_PREFIX;

export function isValidRouteSuffix(suffix: string): boolean {
  return ROUTE_SUFFIX_PATTERN.test(suffix) && suffix.length <= MAX_ROUTE_SUFFIX;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly compacted: boolean;
  /** `retention.ms`; -1 keeps records without a time limit. Unset: the broker's default (7 days). */
  readonly retentionMs?: number;
  /**
   * `segment.bytes`. Kafka compacts only closed segments: for a compacted topic every reader reads from the
   * beginning at start, this bounds what is not compacted yet whatever the write rate. Unset: the broker's (1 GiB).
   */
  readonly segmentBytes?: number;
}

/** The fixed topics `./dev up` (and a deployment) creates, with explicit partition counts. */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: Topics.ingested, partitions: 6, compacted: false },
  ...DESTINATION_TYPES.map((t) => ({ name: Topics.route(t), partitions: 6, compacted: false })),
  ...DLQ_STAGES.map((s) => ({ name: Topics.dlq(s), partitions: 3, compacted: false })),
  { name: Topics.delivered, partitions: 3, compacted: false },
  // The source of truth for offer destinations: latest value per offer, tombstone = removed.
  { name: Topics.offerDestinations, partitions: 3, compacted: true },
  { name: Topics.replayLedger, partitions: 3, compacted: true },
  // One partition: the trail reads in the order things happened. Deleted by nobody: an operator archives it.
  { name: Topics.audit, partitions: 1, compacted: false, retentionMs: -1 },
  { name: Topics.noticesSent, partitions: 3, compacted: true },
  { name: Topics.notifierDlq, partitions: 3, compacted: false },
  // Offers × input partitions records, whatever the number of leads (docs/decisions/0008-offer-status-topic.md).
  // Its 2 MiB segments keep what a starting reader reads small: a few MiB besides one record per offer and input
  // partition, however many leads were counted (the compacted topics' segment.ms, 1 h, would let it grow with the rate).
  { name: Topics.offerStatus, partitions: 3, compacted: true, segmentBytes: 2 * 1024 * 1024 },
  { name: Topics.quotaWaits, partitions: 3, compacted: true },
];
