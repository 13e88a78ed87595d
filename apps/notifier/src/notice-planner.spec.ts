import { NoticeKeys, type DeliveryReceipt } from '@leadflow/lead-model';
import { NoticePlanner, type DeadLetterEvent, type OfferView } from './notice-planner';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-12-05T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const settings = {
  digestAbove: 3,
  digestWindowMs: 10 * MIN,
  digestGraceMs: 5_000,
  reminderMs: DAY,
  autoReplaySettleMs: 0,
};
const offer = (version = 1, contacts = ['ops@fabrikam.example']): OfferView => ({
  version,
  type: 'https',
  contacts,
  autoReplay: true,
});
const receipt = (leadId: string, at: number, isTest = false): DeliveryReceipt => ({
  leadId,
  offerId: 'fabrikam.crm',
  destination: 'https',
  attempts: 1,
  deliveredAt: iso(at),
  isTest,
  source: 'AzureMarketplace',
  action: 'Trial',
});
const dead = (leadId: string, at: number, over: Partial<DeadLetterEvent> = {}): DeadLetterEvent => ({
  offerId: 'fabrikam.crm',
  leadId,
  isTest: false,
  piiSuppressed: false,
  stage: 'https',
  errorClass: 'HTTPS.ENDPOINT_REJECTED',
  category: 'configuration',
  destinationVersion: 1,
  failedAt: iso(at),
  ...over,
});
const delivered = (r: DeliveryReceipt) => ({ kind: 'delivered' as const, receipt: r });
const deadLetter = (d: DeadLetterEvent) => ({ kind: 'dead-letter' as const, deadLetter: d });

describe('NoticePlanner', () => {
  it('sends one notice per lead up to the rate, then one digest per window with the rest', () => {
    const p = new NoticePlanner(settings);
    const decisions = Array.from({ length: 10 }, (_, i) => p.decide(delivered(receipt(`L${i}`, T0 + i)), offer()));
    expect(decisions.slice(0, 3).map((d) => d.notices.map((n) => n.kind))).toEqual([['lead'], ['lead'], ['lead']]);
    expect(
      decisions.slice(3).every((d) => d.notices.length === 0 && d.heldBy === NoticeKeys.digest('fabrikam.crm', T0)),
    ).toBe(true);
    expect(p.openDigests).toBe(1);
    expect(p.due(T0 + 10 * MIN)).toEqual([]); // grace not over
    const [digest, ...more] = p.due(T0 + 10 * MIN + 5_000);
    expect(more).toEqual([]);
    expect(digest).toMatchObject({ kind: 'digest', recipients: ['ops@fabrikam.example'] });
    expect(digest?.kind === 'digest' && digest.leads.map((l) => l.leadId)).toEqual([
      'L3',
      'L4',
      'L5',
      'L6',
      'L7',
      'L8',
      'L9',
    ]);
    expect(p.due(T0 + DAY)).toEqual([]);
  });

  it('sends nothing for an offer without contacts, for test leads, or for a lead already recorded', () => {
    const p = new NoticePlanner(settings);
    expect(p.decide(delivered(receipt('L1', T0)), offer(1, [])).notices).toEqual([]);
    expect(p.decide(delivered(receipt('L2', T0, true)), offer()).notices).toEqual([]);
    const [n] = p.decide(delivered(receipt('L3', T0)), offer()).notices;
    if (!n) throw new Error('expected a notice');
    p.recorded({
      key: n.key,
      kind: 'lead',
      offerId: 'fabrikam.crm',
      outcome: 'sent',
      eventAt: iso(T0),
      recordedAt: iso(T0),
      leadIds: ['L3'],
    });
    expect(p.decide(delivered(receipt('L3', T0)), offer()).notices).toEqual([]);
  });

  it('breaks once per version, stays quiet for the next dead letters, reminds once a day, then tells it is fixed', () => {
    const p = new NoticePlanner(settings);
    const first = p.decide(deadLetter(dead('L0', T0)), offer());
    expect(first.notices).toMatchObject([
      { kind: 'broken', key: 'broken/fabrikam.crm/v1', errorClass: 'HTTPS.ENDPOINT_REJECTED', waiting: 1 },
    ]);
    expect(first.notices[0]?.kind === 'broken' && first.notices[0].remediation).toMatch(/endpoint/i);
    for (let i = 1; i <= 100; i++) expect(p.decide(deadLetter(dead(`L${i}`, T0 + i)), offer()).notices).toEqual([]);
    const reminder = p.decide(deadLetter(dead('Lr', T0 + DAY)), offer()).notices;
    expect(reminder).toMatchObject([{ kind: 'reminder', waiting: 102 }]);
    expect(p.decide(deadLetter(dead('Lq', T0 + DAY + 1)), offer()).notices).toEqual([]);
    // A test lead delivered under the same version proves nothing; under a new version it is the validation lead.
    expect(p.decide(delivered(receipt('T1', T0 + DAY + 2, true)), offer(1)).notices).toEqual([]);
    expect(p.decide(delivered(receipt('T2', T0 + DAY + 3, true)), offer(2)).notices).toMatchObject([
      { kind: 'fixed', key: 'fixed/fabrikam.crm/v2', waiting: 103, autoReplay: true },
    ]);
    expect(p.brokenState('fabrikam.crm')).toBeUndefined();
  });

  it("breaks again when a new version fails too, and ignores an older version's dead letters", () => {
    const p = new NoticePlanner(settings);
    p.decide(deadLetter(dead('L0', T0)), offer(1));
    expect(
      p.decide(deadLetter(dead('T', T0 + 1, { isTest: true, destinationVersion: 2 })), offer(2)).notices,
    ).toMatchObject([{ kind: 'broken', version: 2 }]);
    expect(p.decide(deadLetter(dead('L1', T0 + 2, { destinationVersion: 1 })), offer(2)).notices).toEqual([]);
    expect(p.brokenState('fabrikam.crm')).toEqual({ version: 2, waiting: 2 });
  });

  it('tells of data and exhausted transient dead letters in the lead notice, and of transient ones nothing more', () => {
    const p = new NoticePlanner(settings);
    const [n] = p.decide(
      deadLetter(
        dead('L1', T0, { errorClass: 'HTTPS.SERVER_ERROR', category: 'transient-exhausted', piiSuppressed: true }),
      ),
      offer(),
    ).notices;
    expect(n).toMatchObject({
      kind: 'lead',
      lead: { delivered: false, errorClass: 'HTTPS.SERVER_ERROR', withheld: true },
    });
    expect(p.brokenState('fabrikam.crm')).toBeUndefined();
  });

  it('rebuilds what was sent and which offers are broken from notices.sent', () => {
    const p = new NoticePlanner(settings);
    p.restore([
      {
        key: 'broken/fabrikam.crm/v1',
        kind: 'broken',
        offerId: 'fabrikam.crm',
        outcome: 'sent',
        eventAt: iso(T0),
        recordedAt: iso(T0),
        version: 1,
        errorClass: 'HTTPS.ENDPOINT_REJECTED',
        waiting: 7,
      },
      {
        key: 'digest/fabrikam.crm/1',
        kind: 'digest',
        offerId: 'fabrikam.crm',
        outcome: 'sent',
        eventAt: iso(T0),
        recordedAt: iso(T0 + 1),
        leadIds: ['D1'],
      },
    ]);
    expect(p.decide(deadLetter(dead('L1', T0 + 1)), offer()).notices).toEqual([]);
    expect(p.brokenState('fabrikam.crm')).toEqual({ version: 1, waiting: 8 });
    expect(p.decide(delivered(receipt('D1', T0)), offer()).notices).toEqual([]);
    expect(p.decide(delivered(receipt('T', T0 + 2, true)), offer(2)).notices).toMatchObject([
      { kind: 'fixed', waiting: 8 },
    ]);
  });

  it('with auto-replay, holds the "fixed" notice for the settle time and counts that version\'s replays', () => {
    const p = new NoticePlanner({ ...settings, autoReplaySettleMs: 30_000 });
    p.decide(deadLetter(dead('L0', T0)), offer(1));
    // Read before the receipt (another topic): still counted.
    expect(p.replayed({ replayOf: 'leads.dlq.https/0/0', by: 'auto-replay fabrikam.crm v2' })).toBeUndefined();
    const held = p.decide(delivered(receipt('T2', T0 + 1_000, true)), offer(2));
    expect(held).toEqual({ notices: [], heldBy: 'fixed/fabrikam.crm/v2' });
    expect(p.replayed({ replayOf: 'leads.dlq.https/0/1', by: 'auto-replay fabrikam.crm v2' })).toBe(
      'fixed/fabrikam.crm/v2',
    );
    p.replayed({ replayOf: 'leads.dlq.https/0/1', by: 'auto-replay fabrikam.crm v2' }); // the same dead letter again
    p.replayed({ replayOf: 'leads.dlq.https/0/2', by: 'auto-replay fabrikam.crm v2' });
    expect(p.replayed({ replayOf: 'leads.dlq.https/0/3', by: 'ops@fabrikam.example' })).toBeUndefined();
    expect(p.due(T0 + 30_000)).toEqual([]);
    expect(p.due(T0 + 31_000)).toMatchObject([{ kind: 'fixed', version: 2, autoReplay: true, replayed: 3 }]);
    expect(p.due(T0 + 60_000)).toEqual([]);
  });
});
