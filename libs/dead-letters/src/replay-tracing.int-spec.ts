import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createProducer, headersToStrings } from '@leadflow/kafka';
import { deadLetterHeaders, Headers, leadCloudEventHeaders } from '@leadflow/lead-model';
import { testLead } from '@leadflow/sink-testing';
import { createTestTopics, testKafka, uniqueName } from '@leadflow/testing';
import { DeadLetterStore } from './dead-letter-store';
import { deadLetterTopics, REPLAY_LEDGER_PARTITIONS } from './dead-letter-topics';
import { readToEnd } from './topic-reader';

const N = 3;
const hex = (bytes: number, n: number) => n.toString(16).padStart(bytes * 2, '0');

/**
 * A replay run's spans, on a real broker with an in-memory exporter: the run is one span; each replayed lead's
 * `send leads.ingested` continues its dead letter's trace (parent: the span its `traceparent` names) and links to
 * the run; the record it publishes carries that send span's context.
 */
describe('DeadLetterStore replay traces', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const kafka = testKafka();
  const prefix = `${uniqueName('dlt')}.`;
  const topics = deadLetterTopics(prefix);
  const dlq = topics.deadLetters['https'] ?? '';
  const traced = Array.from({ length: N }, (_, n) => ({
    lead: testLead('contoso.crm'),
    traceId: hex(16, 0xabc000 + n),
    spanId: hex(8, 0xdef000 + n),
  }));
  let drop: () => Promise<void>;

  beforeAll(async () => {
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const dropIngested = await createTestTopics(kafka, [topics.ingested], 1);
    const dropLedger = await createTestTopics(kafka, [topics.ledger], REPLAY_LEDGER_PARTITIONS);
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
      messages: traced.map((t, n) => ({
        key: t.lead.offerId,
        value: JSON.stringify(t.lead),
        headers: deadLetterHeaders({
          original: leadCloudEventHeaders(t.lead, {
            source: '/test',
            traceparent: `00-${t.traceId}-${t.spanId}-01`,
          }),
          errorClass: 'HTTPS.ENDPOINT_REJECTED',
          category: 'configuration',
          message: 'the endpoint answered 401',
          originalTopic: `${prefix}leads.route.https`,
          partition: 0,
          offset: String(n),
          sink: 'https-sink',
          attempts: 1,
          failedAt: new Date(),
          destinationVersion: 1,
        }),
      })),
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    await drop?.();
    await provider.shutdown();
    trace.disable();
    propagation.disable();
  });

  it("makes the run one span, and each lead's send a child of its dead letter linked to the run", async () => {
    const store = new DeadLetterStore({ kafka, topics, groupPrefix: uniqueName('dlt-read') });
    const report = await store.replay({}, { by: 'analyst@test' });
    expect(report.replayed).toBe(N);

    const spans = exporter.getFinishedSpans();
    const runs = spans.filter((s) => s.name === 'replay dead letters');
    expect(runs).toHaveLength(1);
    const run = runs[0] as (typeof spans)[number];
    expect(run.attributes).toMatchObject({ 'leadflow.replay.count': N, 'leadflow.replay.matched': N });
    expect(run.parentSpanContext).toBeUndefined();

    // The replay's transaction is committed, but its commit markers reach the partition a moment later: until then
    // the last stable offset (readToEnd's end) stops before its records. Read again until they are there.
    const published = new Map<string, string>();
    const deadline = Date.now() + 15_000;
    while (published.size < N && Date.now() < deadline) {
      await readToEnd(
        kafka,
        [topics.ingested],
        (_t, _p, m) => {
          const h = headersToStrings(m.headers);
          published.set(h[Headers.ceId] ?? '', h[Headers.traceparent] ?? '');
        },
        { groupPrefix: uniqueName('dlt-check') },
      );
      if (published.size < N) await new Promise((r) => setTimeout(r, 100));
    }
    for (const t of traced) {
      const sends = spans.filter(
        (s) => s.name === `send ${topics.ingested}` && s.attributes['leadflow.lead.id'] === t.lead.leadId,
      );
      expect(sends).toHaveLength(1);
      const send = sends[0] as (typeof spans)[number];
      expect(send.spanContext().traceId).toBe(t.traceId);
      expect(send.parentSpanContext?.spanId).toBe(t.spanId);
      expect(send.links.map((l) => l.context.spanId)).toEqual([run.spanContext().spanId]);
      expect(published.get(t.lead.leadId)).toBe(`00-${t.traceId}-${send.spanContext().spanId}-01`);
    }
  });
});
