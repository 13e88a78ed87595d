import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { Headers, type Lead } from '@leadflow/lead-model';
import { createLogger } from '@leadflow/observability';
import { createTestTopics, readTopic, testKafka, uniqueName } from '@leadflow/testing';
import { leadMessage } from '../leads/lead-message';
import { LeadPublisher } from './lead-publisher';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const REQUEST_SPAN = 'b7ad6b7169203331';

const lead = (i: number): Lead => ({
  leadId: `trace-lead-${i}`,
  offerId: 'contoso.crm',
  source: 'AzureMarketplace',
  action: 'INS',
  customer: { firstName: 'A', lastName: 'B', email: `a${i}@contoso.com` },
  occurredAt: '2026-12-06T06:00:00.000Z',
  isTest: false,
  piiSuppressed: false,
});

/**
 * A batch's `send leads.ingested` spans on a real broker: each lead has its own when the sampler records them, and
 * when it drops them the batch makes one and every record carries its (unrecorded, same trace) context.
 */
describe('LeadPublisher.publishAll trace contexts', () => {
  const kafka = testKafka();
  const topic = uniqueName('ingest-tracing');
  const logger = createLogger({ service: 'ingest-test', level: 'warn' });
  let drop: () => Promise<void>;

  beforeAll(async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    drop = await createTestTopics(kafka, [topic], 1);
  });

  afterAll(async () => {
    trace.disable();
    await drop?.();
  });

  async function publishBatch(sampler: Sampler, first: number, sampled: boolean) {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    trace.disable();
    trace.setGlobalTracerProvider(provider);
    const publisher = new LeadPublisher({ kafka, topic, logger, lingerMs: 1, maxBatch: 100 });
    await publisher.start();
    const request = `00-${TRACE_ID}-${REQUEST_SPAN}-${sampled ? '01' : '00'}`;
    const leads = [0, 1, 2].map((i) => lead(first + i));
    try {
      await publisher.publishAll(leads.map((l) => leadMessage(l, request)));
    } finally {
      await publisher.close();
    }
    const records = (await readTopic(kafka, topic, { count: first + 3 })).filter((r) =>
      leads.some((l) => l.leadId === r.headers[Headers.ceId]),
    );
    // Read before shutting the provider down: shutting the exporter down forgets them.
    const spans = exporter.getFinishedSpans();
    await provider.shutdown();
    return { spans, records, leads };
  }

  it('records one send span per lead, each record carrying its own', async () => {
    const { spans, records, leads } = await publishBatch(new AlwaysOnSampler(), 0, true);
    expect(spans.map((s) => s.attributes['leadflow.lead.id']).sort()).toEqual(leads.map((l) => l.leadId));
    expect(records).toHaveLength(3);
    for (const span of spans) {
      expect(span.name).toBe(`send ${topic}`);
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe(REQUEST_SPAN);
      const record = records.find((r) => r.headers[Headers.ceId] === span.attributes['leadflow.lead.id']);
      expect(record?.headers[Headers.traceparent]).toBe(`00-${TRACE_ID}-${span.spanContext().spanId}-01`);
    }
  });

  it('when the sampler drops the batch, records nothing and gives every record one unsampled context of the trace', async () => {
    const { spans, records } = await publishBatch(new AlwaysOffSampler(), 3, true);
    expect(spans).toEqual([]);
    expect(records).toHaveLength(3);
    const contexts = new Set(records.map((r) => r.headers[Headers.traceparent]));
    expect(contexts.size).toBe(1);
    const [context] = [...contexts];
    expect(context).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(context).not.toContain(REQUEST_SPAN);
  });
});
