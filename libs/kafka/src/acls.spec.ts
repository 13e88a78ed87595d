import { AclOperationTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { DESTINATION_TYPES, Topics, type DestinationType } from '@leadflow/lead-model';
import { aclEntries, isAllowed, kafkaAclsCommands, leadflowPrincipals, type KafkaPrincipal } from './index';

// The sink catalog lives in libs/sink-runtime (which depends on this lib): its shape, restated for the test.
const SINKS = [
  { name: 'table-sink', type: 'azure-table' },
  { name: 'https-sink', type: 'https' },
  { name: 'marketo-sink', type: 'marketo' },
] as const;

const principals = leadflowPrincipals({ sinks: SINKS });
const principal = (name: string): KafkaPrincipal => {
  const p = principals.find((x) => x.name === name);
  if (!p) throw new Error(`no principal ${name}`);
  return p;
};
const topicOps = (p: KafkaPrincipal, topic: string) =>
  (['READ', 'WRITE', 'CREATE', 'DESCRIBE'] as const).filter((op) => isAllowed(p, 'TOPIC', topic, op));

describe('the leadflow ACL set', () => {
  it('lets a direct producer write leads.ingested and nothing else', () => {
    const producer = principal('producer');
    expect(topicOps(producer, Topics.ingested)).toEqual(['WRITE', 'DESCRIBE']);
    for (const t of [
      ...DESTINATION_TYPES.map((d) => Topics.route(d)),
      Topics.route('https', 'contoso'),
      Topics.delivered,
    ])
      expect(topicOps(producer, t)).toEqual([]);
    expect(producer.grants.every((g) => g.resource === 'TOPIC')).toBe(true);
  });

  it("gives each sink its own route topics (an offer's own included), never another type's", () => {
    for (const s of SINKS) {
      const sink = principal(s.name);
      expect(topicOps(sink, Topics.route(s.type))).toEqual(['READ', 'DESCRIBE']);
      expect(topicOps(sink, Topics.route(s.type, 'northwind'))).toEqual(['READ', 'DESCRIBE']);
      expect(topicOps(sink, Topics.delivered)).toEqual(['WRITE', 'DESCRIBE']);
      expect(topicOps(sink, Topics.dlq(s.type))).toEqual(['WRITE', 'DESCRIBE']);
      expect(topicOps(sink, Topics.offerDestinations)).toEqual(['READ', 'DESCRIBE']);
      expect(isAllowed(sink, 'GROUP', `leadflow-${s.name}`, 'READ')).toBe(true);
      for (const other of DESTINATION_TYPES.filter((d): d is DestinationType => d !== s.type)) {
        expect([other, topicOps(sink, Topics.route(other))]).toEqual([other, []]);
        expect([other, topicOps(sink, Topics.route(other, 'x'))]).toEqual([other, []]);
        expect([other, topicOps(sink, Topics.dlq(other))]).toEqual([other, []]);
      }
      expect(topicOps(sink, Topics.ingested)).toEqual([]);
      expect(isAllowed(sink, 'GROUP', 'leadflow-router', 'READ')).toBe(false);
    }
  });

  it('lets the router write and create every route topic and its dead letters, transactionally, and no receipts', () => {
    const router = principal('router');
    expect(topicOps(router, Topics.route('dynamics', 'northwind'))).toEqual(['WRITE', 'CREATE', 'DESCRIBE']);
    expect(topicOps(router, Topics.dlq('router'))).toEqual(['WRITE', 'DESCRIBE']);
    expect(topicOps(router, Topics.dlq('https'))).toEqual([]);
    expect(topicOps(router, Topics.delivered)).toEqual([]);
    expect(topicOps(router, Topics.ingested)).toEqual(['READ', 'DESCRIBE']);
    expect(isAllowed(router, 'TRANSACTIONAL_ID', 'leadflow-router-leads.ingested-3', 'WRITE')).toBe(true);
    expect(isAllowed(router, 'TRANSACTIONAL_ID', 'leads.replay.ledger.replayer', 'WRITE')).toBe(false);
  });

  it('gives the replay engine (ingest, leadctl, the console) one shared transactional id, so one replayer fences the other', () => {
    const holders = principals.filter((p) =>
      isAllowed(p, 'TRANSACTIONAL_ID', `${Topics.replayLedger}.replayer`, 'WRITE'),
    );
    expect(holders.map((p) => p.name).sort()).toEqual(['console', 'ingest', 'leadctl']);
    expect(topicOps(principal('leadctl'), Topics.dlq('https'))).toEqual(['READ', 'DESCRIBE']);
    expect(topicOps(principal('leadctl'), Topics.route('https'))).toEqual([]);
    // Its one-off readers delete their group when done.
    expect(isAllowed(principal('leadctl'), 'GROUP', 'leadctl-mxb3ubq0-3f8f9df5', 'DELETE')).toBe(true);
    expect(isAllowed(principal('leadctl'), 'GROUP', 'leadflow-router', 'DELETE')).toBe(false);
  });

  it('lets the topics one-shot create the topic map and KEDA only look at lag', () => {
    const topics = principal('topics');
    expect(topicOps(topics, Topics.ingested)).toEqual(['CREATE', 'DESCRIBE']);
    expect(topicOps(topics, Topics.route('https', 'contoso'))).toEqual([]);
    const keda = principal('keda');
    expect(topicOps(keda, Topics.route('marketo', 'x'))).toEqual(['DESCRIBE']);
    expect(isAllowed(keda, 'GROUP', 'leadflow-https-sink', 'DESCRIBE')).toBe(true);
    expect(isAllowed(keda, 'GROUP', 'leadflow-https-sink', 'READ')).toBe(false);
  });

  it('lets ingest count offer status: offers.status read and written under its own transactional ids only', () => {
    const ingest = principal('ingest');
    expect(topicOps(ingest, Topics.offerStatus)).toEqual(['READ', 'WRITE', 'DESCRIBE']);
    expect(isAllowed(ingest, 'TRANSACTIONAL_ID', 'leadflow-ingest-offer-status-leads.delivered-2', 'WRITE')).toBe(true);
    expect(isAllowed(ingest, 'TRANSACTIONAL_ID', 'leadflow-router-leads.ingested-0', 'WRITE')).toBe(false);
    expect(isAllowed(ingest, 'GROUP', 'leadflow-ingest-offer-status', 'READ')).toBe(true);
    for (const other of ['router', 'leadctl', 'console', 'https-sink'])
      expect([other, topicOps(principal(other), Topics.offerStatus)]).toEqual([other, []]);
    // The sinks write the leads they hold for a quota; ingest reads them.
    expect(topicOps(ingest, Topics.quotaWaits)).toEqual(['READ', 'DESCRIBE']);
    expect(topicOps(principal('marketo-sink'), Topics.quotaWaits)).toEqual(['WRITE', 'DESCRIBE']);
  });

  it('keeps a prefixed deployment inside its prefix (ingest groups and transactional ids, which carry no prefix, aside)', () => {
    const prefixed = leadflowPrincipals({ sinks: SINKS, prefix: 't1.' });
    for (const p of prefixed)
      for (const g of p.grants)
        if (!(p.name === 'ingest' && (g.resource === 'GROUP' || g.name === 'leadflow-ingest-offer-status')))
          expect([p.name, g.name]).toEqual([p.name, expect.stringMatching(/^t1\./)]);
  });

  it('turns each grant into one kafkajs entry per operation and one kafka-acls.sh command', () => {
    const router = principal('router');
    const entries = aclEntries([router]);
    expect(entries).toHaveLength(router.grants.reduce((n, g) => n + g.operations.length, 0));
    expect(entries).toContainEqual(
      expect.objectContaining({
        principal: 'User:router',
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'leads.route.',
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        operation: AclOperationTypes.CREATE,
      }),
    );
    const commands = kafkaAclsCommands([router], { bootstrap: 'kafka:9093' });
    expect(commands).toHaveLength(router.grants.length);
    expect(commands).toContain(
      'kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties --add --allow-principal User:router --operation Write --operation Create --topic leads.route. --resource-pattern-type prefixed',
    );
  });
});
