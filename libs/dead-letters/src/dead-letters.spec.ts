import { deadLetterHeaders, ERROR_CATALOG, leadCloudEventHeaders, type Lead } from '@leadflow/lead-model';
import {
  decodeDeadLetter,
  deadLetterView,
  maskPii,
  matchesFilter,
  parseFilter,
  replayMessage,
  ReplayHeaders,
  summarize,
  type DeadLetter,
} from './index';

const lead: Lead = {
  leadId: 'lead-1',
  offerId: 'contoso.crm',
  source: 'AzureMarketplace',
  action: 'INS',
  customer: {
    firstName: 'Ann',
    lastName: 'Lee',
    email: 'ann@contoso.example',
    phone: '+1 555 0100',
    company: 'Contoso',
  },
  occurredAt: '2026-01-02T03:04:05Z',
  isTest: false,
  piiSuppressed: false,
};

function dl(
  over: {
    offset?: string;
    failedAt?: string;
    errorClass?: 'TABLE.AUTH_FAILED' | 'ROUTER.MALFORMED_EVENT';
    version?: number;
    value?: unknown;
  } = {},
): DeadLetter {
  const errorClass = over.errorClass ?? 'TABLE.AUTH_FAILED';
  const headers = deadLetterHeaders({
    original: { ...leadCloudEventHeaders(lead, { source: '/t' }), traceparent: '00-abc-def-01' },
    errorClass,
    category: ERROR_CATALOG[errorClass].category,
    message: 'AuthenticationFailed',
    originalTopic: 'leads.route.azure-table',
    partition: 2,
    offset: '41',
    sink: 'table-sink',
    attempts: 1,
    failedAt: new Date(over.failedAt ?? '2026-02-01T00:00:00Z'),
    ...(over.version !== undefined ? { destinationVersion: over.version } : {}),
  });
  return decodeDeadLetter(errorClass.startsWith('ROUTER') ? 'router' : 'azure-table', {
    topic: errorClass.startsWith('ROUTER') ? 'leads.dlq.router' : 'leads.dlq.azure-table',
    partition: 0,
    offset: over.offset ?? '7',
    key: Buffer.from('contoso.crm'),
    value: Buffer.from(typeof over.value === 'string' ? over.value : JSON.stringify(over.value ?? lead)),
    headers,
    timestamp: '0',
  });
}

describe('decodeDeadLetter', () => {
  it('reads the dead-letter headers, the lead id and the offer', () => {
    expect(dl({ version: 3 })).toMatchObject({
      id: 'leads.dlq.azure-table/0/7',
      stage: 'azure-table',
      leadId: 'lead-1',
      offerId: 'contoso.crm',
      errorClass: 'TABLE.AUTH_FAILED',
      category: 'configuration',
      failedAt: '2026-02-01T00:00:00.000Z',
      attempts: 1,
      sink: 'table-sink',
      destinationVersion: 3,
      original: 'leads.route.azure-table/2/41',
      remediation: ERROR_CATALOG['TABLE.AUTH_FAILED'].remediation,
    });
  });

  it('finds the offer of the legacy and marketplace shapes, and lists a record without headers as UNKNOWN', () => {
    const legacy = decodeDeadLetter('router', {
      topic: 'leads.dlq.router',
      partition: 0,
      offset: '1',
      key: null,
      value: Buffer.from(
        JSON.stringify({
          first_name: 'A',
          email: 'a@b.example',
          lead_source: 'SPZA-PLT|fabrikam.suite',
          lead_id: 'x1',
        }),
      ),
      headers: {},
      timestamp: String(Date.parse('2026-03-01T00:00:00Z')),
    });
    expect(legacy).toMatchObject({
      offerId: 'fabrikam.suite',
      leadId: 'x1',
      errorClass: 'UNKNOWN',
      failedAt: '2026-03-01T00:00:00Z',
    });
  });
});

describe('filters', () => {
  it('validates what a user types, naming each bad option', () => {
    const bad = parseFilter({ stage: 'fax', class: 'NOPE.X', category: 'oops', since: 'tuesday' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => i.path)).toEqual(['stage', 'class', 'category', 'since']);
    expect(parseFilter({ since: '2026-01-02', until: '2026-01-01' })).toMatchObject({ ok: false });
  });

  it('selects by stage, class (and family), category, offer, lead, time and version', () => {
    const now = new Date('2026-02-01T12:00:00Z');
    const f = (raw: Parameters<typeof parseFilter>[0]) => {
      const r = parseFilter(raw, now);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return r.value;
    };
    const a = dl({ failedAt: '2026-02-01T11:00:00Z', version: 2 });
    const b = dl({ errorClass: 'ROUTER.MALFORMED_EVENT', failedAt: '2026-01-01T00:00:00Z' });
    const pick = (filter: ReturnType<typeof f>) => [a, b].filter((d) => matchesFilter(d, filter));
    expect(pick(f({ stage: 'router' }))).toEqual([b]);
    expect(pick(f({ class: 'TABLE.*' }))).toEqual([a]);
    expect(pick(f({ class: 'TABLE.AUTH_FAILED,ROUTER.MALFORMED_EVENT' }))).toEqual([a, b]);
    expect(pick(f({ category: 'data' }))).toEqual([b]);
    expect(pick(f({ offer: 'contoso.crm' }))).toEqual([a, b]);
    expect(pick(f({ offer: 'other.offer' }))).toEqual([]);
    expect(pick(f({ since: '2h' }))).toEqual([a]);
    expect(pick(f({ until: '2026-01-15T00:00:00Z' }))).toEqual([b]);
    expect(pick({ leadIds: ['lead-1'] })).toEqual([a, b]);
    expect(pick({ destinationVersionBelow: 2 })).toEqual([b]);
    expect(pick({ destinationVersionBelow: 3 })).toEqual([a, b]);
  });
});

describe('summary, masking, replay record', () => {
  it('groups by stage, class and offer with count, replayed, oldest and newest', () => {
    const rows = summarize(
      [
        dl({ offset: '1', failedAt: '2026-02-02T00:00:00Z' }),
        dl({ offset: '2', failedAt: '2026-02-01T00:00:00Z' }),
        dl({ errorClass: 'ROUTER.MALFORMED_EVENT' }),
      ],
      (id) => id.endsWith('/1'),
    );
    expect(rows).toEqual([
      expect.objectContaining({
        stage: 'azure-table',
        errorClass: 'TABLE.AUTH_FAILED',
        offerId: 'contoso.crm',
        count: 2,
        replayed: 1,
        oldest: '2026-02-01T00:00:00.000Z',
        newest: '2026-02-02T00:00:00.000Z',
      }),
      expect.objectContaining({ stage: 'router', count: 1, replayed: 0 }),
    ]);
  });

  it('masks names, e-mail and phone in every input shape', () => {
    expect(maskPii({ customer: lead.customer })).toEqual({
      customer: {
        firstName: 'A***',
        lastName: 'L***',
        email: 'a***@contoso.example',
        phone: '+***',
        company: 'Contoso',
      },
    });
    expect(
      maskPii({ UserDetails: { FirstName: 'Some', Email: 'some@x.example' }, first_name: 'Dana', phone: 4255550100 }),
    ).toEqual({
      UserDetails: { FirstName: 'S***', Email: 's***@x.example' },
      first_name: 'D***',
      phone: '***',
    });
    const view = deadLetterView(dl({ value: '{not json Ann' }), { showPii: false });
    expect(JSON.stringify(view)).not.toContain('Ann');
  });

  it('replays the original key, value and CloudEvents headers, without the dead-letter set', () => {
    const d = dl();
    const m = replayMessage(d, new Date('2026-03-01T00:00:00Z'), 'analyst@host');
    expect(m.key?.toString()).toBe('contoso.crm');
    expect(m.value).toBe(d.record.value);
    expect(m.headers).toEqual({
      ...leadCloudEventHeaders(lead, { source: '/t' }),
      traceparent: '00-abc-def-01',
      [ReplayHeaders.of]: 'leads.dlq.azure-table/0/7',
      [ReplayHeaders.at]: '2026-03-01T00:00:00.000Z',
      [ReplayHeaders.by]: 'analyst@host',
    });
  });
});
