import { DLQ_STAGES, TOPIC_SPECS, Topics, type DestinationType } from '@leadflow/lead-model';
import { grant, type KafkaPrincipal } from './acls';

/** A sink service as the ACLs see it: its name (SCRAM user, group `leadflow-<name>`) and the type it delivers. */
export interface SinkPrincipalSpec {
  readonly name: string;
  readonly type: DestinationType;
}

export interface LeadflowPrincipalsOptions {
  /** The sink services (libs/sink-runtime `SINK_SERVICES`): one principal each. */
  readonly sinks: readonly SinkPrincipalSpec[];
  /** The topic prefix of the deployment (LEADFLOW_TOPIC_PREFIX; empty in production). */
  readonly prefix?: string;
}

/** Principal names: the SCRAM users the local launcher creates and the docs' `kafka-acls.sh` commands name. */
export const PRINCIPALS = {
  ingest: 'ingest',
  router: 'router',
  leadctl: 'leadctl',
  notifier: 'notifier',
  console: 'console',
  /** The topics one-shot (docker-compose, the Helm chart's Job): creates the topic map's missing topics. */
  topics: 'topics',
  /** KEDA's Kafka scalers: read the services' group lag. */
  keda: 'keda',
  /** A system of a publisher's or marketplace's that writes leads straight to Kafka (docs/kafka.md). */
  producer: 'producer',
} as const;

/**
 * Every leadflow principal and exactly what it may do: the one definition the local launcher applies
 * (`applyAcls`) and docs/operations.md prints as `kafka-acls.sh` commands. A topic, group or transactional id a
 * service starts to use is added here, beside the service, or the broker refuses it.
 *
 * READ and WRITE include DESCRIBE; a consumer group family is granted by prefix because each instance also reads
 * `offers.destinations` in a group of its own (`<client id>-offers-<random>`).
 */
export function leadflowPrincipals(opts: LeadflowPrincipalsOptions): KafkaPrincipal[] {
  const p = opts.prefix ?? '';
  const t = {
    ingested: `${p}${Topics.ingested}`,
    delivered: `${p}${Topics.delivered}`,
    offers: `${p}${Topics.offerDestinations}`,
    ledger: `${p}${Topics.replayLedger}`,
    audit: `${p}${Topics.audit}`,
    routes: `${p}leads.route.`,
    deadLetters: `${p}leads.dlq.`,
    route: (type: DestinationType) => `${p}${Topics.route(type)}`,
    dlq: (stage: (typeof DLQ_STAGES)[number]) => `${p}${Topics.dlq(stage)}`,
  };
  // The replay engine (leadctl and ingest's auto-replay) shares one transactional id: a second replayer fences the
  // first instead of both publishing the same dead letters (libs/dead-letters).
  const replayer = grant.transactionalId(`${t.ledger}.replayer`);
  const ledger = grant.topic(t.ledger, 'READ', 'WRITE', 'CREATE');
  return [
    {
      name: PRINCIPALS.ingest,
      description:
        'ingest: accepts leads and offer configuration; counts receipts and dead letters into offers.status and reads it',
      grants: [
        grant.topic(t.ingested, 'WRITE'),
        grant.topic(t.offers, 'READ', 'WRITE'),
        grant.topic(t.delivered, 'READ'),
        grant.topicsStartingWith(t.deadLetters, 'READ'),
        ledger,
        replayer,
        // The audit trail: configuration changes and auto-replays (libs/audit).
        grant.topic(t.audit, 'WRITE'),
        // Offer status: every instance reads it; its aggregators write it, in transactions with ids per input
        // partition (`leadflow-ingest-offer-status-<topic>-<partition>`, no topic prefix, as ingest's groups).
        grant.topic(`${p}${Topics.offerStatus}`, 'READ', 'WRITE'),
        // Leads the sinks hold for a quota, shown in the offer status.
        grant.topic(`${p}${Topics.quotaWaits}`, 'READ'),
        grant.transactionalId('leadflow-ingest-offer-status', 'PREFIXED'),
        // ingest's groups carry no topic prefix: its status and offer-table readers, its auto-replay (whose
        // one-off readers delete their group when done, as every user of the replay engine does).
        grant.groupsStartingWith('leadflow-ingest', 'READ', 'DELETE'),
      ],
    },
    {
      name: PRINCIPALS.router,
      description: 'router: reads leads and offers, writes route topics (creating per-offer ones) and its dead letters',
      grants: [
        grant.topic(t.ingested, 'READ'),
        grant.topic(t.offers, 'READ'),
        grant.topicsStartingWith(t.routes, 'WRITE', 'CREATE'),
        grant.topic(t.dlq('router'), 'WRITE'),
        grant.groupsStartingWith(`${p}leadflow-router`),
        // One transactional id per input partition: `<group>-<topic>-<partition>`.
        grant.transactionalId(`${p}leadflow-router`, 'PREFIXED'),
      ],
    },
    ...opts.sinks.map((s): KafkaPrincipal => ({
      name: s.name,
      description: `${s.name}: reads its route topics and offers, writes receipts and its own dead letters`,
      grants: [
        grant.topic(t.route(s.type), 'READ'),
        // An offer's own route topic `leads.route.<type>.<suffix>`; the dot keeps other types out.
        grant.topicsStartingWith(`${t.route(s.type)}.`, 'READ'),
        grant.topic(t.offers, 'READ'),
        grant.topic(t.delivered, 'WRITE'),
        grant.topic(t.dlq(s.type), 'WRITE'),
        // The leads it holds for a quota, for the offer status.
        grant.topic(`${p}${Topics.quotaWaits}`, 'WRITE'),
        grant.groupsStartingWith(`${p}leadflow-${s.name}`),
      ],
    })),
    {
      name: PRINCIPALS.leadctl,
      description:
        'leadctl: reads dead letters, replays them to leads.ingested with the replay ledger; the audit trail',
      grants: [
        grant.topicsStartingWith(t.deadLetters, 'READ'),
        grant.topic(t.ingested, 'WRITE'),
        ledger,
        replayer,
        // Replays and unmasked views are recorded; `leadctl audit list` reads the trail.
        grant.topic(t.audit, 'READ', 'WRITE'),
        grant.groupsStartingWith(`${p}leadctl`, 'READ', 'DELETE'),
      ],
    },
    {
      name: PRINCIPALS.console,
      description:
        'console: follows leads, routes, receipts and dead letters for analysts; replays like leadctl; drops its groups',
      grants: [
        grant.topic(t.ingested, 'READ', 'WRITE'),
        grant.topicsStartingWith(t.routes, 'READ'),
        grant.topic(t.delivered, 'READ'),
        grant.topicsStartingWith(t.deadLetters, 'READ'),
        grant.topic(t.offers, 'READ'),
        ledger,
        replayer,
        // Its reveals of personal data and its replays are recorded (libs/audit).
        grant.topic(t.audit, 'WRITE'),
        // Leads the sinks hold for a quota, shown on the offer page.
        grant.topic(`${p}${Topics.quotaWaits}`, 'READ'),
        // Its index reader's group is per start and deleted at a graceful stop; the replay engine's likewise.
        grant.groupsStartingWith(`${p}leadflow-console`, 'READ', 'DELETE'),
      ],
    },
    {
      name: PRINCIPALS.topics,
      description: "the topics one-shot: creates the topic map's missing topics (the Helm chart's Job, docker-compose)",
      grants: TOPIC_SPECS.map((s) => grant.topic(`${p}${s.name}`, 'CREATE', 'DESCRIBE')),
    },
    {
      name: PRINCIPALS.keda,
      description: "KEDA's Kafka scalers: the lag of the services' groups on their input topics, nothing else",
      grants: [
        grant.topic(t.ingested, 'DESCRIBE'),
        grant.topicsStartingWith(t.routes, 'DESCRIBE'),
        { resource: 'GROUP', name: `${p}leadflow-`, pattern: 'PREFIXED', operations: ['DESCRIBE'] },
      ],
    },
    {
      name: PRINCIPALS.notifier,
      description:
        'notifier: reads receipts, dead letters, offers and the replay ledger; records its notices, dead-letters refused ones',
      grants: [
        grant.topic(t.delivered, 'READ'),
        ...DLQ_STAGES.map((s) => grant.topic(t.dlq(s), 'READ')),
        grant.topic(t.offers, 'READ'),
        // Auto-replay's entries, counted for the "fixed" notice.
        grant.topic(t.ledger, 'READ'),
        grant.topic(`${p}${Topics.noticesSent}`, 'READ', 'WRITE'),
        grant.topic(`${p}${Topics.notifierDlq}`, 'WRITE'),
        // Its group, its notices.sent reader and its offer table: `leadflow-notifier[-<instance>-…]`.
        grant.groupsStartingWith(`${p}leadflow-notifier`),
      ],
    },
    {
      name: PRINCIPALS.producer,
      description: 'a producer writing leads straight to Kafka: leads.ingested only',
      grants: [grant.topic(t.ingested, 'WRITE')],
    },
  ];
}
