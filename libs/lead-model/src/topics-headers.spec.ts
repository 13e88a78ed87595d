import {
  deadLetterHeaders,
  ERROR_CATALOG,
  Headers,
  leadCloudEventHeaders,
  parseDeadLetterHeaders,
  readHeaders,
  routeTopicPattern,
  TOPIC_SPECS,
  Topics,
  isValidRouteSuffix,
  createTestLead,
} from './index';

describe('topics', () => {
  it("names route and dead-letter topics and matches a sink's pattern", () => {
    expect(Topics.route('azure-table')).toBe('leads.route.azure-table');
    expect(Topics.route('https', 'contoso')).toBe('leads.route.https.contoso');
    expect(Topics.dlq('router')).toBe('leads.dlq.router');
    const p = routeTopicPattern('azure-table');
    expect(p.test('leads.route.azure-table')).toBe(true);
    expect(p.test('leads.route.azure-table.noisy-publisher')).toBe(true);
    expect(p.test('leads.route.azure-tablex')).toBe(false);
    expect(p.test('leads.route.https')).toBe(false);
    expect(routeTopicPattern('https').test('leads.route.https.a')).toBe(true);
  });

  it('validates route suffixes as Kafka topic characters within the length limit', () => {
    expect(isValidRouteSuffix('contoso_1.a-b')).toBe(true);
    expect(isValidRouteSuffix('has space')).toBe(false);
    expect(isValidRouteSuffix('x'.repeat(240))).toBe(false);
  });

  it('declares every fixed topic once, offers.destinations, the replay ledger, notices.sent and offers.status compacted', () => {
    const names = TOPIC_SPECS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'leads.ingested',
        'leads.delivered',
        'offers.destinations',
        'leads.route.dynamics',
        'leads.dlq.https',
      ]),
    );
    expect(TOPIC_SPECS.filter((t) => t.compacted).map((t) => t.name)).toEqual([
      'offers.destinations',
      'leads.replay.ledger',
      'notices.sent',
      'offers.status',
      'offers.quota-waits',
    ]);
  });
});

describe('headers', () => {
  const lead = createTestLead({ offerId: 'contoso.crm', leadId: 'lead-1', now: new Date('2026-11-24T10:00:00Z') });

  it('builds CloudEvents binary-mode headers', () => {
    expect(leadCloudEventHeaders(lead, { source: '/leadflow/ingest', traceparent: '00-abc-def-01' })).toEqual({
      ce_specversion: '1.0',
      ce_id: 'lead-1',
      ce_source: '/leadflow/ingest',
      ce_type: 'leadflow.lead.v1',
      ce_time: '2026-11-24T10:00:00.000Z',
      'content-type': 'application/json',
      traceparent: '00-abc-def-01',
    });
  });

  it('normalises Kafka header values', () => {
    expect(readHeaders({ a: Buffer.from('x'), b: 'y', c: [Buffer.from('z'), Buffer.from('w')], d: undefined })).toEqual(
      { a: 'x', b: 'y', c: 'z' },
    );
  });

  it('adds the full dead-letter set to the original headers and reads it back', () => {
    const original = leadCloudEventHeaders(lead, { source: '/leadflow/ingest' });
    const h = deadLetterHeaders({
      original,
      errorClass: 'HTTPS.SERVER_ERROR',
      category: 'transient-exhausted',
      message: 'HTTP 503 '.repeat(500),
      originalTopic: 'leads.route.https',
      partition: 2,
      offset: '41',
      sink: 'https-sink',
      attempts: 6,
      failedAt: new Date('2026-11-24T10:05:00Z'),
      destinationVersion: 3,
    });
    expect(h).toMatchObject({
      ...original,
      [Headers.errorRemediation]: ERROR_CATALOG['HTTPS.SERVER_ERROR'].remediation,
      [Headers.attempts]: '6',
    });
    expect((h[Headers.errorMessage] ?? '').length).toBeLessThanOrEqual(2_001);
    expect(parseDeadLetterHeaders(h)).toMatchObject({
      ok: true,
      value: {
        errorClass: 'HTTPS.SERVER_ERROR',
        category: 'transient-exhausted',
        partition: 2,
        offset: '41',
        attempts: 6,
        destinationVersion: '3',
        leadId: 'lead-1',
      },
    });
    const { [Headers.errorClass]: _drop, ...missing } = h;
    expect(parseDeadLetterHeaders({ ...missing, [Headers.attempts]: 'x' })).toMatchObject({
      ok: false,
      issues: expect.arrayContaining([
        { path: Headers.errorClass, message: 'header is missing' },
        { path: Headers.attempts, message: 'must be an integer' },
      ]),
    });
  });
});
