import { z } from 'zod';
import { OfferDestinationRecordSchema } from '../destination';
import {
  DeadLetterHeadersSchema,
  DirectProducerHeadersSchema,
  LeadCloudEventHeadersSchema,
  ReplayHeadersSchema,
} from '../header-schemas';
import { LeadSchema, OFFER_ID_PATTERN } from '../lead';
import { leadInputSchemas } from '../lead-input';
import { quotaAccount } from '../quota-account';
import { DeliveryReceiptSchema } from '../receipt';
import { DEAD_LETTER_POSITION_PATTERN, ReplayLedgerEntrySchema } from '../replay-ledger';
import { AuditRecordSchema } from '../audit';
import { OFFER_STATUS_KEY_PATTERN, OfferStatusRecordSchema } from '../offer-status';
import { QUOTA_WAIT_KEY_PATTERN, QuotaWaitRecordSchema } from '../quota-wait';
import {
  DESTINATION_TYPES,
  ROUTE_SUFFIX_PATTERN,
  TOPIC_SPECS,
  Topics,
  type DestinationType,
  type TopicSpec,
} from '../topics';
import {
  INGESTED_EXAMPLES,
  OFFER_DESTINATION_EXAMPLES,
  OFFER_STATUS_EXAMPLES,
  QUOTA_WAIT_EXAMPLES,
  RECEIPT_EXAMPLES,
  REPLAY_LEDGER_EXAMPLES,
  ROUTED_LEAD_EXAMPLE,
  ROUTER_DEAD_LETTER_EXAMPLES,
  SINK_DEAD_LETTER_EXAMPLE,
  type ContractExample,
} from './examples';

/**
 * The Kafka contract as an AsyncAPI 3.1 document, built from lead-model's own schemas (zod → JSON Schema
 * draft-07, the AsyncAPI schema format's base), topic map and header names. tools/docs writes it to
 * docs/asyncapi.yaml (a unit test fails when the two differ); ingest serves it at GET /asyncapi.
 *
 * The channels are TOPIC_SPECS, plus the offers' own route topics: a topic added to the map appears on the
 * next generation, described here or, until it is, as a channel with its Kafka bindings and an opaque value.
 */

/** Who reads a topic, and in which consumer group (docs/kafka.md, "Consumer groups and transactional ids"). */
interface Reader {
  readonly service: string;
  readonly group: { readonly const: string } | { readonly pattern: string; readonly description: string };
}

export interface AsyncApiOptions {
  /** The sink services (libs/sink-runtime's SINK_SERVICES): each reads its type's route topics as `leadflow-<name>`. */
  readonly sinks: readonly { readonly name: string; readonly type: DestinationType }[];
  /** The fixed topics; TOPIC_SPECS unless a test says otherwise. */
  readonly topics?: readonly TopicSpec[];
}

const KAFKA_BINDING = '0.5.0';
const ref = (path: string) => ({ $ref: `#/components/${path}` });

/** zod → JSON Schema as the document states it: input view (unknown properties allowed), no `$schema`. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** The key-named-offer variant of an input shape: lead-model words it for the URL; on Kafka the key plays that part. */
function keyVariant(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(keyVariant);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === 'description' && typeof v === 'string'
        ? v.replace(/\bthe URL's\b/g, "the record key's").replace(/\bURL\b/g, 'record key')
        : keyVariant(v),
    ]),
  );
}

function inputShape(shape: 'canonical' | 'marketplace' | 'legacy'): Record<string, unknown> {
  const body = jsonSchema(leadInputSchemas({ from: 'body' })[shape]);
  const key = keyVariant(jsonSchema(leadInputSchemas({ from: 'url' })[shape])) as Record<string, unknown>;
  return {
    description: `${String(body['description'])}. On leads.ingested the offer is named in the body, or else by the record key.`,
    anyOf: [
      { ...body, title: 'offer named in the body' },
      { ...key, title: 'offer named by the record key' },
    ],
  };
}

const nullable = (schemaRef: object, what: string) => ({
  anyOf: [schemaRef, { type: 'null', description: `tombstone: ${what}` }],
});

function schemas(): Record<string, unknown> {
  return {
    CanonicalLeadInput: inputShape('canonical'),
    MarketplaceLeadInput: inputShape('marketplace'),
    LegacyLeadInput: inputShape('legacy'),
    Lead: jsonSchema(LeadSchema),
    DeliveryReceipt: jsonSchema(DeliveryReceiptSchema),
    OfferDestinationRecord: jsonSchema(OfferDestinationRecordSchema),
    ReplayLedgerEntry: jsonSchema(ReplayLedgerEntrySchema),
    AuditRecord: jsonSchema(AuditRecordSchema),
    OfferStatusRecord: jsonSchema(OfferStatusRecordSchema),
    QuotaWaitRecord: jsonSchema(QuotaWaitRecordSchema),
    LeadCloudEventHeaders: jsonSchema(LeadCloudEventHeadersSchema),
    DirectProducerHeaders: jsonSchema(DirectProducerHeadersSchema.extend(ReplayHeadersSchema.shape)),
    DeadLetterHeaders: jsonSchema(DeadLetterHeadersSchema),
    OfferId: { type: 'string', pattern: OFFER_ID_PATTERN.source, description: 'publisherid.offerid' },
  };
}

const kafkaKey = (schema: object) => ({ kafka: { key: schema, bindingVersion: KAFKA_BINDING } });
const offerKey = kafkaKey({ ...ref('schemas/OfferId'), description: "the offer id: one offer's records in order" });

/** The quota-account keys `quotaAccount` makes, shown by example: computed, so they follow the function. */
const keyOf = (destination: { readonly type: string } & Record<string, unknown>) => quotaAccount(destination);
const QUOTA_KEY_EXAMPLES = [
  keyOf({ type: 'marketo', munchkinId: '123-abc-456' }),
  keyOf({ type: 'salesforce', mode: 'web-to-lead', orgId: '00D5e000000AbCdEAF' }),
  keyOf({
    type: 'dynamics',
    url: 'https://contoso.crm.dynamics.com',
    auth: { kind: 'aad', tenantId: 'contoso.onmicrosoft.com', clientId: 'app' },
  }),
];
const routeKey = kafkaKey({
  anyOf: [ref('schemas/OfferId'), { type: 'string', pattern: '^(marketo|salesforce|dynamics):[A-Za-z0-9_-]+$' }],
  description:
    "the destination's quota account when its CRM limits calls per account (Marketo Munchkin ID, Salesforce Web-to-Lead org, Dataverse environment and user, hashed): one account's leads on one partition, so one sink instance spends its quota; else the offer id (docs/kafka.md#route-keys-the-quota-account)",
  examples: [...QUOTA_KEY_EXAMPLES, 'contoso.crm-connector'],
});

/**
 * A message's examples, and their record keys: AsyncAPI 3's example object has no key and admits no
 * extension, so the keys go beside them on the message, by example name (`x-example-keys`).
 */
function examples(list: readonly ContractExample[]) {
  return {
    examples: list.map(({ key: _key, ...e }) => e),
    'x-example-keys': Object.fromEntries(list.map((e) => [e.name, e.key])),
  };
}

const deadLetter = (name: string, title: string, value: string, list: readonly ContractExample[]) => ({
  name,
  title,
  summary:
    "The original record's key, value (byte for byte, even when it is not JSON) and headers, plus the dead-letter set. Replay it with leadctl dlq replay (docs/kafka.md#replay).",
  headers: ref('schemas/DeadLetterHeaders'),
  payload: { description: value },
  bindings: kafkaKey({ type: 'string', description: 'the original record key' }),
  ...examples(list),
});

function messages(): Record<string, unknown> {
  const input = (shape: 'canonical' | 'marketplace' | 'legacy', title: string) => ({
    name: `${shape}LeadInput`,
    title,
    contentType: 'application/json',
    headers: ref('schemas/DirectProducerHeaders'),
    payload: ref(`schemas/${shape[0]?.toUpperCase()}${shape.slice(1)}LeadInput`),
    bindings: offerKey,
    ...examples(INGESTED_EXAMPLES[shape]),
  });
  return {
    canonicalLeadInput: input('canonical', 'A lead in the canonical form (as ingest writes it, or from a producer)'),
    marketplaceLeadInput: input('marketplace', "A lead in the marketplace's HTTPS-endpoint body"),
    legacyLeadInput: input('legacy', 'A lead in the legacy flat Web-to-Lead form'),
    routedLead: {
      name: 'routedLead',
      title: 'The canonical lead, routed',
      summary:
        "A canonical record is copied unchanged (key, value bytes, headers); another input shape, a record without CloudEvents headers or a .edu customer's PII is written in the canonical form with the headers.",
      contentType: 'application/json',
      headers: ref('schemas/LeadCloudEventHeaders'),
      payload: ref('schemas/Lead'),
      bindings: routeKey,
      ...examples([ROUTED_LEAD_EXAMPLE]),
    },
    routerDeadLetter: deadLetter(
      'routerDeadLetter',
      'A router dead letter: a record of leads.ingested that is not a lead, or whose offer has no usable destination',
      'the original value, byte for byte (a lead in any input shape, or not JSON at all)',
      ROUTER_DEAD_LETTER_EXAMPLES,
    ),
    sinkDeadLetter: deadLetter(
      'sinkDeadLetter',
      'A sink dead letter: a routed lead its destination refused, or that exhausted its retries',
      'the routed lead, byte for byte',
      [SINK_DEAD_LETTER_EXAMPLE],
    ),
    deliveryReceipt: {
      name: 'deliveryReceipt',
      title: 'A delivery receipt',
      summary: 'No headers.',
      contentType: 'application/json',
      payload: ref('schemas/DeliveryReceipt'),
      bindings: offerKey,
      ...examples(RECEIPT_EXAMPLES),
    },
    offerDestination: {
      name: 'offerDestination',
      title: "An offer's destination",
      contentType: 'application/json',
      payload: nullable(ref('schemas/OfferDestinationRecord'), 'the offer has no destination any more'),
      bindings: offerKey,
      ...examples(OFFER_DESTINATION_EXAMPLES),
    },
    replayLedgerEntry: {
      name: 'replayLedgerEntry',
      title: 'A replay ledger entry',
      contentType: 'application/json',
      payload: nullable(ref('schemas/ReplayLedgerEntry'), 'the dead letter may be replayed again'),
      bindings: kafkaKey({
        type: 'string',
        pattern: DEAD_LETTER_POSITION_PATTERN.source,
        description: "the dead letter's position, <dlq topic>/<partition>/<offset>",
      }),
      ...examples(REPLAY_LEDGER_EXAMPLES),
    },
    auditRecord: {
      name: 'auditRecord',
      title: 'An audit record',
      summary:
        'A configuration change, a replay or an unmasked view of personal data: who, when, which offer, versions and field names, a filter and a count; never a value.',
      contentType: 'application/json',
      payload: ref('schemas/AuditRecord'),
      bindings: kafkaKey({ type: 'string', description: 'the offer id, else the actor' }),
    },
    offerStatus: {
      name: 'offerStatus',
      title: "An offer's status counted from one input partition",
      summary:
        "Written by ingest's aggregators in the transaction that commits the input offset; a reader sums an offer's records (docs/kafka.md#offer-status).",
      contentType: 'application/json',
      payload: ref('schemas/OfferStatusRecord'),
      bindings: kafkaKey({
        type: 'string',
        pattern: OFFER_STATUS_KEY_PATTERN.source,
        description: '<offerId>|<input topic>|<input partition>: one writer per key, the owner of that input partition',
      }),
      ...examples(OFFER_STATUS_EXAMPLES),
    },
    quotaWait: {
      name: 'quotaWait',
      title: "An offer's leads a sink holds for a quota",
      summary:
        'Written by the sink instance that holds them when leads start or stop waiting; a tombstone once none wait. A record whose until has passed is stale.',
      contentType: 'application/json',
      payload: nullable(ref('schemas/QuotaWaitRecord'), 'no lead of the offer waits for this quota any more'),
      bindings: kafkaKey({
        type: 'string',
        pattern: QUOTA_WAIT_KEY_PATTERN.source,
        description: "<offerId>|<quota account> (the route-topic key: one sink instance holds an account's leads)",
      }),
      ...examples(QUOTA_WAIT_EXAMPLES),
    },
  };
}

/** What one topic carries, and who writes and reads it. */
interface TopicContract {
  readonly description: string;
  readonly messages: readonly string[];
  readonly writers: readonly string[];
  readonly readers: readonly Reader[];
}

const ingestStatus: Reader = {
  service: 'ingest',
  group: {
    pattern: '^leadflow-ingest-status-[0-9a-f]+$',
    description: 'leadflow-ingest-status-<random>: one per instance, from the beginning, never commits',
  },
};
const offerReader = (service: string): Reader => ({
  service,
  group: {
    pattern: '^.+-offers-[0-9a-f]+$',
    description: '<client id>-offers-<random>: every reader gets every partition, from the beginning, never commits',
  },
});
const notifier: Reader = { service: 'notifier', group: { const: 'leadflow-notifier' } };
const statusAggregator: Reader = { service: 'ingest', group: { const: 'leadflow-ingest-offer-status' } };
const leadctl: Reader = {
  service: 'leadctl',
  group: { pattern: '^.+$', description: 'a fresh group per read, never commits' },
};

/** The contract of a topic of the map; undefined for a topic this document does not describe yet. */
function topicContract(name: string, o: AsyncApiOptions): TopicContract | undefined {
  const sinks = o.sinks.map((s) => s.name);
  if (name === Topics.ingested)
    return {
      description:
        'Leads in: canonical from the API; any of the three input shapes from direct producers (docs/kafka.md#producing-straight-to-leadsingested); replayed dead letters. Read with read_committed.',
      messages: ['canonicalLeadInput', 'marketplaceLeadInput', 'legacyLeadInput'],
      writers: ['ingest', 'leadctl'],
      readers: [{ service: 'router', group: { const: 'leadflow-router' } }],
    };
  if (name === Topics.delivered)
    return {
      description: 'One receipt per delivered lead.',
      messages: ['deliveryReceipt'],
      writers: sinks,
      readers: [statusAggregator, notifier],
    };
  if (name === Topics.offerDestinations)
    return {
      description:
        'The source of truth for offer destinations: compacted, the latest record per offer wins, a tombstone removes it.',
      messages: ['offerDestination'],
      writers: ['ingest'],
      readers: ['ingest', 'router', ...sinks, 'notifier'].map(offerReader),
    };
  if (name === Topics.replayLedger)
    return {
      description: 'One entry per replayed dead letter, written in the same transaction as the replayed record.',
      messages: ['replayLedgerEntry'],
      writers: ['leadctl', 'ingest'],
      readers: [leadctl, { service: 'ingest', group: leadctl.group }],
    };
  if (name === Topics.offerStatus)
    return {
      description:
        'Offer status, compacted: per offer one record per input partition of leads.delivered and the dead-letter topics (offers × partitions records, whatever the number of leads). Read with read_committed.',
      messages: ['offerStatus'],
      writers: ['ingest'],
      readers: [ingestStatus],
    };
  if (name === Topics.quotaWaits)
    return {
      description:
        "Leads the sinks hold for a destination's quota (Web-to-Lead's daily limit, Marketo's daily quota), per offer and quota account, with when they will be sent; compacted.",
      messages: ['quotaWait'],
      writers: sinks,
      readers: [ingestStatus],
    };
  if (name === Topics.audit)
    return {
      description:
        'The audit trail: one record per configuration change, replay and unmasked view; kept without a time limit, never compacted.',
      messages: ['auditRecord'],
      writers: ['ingest', 'leadctl', 'console'],
      readers: [leadctl],
    };
  for (const type of DESTINATION_TYPES) {
    if (name === Topics.route(type))
      return {
        description: `Leads routed to offers whose destination type is ${type}.`,
        messages: ['routedLead'],
        writers: ['router'],
        readers: o.sinks
          .filter((s) => s.type === type)
          .map((s) => ({ service: s.name, group: { const: `leadflow-${s.name}` } })),
      };
  }
  for (const stage of ['router', ...DESTINATION_TYPES] as const) {
    if (name === Topics.dlq(stage))
      return {
        description: `Dead letters of the ${stage === 'router' ? 'router' : `${stage} sink`}.`,
        messages: [stage === 'router' ? 'routerDeadLetter' : 'sinkDeadLetter'],
        writers: stage === 'router' ? ['router'] : o.sinks.filter((s) => s.type === stage).map((s) => s.name),
        readers: [statusAggregator, leadctl, notifier],
      };
  }
  return undefined;
}

const channelId = (topic: string) => topic;

function kafkaChannel(spec: TopicSpec) {
  return {
    kafka: {
      topic: spec.name,
      partitions: spec.partitions,
      topicConfiguration: {
        'cleanup.policy': [spec.compacted ? 'compact' : 'delete'],
        ...(spec.retentionMs !== undefined
          ? { 'retention.ms': spec.retentionMs, ...(spec.retentionMs < 0 ? { 'retention.bytes': -1 } : {}) }
          : {}),
        ...(spec.segmentBytes !== undefined ? { 'segment.bytes': spec.segmentBytes } : {}),
      },
      bindingVersion: KAFKA_BINDING,
    },
  };
}

const messageRefs = (names: readonly string[]) => Object.fromEntries(names.map((m) => [m, ref(`messages/${m}`)]));

export function buildAsyncApiDocument(o: AsyncApiOptions): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const operationsOf = (id: string, c: TopicContract) => {
    const msgs = c.messages.map((m) => ({ $ref: `#/channels/${id}/messages/${m}` }));
    for (const w of c.writers)
      operations[`${w}.send.${id}`] = {
        action: 'send',
        channel: { $ref: `#/channels/${id}` },
        messages: msgs,
        summary: `${w} writes`,
      };
    for (const r of c.readers)
      operations[`${r.service}.receive.${id}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${id}` },
        messages: msgs,
        summary: `${r.service} reads`,
        bindings: {
          kafka: {
            groupId: { type: 'string', ...r.group },
            bindingVersion: KAFKA_BINDING,
          },
        },
      };
  };
  const topics = o.topics ?? TOPIC_SPECS;
  for (const spec of topics) {
    const id = channelId(spec.name);
    const c = topicContract(spec.name, o);
    channels[id] = {
      address: spec.name,
      title: spec.name,
      description: c?.description ?? 'Not described in this document yet: its value is given in docs/kafka.md.',
      messages: c ? messageRefs(c.messages) : { record: { name: 'record', payload: {} } },
      bindings: kafkaChannel(spec),
    };
    if (c) operationsOf(id, c);
  }
  const ownRoute = 'offerRouteTopics';
  const routeSpec = topics.find((s) => s.name === Topics.route('https'));
  channels[ownRoute] = {
    address: 'leads.route.{type}.{suffix}',
    title: 'leads.route.<type>.<suffix>',
    description:
      "An offer's own route topic (its destination's topicSuffix), read by the same sink as leads.route.<type>. The router creates it on first use with the partition count of leads.route.<type>.",
    parameters: {
      type: { enum: [...DESTINATION_TYPES], description: 'The destination type' },
      suffix: { description: `The destination's topicSuffix: ${ROUTE_SUFFIX_PATTERN.source}` },
    },
    messages: messageRefs(['routedLead']),
    bindings: {
      kafka: {
        partitions: routeSpec?.partitions ?? 6,
        topicConfiguration: { 'cleanup.policy': ['delete'] },
        bindingVersion: KAFKA_BINDING,
      },
    },
  };
  operationsOf(ownRoute, {
    description: '',
    messages: ['routedLead'],
    writers: ['router'],
    readers: o.sinks.map((s) => ({ service: s.name, group: { const: `leadflow-${s.name}` } })),
  });
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'leadflow Kafka contract',
      // The contract's version: v1 as the lead event type (`leadflow.lead.v1`); a breaking change is a v2.
      version: '1.0.0',
      description: [
        'Topics, keys, values and headers of leadflow (docs/kafka.md), generated from libs/lead-model by',
        '`node -r @swc-node/register tools/docs/src/generate-asyncapi.ts`. Lead records carry CloudEvents 1.0 in binary content mode (Kafka',
        'protocol binding: `ce_*` headers, the lead as the value) and the W3C `traceparent`. Keys are UTF-8',
        "strings, values UTF-8 JSON. Operations are leadflow's own services; a producer writing straight to",
        'leads.ingested sends what the router receives there.',
      ].join('\n'),
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The local stack (`./dev up`): one KRaft broker, topics at replication factor 1',
      },
    },
    channels,
    operations,
    components: { schemas: schemas(), messages: messages() },
  };
}
