import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { Message } from 'kafkajs';
import { Headers, parseLead, Topics } from '@leadflow/lead-model';
import { createLogger } from '@leadflow/observability';
import { testKafka } from '@leadflow/testing';
import { createRouter, type Router } from '../router';
import {
  createRouterTestTopics,
  eventually,
  offerRecord,
  produce,
  publishOffers,
  readCreatedTopic,
  type TestTopics,
} from '../test/router-fixtures';

/**
 * The AsyncAPI document's examples against the real router: every example of every input shape on
 * leads.ingested is routed, and the original record of every router dead-letter example is dead-lettered
 * with the class, category and message the document states. Read from docs/asyncapi.yaml itself (a unit
 * test in tools/docs keeps the file equal to what libs/lead-model generates).
 */

interface Example {
  readonly name: string;
  readonly headers?: Record<string, string>;
  readonly payload: unknown;
}
interface DocMessage {
  readonly examples?: Example[];
  readonly 'x-example-keys'?: Record<string, string | null>;
}
interface KeyedExample extends Example {
  readonly key: string;
  readonly message: string;
}

const doc = parse(readFileSync(resolve(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi.yaml'), 'utf8')) as {
  channels: Record<string, { messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, DocMessage> };
};

function examplesOf(channel: string): KeyedExample[] {
  const refs = Object.values(doc.channels[channel]?.messages ?? {});
  return refs.flatMap(({ $ref }) => {
    const name = $ref.replace('#/components/messages/', '');
    const message = doc.components.messages[name];
    return (message?.examples ?? []).map((e) => {
      const key = message?.['x-example-keys']?.[e.name];
      if (typeof key !== 'string') throw new Error(`example ${e.name} has no key`);
      return { ...e, key, message: name };
    });
  });
}

/** The record value an example stands for: a string is the raw text of a value that is not JSON. */
const valueOf = (e: Example) => (typeof e.payload === 'string' ? e.payload : JSON.stringify(e.payload));

/** The lead id the router gives an example: the body's (any property case), else ce_id. */
function expectedLeadId(e: Example): string | undefined {
  const body = e.payload as Record<string, unknown>;
  const id = Object.entries(body).find(([k]) => ['leadid', 'lead_id'].includes(k.toLowerCase()))?.[1];
  return typeof id === 'string' ? id : e.headers?.[Headers.ceId];
}

const logger = createLogger({ service: 'router-int-test', level: 'silent' });

describe('docs/asyncapi.yaml examples through the real router', () => {
  const kafka = testKafka();
  const ingested = examplesOf(Topics.ingested);
  const deadLetters = examplesOf(Topics.dlq('router')).filter(
    (e) => e.headers?.[Headers.sink] === 'router' && e.headers[Headers.originalTopic] === Topics.ingested,
  );
  let t: TestTopics;
  let router: Router;

  beforeAll(async () => {
    t = await createRouterTestTopics(kafka);
    router = createRouter({ kafka, logger, topics: t.topics, groupId: `${t.prefix}router` });
    const offers = [...new Set(ingested.map((e) => e.key))];
    await publishOffers(
      kafka,
      t.topics.offers,
      offers.map((offerId) => offerRecord(offerId, 1, { type: 'https', url: 'https://hooks.contoso.example/leads' })),
    );
    await router.start();
    await eventually(() => router.health.snapshot().ready, 20_000, 'router ready');
  });
  afterAll(async () => {
    await router.stop();
    await t.cleanup();
  });

  it('has examples of each input shape and of each router dead-letter class it names', () => {
    expect(new Set(ingested.map((e) => e.message))).toEqual(
      new Set(['canonicalLeadInput', 'marketplaceLeadInput', 'legacyLeadInput']),
    );
    expect(new Set(deadLetters.map((e) => e.headers?.[Headers.errorClass]))).toEqual(
      new Set(['ROUTER.MALFORMED_EVENT', 'ROUTER.OFFER_NOT_CONFIGURED']),
    );
  });

  it('routes every input example and dead-letters every malformed one with the class the document says', async () => {
    const asProduced = (e: KeyedExample): Message => ({
      key: e.key,
      value: valueOf(e),
      // A dead-letter example's own headers are the original record's plus the dead-letter set: send the former.
      headers: Object.fromEntries(Object.entries(e.headers ?? {}).filter(([k]) => !k.startsWith('leadflow.'))),
    });
    await produce(kafka, t.topics.ingested, [...ingested, ...deadLetters].map(asProduced));

    const [routed, dlq] = await Promise.all([
      readCreatedTopic(kafka, t.topics.route('https'), { count: ingested.length, timeoutMs: 30_000, settleMs: 500 }),
      readCreatedTopic(kafka, t.topics.deadLetter, { count: deadLetters.length, timeoutMs: 30_000, settleMs: 500 }),
    ]);

    expect(routed).toHaveLength(ingested.length);
    for (const e of ingested) {
      const leadId = expectedLeadId(e);
      const got = routed.filter((r) => r.headers[Headers.ceId] === leadId);
      expect({ example: e.name, routed: got.length }).toEqual({ example: e.name, routed: 1 });
      const lead = parseLead(JSON.parse(got[0]?.value ?? 'null'));
      expect({ example: e.name, ok: lead.ok }).toEqual({ example: e.name, ok: true });
      if (lead.ok) expect(lead.value.offerId).toBe(e.key);
      expect(got[0]?.key).toBe(e.key);
    }
    // The routed-lead example is what the router writes for the lead ingest wrote.
    const routedExample = doc.components.messages['routedLead']?.examples?.[0];
    const fromIngest = routed.find((r) => r.headers[Headers.ceId] === routedExample?.headers?.[Headers.ceId]);
    expect(fromIngest?.headers).toEqual(routedExample?.headers);
    expect(JSON.parse(fromIngest?.value ?? 'null')).toEqual(routedExample?.payload);

    expect(dlq).toHaveLength(deadLetters.length);
    for (const e of deadLetters) {
      const got = dlq.filter((r) => r.value === valueOf(e));
      expect({ example: e.name, deadLettered: got.length }).toEqual({ example: e.name, deadLettered: 1 });
      const said = e.headers ?? {};
      expect({ example: e.name, key: got[0]?.key, ...pick(got[0]?.headers ?? {}) }).toEqual({
        example: e.name,
        key: e.key,
        ...pick(said),
      });
    }
  });
});

/** The dead-letter headers whose value the document states exactly (position and time are illustrative). */
function pick(h: Record<string, string>) {
  return {
    class: h[Headers.errorClass],
    category: h[Headers.errorCategory],
    message: h[Headers.errorMessage],
    remediation: h[Headers.errorRemediation],
    sink: h[Headers.sink],
    attempts: h[Headers.attempts],
    originalTopic: h[Headers.originalTopic]?.replace(/^.*leads\./, 'leads.'),
  };
}
