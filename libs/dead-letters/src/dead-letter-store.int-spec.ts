import { createProducer, headersToStrings } from '@leadflow/kafka';
import { deadLetterHeaders, leadCloudEventHeaders } from '@leadflow/lead-model';
import { testLead } from '@leadflow/sink-testing';
import { createTestTopics, testKafka, uniqueName } from '@leadflow/testing';
import { DeadLetterStore, ReplayFencedError } from './dead-letter-store';
import { deadLetterTopics, REPLAY_LEDGER_PARTITIONS, ReplayHeaders } from './dead-letter-topics';
import { readToEnd } from './topic-reader';

const M = 60;

/**
 * Two analysts replaying the same dead letters at once, against a real broker: replays share one transactional id,
 * so the second fences the first (which stops with ReplayFencedError) and reads the ledger only after that, and
 * between them every dead letter is published exactly once.
 */
describe('DeadLetterStore replays on a real broker', () => {
  const kafka = testKafka();
  const prefix = `${uniqueName('dls')}.`;
  const topics = deadLetterTopics(prefix);
  const dlq = topics.deadLetters['azure-table'] ?? '';
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const dropIngested = await createTestTopics(kafka, [topics.ingested], 3);
    const dropLedger = await createTestTopics(kafka, [topics.ledger], REPLAY_LEDGER_PARTITIONS);
    // Every stage's topic: a replay reads them all.
    const dropDlq = await createTestTopics(
      kafka,
      Object.values(topics.deadLetters).filter((t): t is string => t !== undefined),
      1,
    );
    drop = async () => {
      await dropIngested();
      await dropLedger();
      await dropDlq();
    };
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: dlq,
      acks: -1,
      messages: Array.from({ length: M }, (_, n) => {
        const l = testLead('fabrikam.suite');
        return {
          key: l.offerId,
          value: JSON.stringify(l),
          headers: deadLetterHeaders({
            original: leadCloudEventHeaders(l, { source: '/test' }),
            errorClass: 'TABLE.AUTH_FAILED',
            category: 'configuration',
            message: 'the account key was rotated',
            originalTopic: `${prefix}leads.route.azure-table`,
            partition: 0,
            offset: String(n),
            sink: 'table-sink',
            attempts: 1,
            failedAt: new Date(),
            destinationVersion: 1,
          }),
        };
      }),
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    await drop?.();
  });

  it('lets one replay run at a time: a second fences the first, and together they publish each dead letter once', async () => {
    const store = () => new DeadLetterStore({ kafka, topics, groupPrefix: uniqueName('dls-read') });
    // The first replays slowly (10 leads a second, one transaction each); the second starts while it runs.
    let firstDone = 0;
    const first = store()
      .replay({}, { by: 'first@test', rate: 10, onProgress: (p) => (firstDone = p.done) })
      .then(
        (report) => ({ report, error: undefined }),
        (error: unknown) => ({ report: undefined, error }),
      );
    const started = Date.now();
    let settled = false;
    void first.then(() => (settled = true));
    while (firstDone < 10 && !settled && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
    expect({ firstDone, outcome: settled ? await first : undefined }).toMatchObject({ firstDone: 10 });
    const second = await store().replay({}, { by: 'second@test' });
    const firstOutcome = await first;

    expect(firstOutcome.error).toBeInstanceOf(ReplayFencedError);
    const byFirst = (firstOutcome.error as ReplayFencedError).replayed;
    expect(byFirst).toBeGreaterThanOrEqual(10);
    expect(byFirst).toBeLessThan(M);
    expect(second.replayed).toBe(M - byFirst);
    expect(second.alreadyReplayed).toBe(byFirst);

    // On leads.ingested (read_committed): every dead letter's lead exactly once, by whichever replay published it.
    // The last replay's commit markers reach the partition a moment after its commit, and readToEnd stops at the last
    // stable offset: read again until every lead is there (a duplicate still shows as more than M).
    let replays: { leadId: string; by: string }[] = [];
    for (const deadline = Date.now() + 15_000; replays.length < M && Date.now() < deadline;) {
      const read: { leadId: string; by: string }[] = [];
      await readToEnd(
        kafka,
        [topics.ingested],
        (_t, _p, m) => {
          const h = headersToStrings(m.headers);
          read.push({ leadId: h['ce_id'] ?? '', by: h[ReplayHeaders.by] ?? '' });
        },
        { groupPrefix: uniqueName('dls-check') },
      );
      replays = read;
      if (replays.length < M) await new Promise((r) => setTimeout(r, 100));
    }
    expect(replays).toHaveLength(M);
    expect(new Set(replays.map((r) => r.leadId)).size).toBe(M);
    expect(replays.filter((r) => r.by === 'first@test')).toHaveLength(byFirst);

    const again = await store().replay({}, { by: 'third@test' });
    expect(again).toMatchObject({ matched: M, alreadyReplayed: M, replayed: 0 });
  }, 60_000);
});
