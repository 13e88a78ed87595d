import { randomUUID } from 'node:crypto';
import { readAuditTrail } from '@leadflow/audit';
import {
  deadLetterHeaders,
  DLQ_STAGES,
  leadCloudEventHeaders,
  Topics,
  type AuditRecord,
  type Lead,
} from '@leadflow/lead-model';
import { createTestTopics, testBrokers, testKafka, uniqueName } from '@leadflow/testing';
import { ExitCode } from './exit-codes';
import { leadctl } from './test/services';

const OFFER = 'tailspin.audit';
const OTHER = 'contoso.audit';

function lead(offerId: string, n: number): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    customer: {
      firstName: `Quinn${n}`,
      lastName: 'Privately',
      email: `quinn${n}@tailspin.example`,
      phone: '+1 425 555 0142',
    },
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

/**
 * leadctl's side of the audit trail on a real broker: each replay and each unmasked view leaves exactly one record
 * (written before anything is shown), masked views and dry runs none, no record holds personal data, and
 * `leadctl audit list` filters by offer, actor and time.
 */
describe('leadctl and the audit trail', () => {
  const kafka = testKafka();
  const prefix = `${uniqueName('lca')}.`;
  const env = { KAFKA_BROKERS: testBrokers().join(','), LEADFLOW_TOPIC_PREFIX: prefix, LEADFLOW_REPLAY_BY: 'kim@test' };
  const topic = (name: string) => `${prefix}${name}`;
  const leads = [lead(OFFER, 1), lead(OFFER, 2), lead(OTHER, 3)];
  let drop: () => Promise<void>;

  beforeAll(async () => {
    drop = await createTestTopics(
      kafka,
      [
        topic(Topics.ingested),
        topic(Topics.replayLedger),
        topic(Topics.audit),
        ...DLQ_STAGES.map((s) => topic(Topics.dlq(s))),
      ],
      1,
    );
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: topic(Topics.dlq('https')),
      acks: -1,
      messages: leads.map((l, i) => ({
        key: l.offerId,
        value: JSON.stringify(l),
        headers: deadLetterHeaders({
          original: leadCloudEventHeaders(l, { source: '/test' }),
          errorClass: 'HTTPS.ENDPOINT_REJECTED',
          category: 'configuration',
          message: 'the endpoint answered 404',
          originalTopic: topic(Topics.route('https')),
          partition: 0,
          offset: String(i),
          sink: 'https-sink',
          attempts: 1,
          failedAt: new Date(),
          destinationVersion: 1,
        }),
      })),
    });
    await producer.disconnect();
  }, 60_000);
  afterAll(() => drop());

  const trail = async (): Promise<AuditRecord[]> =>
    (await readAuditTrail(kafka, topic(Topics.audit), {}, { groupPrefix: uniqueName('lca-read') })).records;

  const after = async (argv: string[], expectCode = ExitCode.ok) => {
    const before = (await trail()).length;
    const run = await leadctl(argv, env);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: expectCode, stderr: '' });
    return { run, added: (await trail()).slice(before) };
  };

  it('records each unmasked view once, and no masked one', async () => {
    expect((await after(['dlq', 'list', '--offer', OFFER, '--json'])).added).toEqual([]);
    const list = await after(['dlq', 'list', '--offer', OFFER, '--json', '--show-pii']);
    expect(list.run.stdout).toContain('quinn1@tailspin.example');
    expect(list.added).toHaveLength(1);
    expect(list.added[0]).toMatchObject({
      actor: 'kim@test',
      action: 'pii.reveal',
      reveal: { command: 'dlq list', filter: { offers: [OFFER] }, count: 2 },
    });
    const show = await after(['dlq', 'show', leads[2]?.leadId ?? '', '--show-pii', '--by', 'lee@test']);
    expect(show.added.map((r) => [r.actor, r.reveal?.command, r.reveal?.count])).toEqual([['lee@test', 'dlq show', 1]]);
  });

  it('records each replay once with its filter and count, and no dry run', async () => {
    expect((await after(['dlq', 'replay', '--offer', OFFER, '--dry-run', '--json'])).added).toEqual([]);
    const replay = await after(['dlq', 'replay', '--offer', OFFER, '--json']);
    expect(replay.added).toHaveLength(1);
    expect(replay.added[0]).toMatchObject({
      actor: 'kim@test',
      action: 'deadletters.replay',
      replay: { filter: { offers: [OFFER] }, count: 2, auto: false },
    });
    // Again: nothing left to replay, and the attempt is on record with its count.
    const again = await after(['dlq', 'replay', '--offer', OFFER, '--json']);
    expect(again.added.map((r) => r.replay?.count)).toEqual([0]);
  });

  it('lists the trail by offer, actor and time, and no record holds personal data', async () => {
    const all = await trail();
    const text = JSON.stringify(all);
    for (const l of leads) {
      expect(text).not.toContain(l.customer.email);
      expect(text).not.toContain(l.customer.firstName);
    }
    const byOffer = await leadctl(['audit', 'list', '--offer', OFFER, '--json'], env);
    expect(byOffer.json<AuditRecord>().map((r) => r.action)).toEqual([
      'pii.reveal',
      'deadletters.replay',
      'deadletters.replay',
    ]);
    const byActor = await leadctl(['audit', 'list', '--actor', 'lee@test', '--json'], env);
    expect(byActor.json<AuditRecord>().map((r) => r.reveal?.command)).toEqual(['dlq show']);
    const table = await leadctl(['audit', 'list', '--since', '1h'], env);
    expect(table.stdout).toContain(`${all.length} record(s)`);
    expect((await leadctl(['audit', 'list', '--since', '2099-01-01T00:00:00Z'], env)).code).toBe(
      ExitCode.nothingMatched,
    );
    expect((await leadctl(['audit', 'list', '--since', 'yesterday'], env)).code).toBe(ExitCode.usage);
  });
});
