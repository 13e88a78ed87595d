import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { buildAsyncApiDocument, Headers, quotaAccount, TOPIC_SPECS } from '@leadflow/lead-model';
import { SINK_SERVICES } from '@leadflow/sink-runtime';
import { ASYNCAPI_DOC_PATH, ASYNCAPI_REGENERATE_COMMAND, renderAsyncApi } from './asyncapi-doc';
import { firstDifference } from './catalog-doc';

const text = readFileSync(ASYNCAPI_DOC_PATH, 'utf8');

describe('docs/asyncapi.yaml', () => {
  it('is what the generator renders from libs/lead-model now', () => {
    const diff = firstDifference(text, renderAsyncApi());
    if (diff) {
      throw new Error(
        [
          `docs/asyncapi.yaml differs from what libs/lead-model generates at line ${diff.line}.`,
          `Regenerate it with \`${ASYNCAPI_REGENERATE_COMMAND}\` and commit the result.`,
          `  in the file: ${diff.actual ?? '(end of file)'}`,
          `  generated:   ${diff.expected ?? '(end of file)'}`,
        ].join('\n'),
      );
    }
  });

  it('parses and validates with @asyncapi/parser, without errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    const channels = document?.channels().all() ?? [];
    // Every topic of the map, with its partition count and cleanup policy as Kafka bindings.
    for (const spec of TOPIC_SPECS) {
      const channel = channels.find((c) => c.address() === spec.name);
      expect({ topic: spec.name, found: !!channel }).toEqual({ topic: spec.name, found: true });
      const kafka = channel?.bindings().get('kafka')?.value() as Record<string, unknown> | undefined;
      expect(kafka).toMatchObject({
        partitions: spec.partitions,
        topicConfiguration: { 'cleanup.policy': [spec.compacted ? 'compact' : 'delete'] },
      });
    }
    expect(channels.some((c) => c.address() === 'leads.route.{type}.{suffix}')).toBe(true);
    // Each sink reads its route topics in its own consumer group.
    for (const sink of SINK_SERVICES) {
      const op = document?.operations().get(`${sink.name}.receive.leads.route.${sink.type}`);
      expect(op?.action()).toBe('receive');
      expect(op?.bindings().get('kafka')?.value()).toMatchObject({ groupId: { const: `leadflow-${sink.name}` } });
    }
    expect(document?.operations().get('router.receive.leads.ingested')?.bindings().get('kafka')?.value()).toMatchObject(
      { groupId: { const: 'leadflow-router' } },
    );
  }, 30_000);

  it('states the CloudEvents, traceparent and dead-letter headers by their lead-model names', () => {
    const doc = parse(text) as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    const ce = Object.keys(doc.components.schemas['LeadCloudEventHeaders']?.properties ?? {});
    expect(ce).toEqual(
      expect.arrayContaining([
        Headers.ceSpecVersion,
        Headers.ceId,
        Headers.ceSource,
        Headers.ceType,
        Headers.ceTime,
        Headers.contentType,
        Headers.traceparent,
      ]),
    );
    const dl = Object.keys(doc.components.schemas['DeadLetterHeaders']?.properties ?? {});
    const deadLetterNames = Object.values(Headers).filter(
      (h) => h.startsWith('leadflow.') && !h.startsWith('leadflow.replay.'),
    );
    expect(dl.sort()).toEqual([...deadLetterNames].sort());
  });
});

describe('buildAsyncApiDocument', () => {
  it('derives its channels from the topic map: a topic added there appears, with its bindings', () => {
    const topics = [...TOPIC_SPECS, { name: 'leads.audit', partitions: 12, compacted: true }];
    const doc = buildAsyncApiDocument({ sinks: SINK_SERVICES, topics }) as {
      channels: Record<string, { address: string; bindings: { kafka: Record<string, unknown> } }>;
    };
    expect(Object.values(doc.channels).map((c) => c.address)).toEqual(
      expect.arrayContaining([...topics.map((t) => t.name)]),
    );
    expect(doc.channels['leads.audit']?.bindings.kafka).toMatchObject({
      topic: 'leads.audit',
      partitions: 12,
      topicConfiguration: { 'cleanup.policy': ['compact'] },
    });
  });

  it("states the route topics' key: the quota account when the destination has one, else the offer id", () => {
    const doc = buildAsyncApiDocument({ sinks: SINK_SERVICES }) as {
      components: { messages: Record<string, { bindings: { kafka: { key: { anyOf: { pattern?: string }[] } } } }> };
    };
    const key = doc.components.messages['routedLead']?.bindings.kafka.key;
    const accountPattern = new RegExp(key?.anyOf.find((k) => k.pattern)?.pattern ?? '(?!)');
    const accounts = [
      quotaAccount({ type: 'marketo', munchkinId: '987-xyz-321', clientId: 'c' } as { type: string }),
      quotaAccount({ type: 'salesforce', mode: 'web-to-lead', orgId: '00D000000000001' } as { type: string }),
      quotaAccount({
        type: 'dynamics',
        url: 'https://a.crm.dynamics.com',
        auth: { kind: 'office365', username: 'u@a.example' },
      } as { type: string }),
    ];
    for (const account of accounts) expect(account !== undefined && accountPattern.test(account)).toBe(true);
    expect(accountPattern.test('contoso.crm-connector')).toBe(false);
  });

  it('renders the same text twice (the drift check depends on it)', () => {
    expect(renderAsyncApi()).toBe(renderAsyncApi());
  });
});
