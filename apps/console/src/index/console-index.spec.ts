import { parseFilter } from '@leadflow/dead-letters';
import { ConsoleIndex } from './console-index';
import type { DeadLetterSummary, IndexEvent } from './index-events';

const H = 3_600_000;
const NOW = Date.parse('2026-12-05T12:30:00Z');

function dl(n: number, over: Partial<DeadLetterSummary> = {}): IndexEvent {
  const at = over.at ?? NOW - n * 60_000;
  return {
    kind: 'dead-lettered',
    deadLetter: {
      id: `leads.dlq.https/0/${n}`,
      stage: 'https',
      leadId: `lead-${n}`,
      offerId: 'contoso.crm',
      errorClass: 'HTTPS.ENDPOINT_REJECTED',
      category: 'configuration',
      message: '404',
      remediation: 'Fix the URL',
      failedAt: new Date(at).toISOString(),
      at,
      isTest: false,
      ...over,
    },
  };
}

const filter = (raw: Parameters<typeof parseFilter>[0]) => {
  const f = parseFilter(raw, new Date(NOW));
  if (!f.ok) throw new Error('bad filter');
  return f.value;
};

describe('ConsoleIndex', () => {
  it('groups dead letters by stage, class and offer, newest group first, with the hourly trend', () => {
    const index = new ConsoleIndex();
    index.apply(dl(1));
    index.apply(dl(2));
    index.apply(dl(3, { stage: 'router', errorClass: 'ROUTER.OFFER_NOT_CONFIGURED', at: NOW - 30 * H }));
    const o = index.overview(NOW);
    expect(o.deadLetters.total).toBe(3);
    expect(o.deadLetters.groups.map((g) => [g.stage, g.errorClass, g.count])).toEqual([
      ['https', 'HTTPS.ENDPOINT_REJECTED', 2],
      ['router', 'ROUTER.OFFER_NOT_CONFIGURED', 1],
    ]);
    expect(o.trend.last24h).toHaveLength(24);
    expect(o.trend.last24h.reduce((n, b) => n + b.count, 0)).toBe(2);
    expect(o.trend.last7d.reduce((n, b) => n + b.count, 0)).toBe(3);
  });

  it('selects what a replay would publish, leaving out what the ledger holds (in either arrival order)', () => {
    const index = new ConsoleIndex();
    index.apply({
      kind: 'replayed',
      entry: { replayOf: 'leads.dlq.https/0/1', replayedAt: new Date(NOW).toISOString(), by: 'ann' },
    });
    index.apply(dl(1));
    index.apply(dl(2));
    index.apply(dl(3, { offerId: 'other.offer' }));
    const s = index.select(filter({ offer: 'contoso.crm' }));
    expect(s.matched).toBe(2);
    expect(s.alreadyReplayed).toBe(1);
    expect(s.wouldReplay).toBe(1);
    expect(s.newest(10, true).map((d) => d.id)).toEqual(['leads.dlq.https/0/2']);
    expect(s.newest(10).map((d) => d.id)).toEqual(['leads.dlq.https/0/1', 'leads.dlq.https/0/2']);
    expect(index.overview(NOW).deadLetters.replayed).toBe(1);
    index.apply({ kind: 'ledger-cleared', replayOf: 'leads.dlq.https/0/1' });
    expect(index.select(filter({ offer: 'contoso.crm' })).wouldReplay).toBe(2);
  });

  it("keeps a lead's history in pipeline order and finds it by e-mail hash", () => {
    const index = new ConsoleIndex();
    const t = NOW - 10_000;
    index.apply({
      kind: 'delivered',
      leadId: 'L',
      offerId: 'o.p',
      at: t + 3,
      destination: 'https',
      attempts: 1,
      isTest: false,
    });
    index.apply({ kind: 'accepted', leadId: 'L', offerId: 'o.p', at: t, isTest: false, emailHash: 'h1' });
    index.apply({ kind: 'routed', leadId: 'L', offerId: 'o.p', at: t, topic: 'leads.route.https' });
    expect(index.history('L')?.map((s) => s.kind)).toEqual(['accepted', 'routed', 'delivered']);
    expect(index.leadsByEmailHash('h1')).toEqual(['L']);
    expect(index.history('nobody')).toBeUndefined();
  });

  it('stays within its limits: the oldest dead letters go first, their leads with them, counts follow', () => {
    const index = new ConsoleIndex({ maxDeadLetters: 3, maxLeads: 2, recentPerOffer: 2 });
    for (let i = 1; i <= 5; i++) index.apply(dl(i));
    expect(index.stats()).toMatchObject({ deadLetters: 3, leads: 3, evictedDeadLetters: 2, evictedLeads: 2 });
    expect(index.overview(NOW).deadLetters.groups[0]?.count).toBe(3);
    expect(index.history('lead-1')).toBeUndefined();
    expect(index.history('lead-5')).toBeDefined();
    expect(index.offer('contoso.crm').recentDeadLetters).toHaveLength(2);
  });

  it("never lets delivered leads push a dead-lettered lead's history out; they go oldest first among themselves", () => {
    const index = new ConsoleIndex({ maxDeadLetters: 10, maxLeads: 3, recentPerOffer: 2 });
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    index.apply(dl(1, { leadId: id(1) }));
    index.apply({
      kind: 'accepted',
      leadId: id(1),
      offerId: 'contoso.crm',
      at: NOW - 120_000,
      isTest: false,
      emailHash: 'h1',
    });
    for (let n = 2; n <= 1000; n++)
      index.apply({
        kind: 'delivered',
        leadId: id(n),
        offerId: 'contoso.crm',
        at: NOW,
        destination: 'https',
        externalId: `crm-${n}`,
        attempts: 1,
        isTest: false,
      });
    expect(index.history(id(1))?.map((s) => s.kind)).toEqual(['accepted', 'dead-lettered']);
    expect(index.leadsByEmailHash('h1')).toEqual([id(1)]);
    expect(index.history(id(997))).toBeUndefined();
    expect(index.history(id(1000))).toEqual([
      expect.objectContaining({ kind: 'delivered', leadId: id(1000), externalId: 'crm-1000' }),
    ]);
    expect(index.stats()).toMatchObject({ leads: 4, evictedLeads: 996 });
  });

  it("reports an offer's failed validation lead until a later one passes", () => {
    const index = new ConsoleIndex();
    index.apply(dl(1, { isTest: true, leadId: 'v1', at: NOW - 2000 }));
    expect(index.overview(NOW).failedValidations).toEqual([
      expect.objectContaining({
        offerId: 'contoso.crm',
        leadId: 'v1',
        status: 'failed',
        errorClass: 'HTTPS.ENDPOINT_REJECTED',
      }),
    ]);
    index.apply({
      kind: 'delivered',
      leadId: 'v2',
      offerId: 'contoso.crm',
      at: NOW - 1000,
      destination: 'https',
      attempts: 1,
      isTest: true,
    });
    expect(index.overview(NOW).failedValidations).toEqual([]);
    expect(index.offer('contoso.crm').validation).toMatchObject({ status: 'passed', leadId: 'v2' });
  });
});
