import { parseDeadLetterHeaders, readHeaders, type Lead, type OfferDestinationRecord } from '@leadflow/lead-model';
import type { InboundRecord } from '../pipeline/outbound';
import { decodeLead } from './decode-lead';
import { planBatch } from './plan-batch';
import { route } from './route';
import { routerTopics } from './router-topics';

const topics = routerTopics();
const OFFER = 'contoso.crm-connector';

function lead(offerId = OFFER): Lead {
  return {
    leadId: 'lead-1',
    offerId,
    source: 'AzureMarketplace',
    action: 'Create',
    customer: { firstName: 'Ann', lastName: 'Lee', email: 'ann@contoso.example' },
    occurredAt: '2026-01-02T03:04:05Z',
    isTest: false,
    piiSuppressed: false,
  };
}

function offer(destination: Record<string, unknown> & { type: string }, version = 3): OfferDestinationRecord {
  return { offerId: OFFER, version, destination, updatedAt: '2026-01-01T00:00:00Z' };
}

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('route', () => {
  it('routes a lead to its destination type topic', () => {
    const d = route({ ok: true, lead: lead() }, offer({ type: 'https', url: 'https://x.example' }), topics);
    expect(d).toEqual({ kind: 'route', topic: 'leads.route.https', destinationType: 'https', destinationVersion: 3 });
  });

  it("routes to the offer's own topic when its destination names a suffix", () => {
    const d = route({ ok: true, lead: lead() }, offer({ type: 'dynamics', topicSuffix: 'noisy-publisher' }), topics);
    expect(d).toMatchObject({ kind: 'route', topic: 'leads.route.dynamics.noisy-publisher' });
  });

  it('honours a topic prefix', () => {
    const d = route({ ok: true, lead: lead() }, offer({ type: 'azure-table' }), routerTopics('t1-'));
    expect(d).toMatchObject({ topic: 't1-leads.route.azure-table' });
  });

  it('dead-letters a lead whose offer has no destination', () => {
    expect(route({ ok: true, lead: lead() }, undefined, topics)).toEqual({
      kind: 'dead-letter',
      errorClass: 'ROUTER.OFFER_NOT_CONFIGURED',
      message: `offer ${OFFER} has no destination configured`,
    });
  });

  it('dead-letters a lead whose offer is still set to the retired Azure Blob', () => {
    expect(
      route({ ok: true, lead: lead() }, offer({ type: 'azure-blob', connectionString: {} }, 7), topics),
    ).toMatchObject({
      kind: 'dead-letter',
      errorClass: 'ROUTER.DESTINATION_RETIRED',
      destinationVersion: 7,
    });
  });

  it('dead-letters a record that is not a lead as malformed', () => {
    expect(route({ ok: false, reason: 'the value is not JSON' }, undefined, topics)).toEqual({
      kind: 'dead-letter',
      errorClass: 'ROUTER.MALFORMED_EVENT',
      message: 'the value is not JSON',
    });
  });

  it('dead-letters an unknown destination type or an invalid suffix as internal', () => {
    expect(route({ ok: true, lead: lead() }, offer({ type: 'carrier-pigeon' }), topics)).toMatchObject({
      errorClass: 'INTERNAL.UNEXPECTED',
    });
    expect(route({ ok: true, lead: lead() }, offer({ type: 'https', topicSuffix: 'a/b' }), topics)).toMatchObject({
      errorClass: 'INTERNAL.UNEXPECTED',
    });
  });
});

describe('decodeLead', () => {
  it('reads a canonical lead', () => {
    expect(decodeLead(bytes(lead()))).toEqual({ ok: true, lead: lead() });
  });

  it('explains what is wrong without echoing values', () => {
    const bad = decodeLead(
      bytes({
        ...lead(),
        offerId: 'no dot here',
        customer: { firstName: 'Ann', lastName: 'Lee', email: 'not-an-email' },
      }),
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.reason).toContain('offerId');
    expect(bad.reason).toContain('customer.email');
    expect(bad.reason).not.toContain('not-an-email');
    expect(bad.reason).not.toContain('Ann');
    expect(decodeLead(Buffer.from('{oops'))).toEqual({ ok: false, reason: 'the value is not JSON' });
    expect(decodeLead(null)).toEqual({ ok: false, reason: 'the record has no value' });
  });
});

describe('planBatch', () => {
  const headers = {
    ce_id: Buffer.from('lead-1'),
    traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
  };
  const inbound = (value: Buffer | null, offset = '41'): InboundRecord => ({
    topic: 'leads.ingested',
    partition: 2,
    offset,
    key: Buffer.from(OFFER),
    value,
    headers,
  });
  const now = () => new Date('2026-02-03T04:05:06.000Z');

  it('keeps key, value bytes and headers of a routed lead', async () => {
    const value = bytes(lead());
    const [out] = await planBatch(
      [inbound(value)],
      { topics, lookup: () => offer({ type: 'marketo' }), now },
      async () => undefined,
    );
    expect(out?.topic).toBe('leads.route.marketo');
    expect(out?.key).toEqual(Buffer.from(OFFER));
    expect(out?.value).toBe(value);
    expect(out?.headers).toBe(headers);
  });

  it('dead-letters with the original bytes, original headers and the full dead-letter header set', async () => {
    const value = Buffer.from('{"not":"a lead"} \u00e9 trailing bytes kept');
    const [out] = await planBatch([inbound(value)], { topics, lookup: () => undefined, now }, async () => undefined);
    expect(out?.topic).toBe('leads.dlq.router');
    expect(out?.value).toBe(value);
    const h = readHeaders(out?.headers as Record<string, Buffer | string>);
    expect(h['ce_id']).toBe('lead-1');
    expect(h['traceparent']).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const info = parseDeadLetterHeaders(h);
    expect(info).toMatchObject({
      ok: true,
      value: {
        errorClass: 'ROUTER.MALFORMED_EVENT',
        category: 'data',
        originalTopic: 'leads.ingested',
        partition: 2,
        offset: '41',
        sink: 'router',
        attempts: 1,
        failedAt: '2026-02-03T04:05:06.000Z',
      },
    });
    expect(h['leadflow.destination.version']).toBeUndefined();
  });

  it('names the destination version of a retired destination', async () => {
    const [out] = await planBatch(
      [inbound(bytes(lead()))],
      { topics, lookup: () => offer({ type: 'azure-blob' }, 9), now },
      async () => undefined,
    );
    expect(readHeaders(out?.headers as Record<string, Buffer | string>)).toMatchObject({
      'leadflow.error.class': 'ROUTER.DESTINATION_RETIRED',
      'leadflow.error.category': 'configuration',
      'leadflow.destination.version': '9',
    });
  });

  it('re-reads the offer table once before dead-lettering an unconfigured offer', async () => {
    let table: OfferDestinationRecord | undefined;
    let syncs = 0;
    const sync = async () => {
      syncs += 1;
      table = offer({ type: 'salesforce' });
    };
    const out = await planBatch(
      [inbound(bytes(lead())), inbound(bytes(lead()), '42')],
      { topics, lookup: () => table, now },
      sync,
    );
    expect(syncs).toBe(1);
    expect(out.map((o) => o.topic)).toEqual(['leads.route.salesforce', 'leads.route.salesforce']);
  });

  it('does not touch the table when every offer is known', async () => {
    let syncs = 0;
    await planBatch(
      [inbound(bytes(lead()))],
      { topics, lookup: () => offer({ type: 'https' }), now },
      async () => void (syncs += 1),
    );
    expect(syncs).toBe(0);
  });

  it('dead-letters a record the router throws on as internal, and still plans the rest', async () => {
    let calls = 0;
    const lookup = () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
      return offer({ type: 'https' });
    };
    const out = await planBatch(
      [inbound(bytes(lead())), inbound(bytes(lead()), '42')],
      { topics, lookup, now },
      async () => undefined,
    );
    expect(out.map((o) => o.outcome)).toEqual([
      { kind: 'dead-letter', errorClass: 'INTERNAL.UNEXPECTED' },
      { kind: 'route', destinationType: 'https' },
    ]);
  });
});
