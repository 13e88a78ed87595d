import {
  parseDeadLetterHeaders,
  parseLeadInput,
  readHeaders,
  type Lead,
  type OfferDestinationRecord,
} from '@leadflow/lead-model';
import type { InboundRecord } from './records';
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

const NOW = new Date('2026-03-04T05:06:07.000Z');
const at = (value: Buffer | null, headers: Record<string, string> = {}, key: string | null = OFFER) => ({
  topic: 'leads.ingested',
  partition: 1,
  offset: '7',
  key: key === null ? null : Buffer.from(key),
  value,
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
});
const ceHeaders = (l: Lead) => ({
  ce_specversion: '1.0',
  ce_id: l.leadId,
  ce_source: '/leadflow/ingest',
  ce_type: 'leadflow.lead.v1',
  ce_time: l.occurredAt,
  'content-type': 'application/json',
});

describe('decodeLead', () => {
  it('takes a canonical lead with its CloudEvents headers as it is (no rewrite)', () => {
    expect(decodeLead(at(bytes(lead()), ceHeaders(lead())), NOW)).toEqual({ ok: true, lead: lead() });
  });

  it('explains what is wrong without echoing customer values', () => {
    const bad = decodeLead(
      at(
        bytes({
          ...lead(),
          offerId: 'no dot here',
          customer: { firstName: 'Ann', lastName: 'Lee', email: 'not-an-email' },
        }),
      ),
      NOW,
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.reason).toContain('offerId');
    expect(bad.reason).toContain('customer.email');
    expect(bad.reason).not.toContain('not-an-email');
    expect(bad.reason).not.toContain('Ann');
    expect(decodeLead(at(Buffer.from('{oops')), NOW)).toEqual({ ok: false, reason: 'the value is not JSON' });
    expect(decodeLead(at(null), NOW)).toEqual({ ok: false, reason: 'the record has no value' });
  });

  it('accepts the marketplace HTTPS body, with ce_id as lead id, ce_time as occurredAt and the key as offer', () => {
    const body = {
      UserDetails: { FirstName: 'Some', LastName: 'One', Email: 'someone@contoso.com', Company: 'Contoso' },
      LeadSource: 'AzureMarketplace',
      ActionCode: 'INS',
      OfferTitle: 'Test Microsoft',
    };
    const r = decodeLead(at(bytes(body), { ce_id: 'evt-42', ce_time: '2026-01-02T03:04:05Z' }), NOW);
    expect(r).toMatchObject({
      ok: true,
      lead: {
        leadId: 'evt-42',
        offerId: OFFER,
        source: 'AzureMarketplace',
        action: 'INS',
        occurredAt: '2026-01-02T03:04:05.000Z',
        customer: { firstName: 'Some', email: 'someone@contoso.com' },
        isTest: false,
        piiSuppressed: false,
      },
    });
    if (!r.ok) return;
    expect(JSON.parse(r.rewrite?.value.toString() ?? '{}')).toEqual(r.lead);
    expect(r.rewrite?.headers).toMatchObject({ ce_id: 'evt-42', ce_specversion: '1.0', ce_type: 'leadflow.lead.v1' });
  });

  it('accepts the legacy flat form; without ce_id or ce_time the id comes from the record position, the time from the clock', () => {
    const body = {
      first_name: 'Dana',
      last_name: 'Reyes',
      email: 'dana@fabrikam.example',
      lead_source: 'SPZA-PLT|fabrikam.suite',
    };
    const a = decodeLead(at(bytes(body), {}, null), NOW);
    const b = decodeLead(at(bytes(body), {}, null), NOW);
    expect(a).toMatchObject({
      ok: true,
      lead: { offerId: 'fabrikam.suite', source: 'AppSource', action: 'PLT', occurredAt: NOW.toISOString() },
    });
    expect(a.ok && b.ok && a.lead.leadId === b.lead.leadId).toBe(true);
    expect(a.ok && /^[0-9a-f-]{36}$/.test(a.lead.leadId)).toBe(true);
  });

  it('accepts a canonical body without isTest and piiSuppressed (as POST /v1/leads does)', () => {
    const { isTest: _t, piiSuppressed: _p, leadId: _l, ...body } = lead();
    const r = decodeLead(at(bytes(body), { ce_id: 'c-1' }), NOW);
    expect(r).toMatchObject({ ok: true, lead: { leadId: 'c-1', isTest: false, piiSuppressed: false } });
  });

  it("removes a .edu customer's names, e-mail and phone before routing", () => {
    const edu = {
      ...lead(),
      customer: { firstName: 'Ann', lastName: 'Lee', email: 'ann@uni.edu', phone: '555', company: 'Uni' },
    };
    const r = decodeLead(at(bytes(edu), ceHeaders(edu)), NOW);
    expect(r).toMatchObject({
      ok: true,
      lead: { piiSuppressed: true, customer: { firstName: '', lastName: '', email: '', company: 'Uni' } },
    });
    if (!r.ok) return;
    const text = r.rewrite?.value.toString() ?? '';
    expect(text).not.toContain('Ann');
    expect(text).not.toContain('ann@uni.edu');
    expect(text).not.toContain('555');
  });

  it('refuses what the HTTP API refuses, with the same field paths and messages', () => {
    const body = { UserDetails: { FirstName: 'X', Email: 'nope' }, LeadSource: 'Nowhere-INS' };
    const r = decodeLead(at(bytes(body), {}, null), NOW);
    const api = parseLeadInput(body, { now: NOW, newLeadId: () => 'x' });
    expect(r.ok).toBe(false);
    expect(api.ok).toBe(false);
    if (r.ok || api.ok) return;
    expect(api.issues.length).toBeGreaterThan(1);
    expect(r.reason).toBe(`not a valid lead: ${api.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    expect(r.reason).toContain("LeadSource: unknown source 'Nowhere'");
  });

  it('names ce_id when the lead id taken from it is invalid', () => {
    const { leadId: _l, isTest: _t, ...body } = lead();
    const r = decodeLead(at(bytes(body), { ce_id: 'has spaces in it' }), NOW);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/ce_id: must be letters/);
  });
});

describe('planBatch', () => {
  const headers = {
    ...Object.fromEntries(Object.entries(ceHeaders(lead())).map(([k, v]) => [k, Buffer.from(v)])),
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

  it("keys a routed lead by its destination's quota account, bytes and headers kept", async () => {
    const value = bytes(lead());
    const [out] = await planBatch(
      [inbound(value)],
      { topics, lookup: () => offer({ type: 'marketo', munchkinId: '123-ABC-456' }), now },
      async () => undefined,
    );
    expect(out?.key).toEqual(Buffer.from('marketo:123-ABC-456'));
    expect(out?.value).toBe(value);
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

describe('route keys', () => {
  const marketo = { type: 'marketo', munchkinId: '123-abc-456', clientId: 'c', clientSecret: 'sealed' };
  it('keys a lead for a per-account quota by the account: any offer of one Munchkin ID, one key', () => {
    const d = route({ ok: true, lead: lead() }, offer(marketo), topics);
    expect(d).toMatchObject({ kind: 'route', topic: 'leads.route.marketo', key: 'marketo:123-ABC-456' });
    const w2l = (orgId: string) =>
      route({ ok: true, lead: lead() }, offer({ type: 'salesforce', mode: 'web-to-lead', orgId }), topics);
    expect(w2l('00D5g000004abcdEAA')).toMatchObject({ key: 'salesforce:00D5g000004abcd' });
    expect(w2l('00D5g000004abcd')).toMatchObject({ key: 'salesforce:00D5g000004abcd' });
    const dyn = (url: string, username: string) =>
      route(
        { ok: true, lead: lead() },
        offer({ type: 'dynamics', url, auth: { kind: 'office365', username, password: 'sealed' } }),
        topics,
      );
    const a = dyn('https://contoso.crm4.dynamics.com', 'sync@contoso.example');
    expect(a).toMatchObject({ key: expect.stringMatching(/^dynamics:[A-Za-z0-9_-]{22}$/) });
    // The user is not readable from the key; the same user on the same environment is the same account.
    expect(JSON.stringify(a)).not.toContain('sync@');
    expect(dyn('https://CONTOSO.crm4.dynamics.com/', 'Sync@contoso.example')).toMatchObject({
      key: (a as { key: string }).key,
    });
    expect(dyn('https://fabrikam.crm4.dynamics.com', 'sync@contoso.example')).not.toMatchObject({
      key: (a as { key: string }).key,
    });
  });

  it('keeps the offer id for destinations without a per-account quota', () => {
    const d = route({ ok: true, lead: lead() }, offer({ type: 'https', url: 'https://x.example' }), topics);
    expect(d).not.toHaveProperty('key');
    const api = route(
      { ok: true, lead: lead() },
      offer({ type: 'salesforce', mode: 'api', clientId: 'c', clientSecret: 's' }),
      topics,
    );
    expect(api).not.toHaveProperty('key');
  });
});
