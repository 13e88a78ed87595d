import {
  MAX_STATUS_VALIDATIONS,
  OfferStatusRecordSchema,
  offerStatusKey,
  type OfferStatusRecord,
} from '@leadflow/lead-model';
import { foldDeadLetter, foldDelivery } from './offer-status-fold';
import { OfferStatusIndex, type DeadLetterEvent, type DeliveryEvent } from './status-index';

const delivery = (over: Partial<DeliveryEvent> = {}): DeliveryEvent => ({
  leadId: 'l1',
  offerId: 'contoso.crm',
  destination: 'https',
  attempts: 1,
  deliveredAt: '2026-01-01T00:00:01.000Z',
  isTest: true,
  ...over,
});

const deadLetter = (over: Partial<DeadLetterEvent> = {}): DeadLetterEvent => ({
  leadId: 'l1',
  offerId: 'contoso.crm',
  isTest: true,
  errorClass: 'HTTPS.ENDPOINT_REJECTED',
  remediation: 'Fix the endpoint.',
  failedAt: '2026-01-01T00:00:02.000Z',
  stage: 'https',
  ...over,
});

const NOW = new Date('2026-01-01T00:01:00.000Z');

/** What the aggregator does, without Kafka: fold each event into its input partition's record, publish it. */
class Counting {
  readonly index = new OfferStatusIndex();
  private readonly records = new Map<string, OfferStatusRecord>();
  private offset = 0;

  private put(topic: string, partition: number, offerId: string, fold: (r?: OfferStatusRecord) => OfferStatusRecord) {
    const key = offerStatusKey(offerId, topic, partition);
    // Every record the fold makes is one the topic's schema accepts (what readers decode).
    const record = OfferStatusRecordSchema.parse(fold(this.records.get(key)));
    this.records.set(key, record);
    this.index.apply(key, offerId, record);
  }

  delivered(e: DeliveryEvent, partition = 0): this {
    const at = { topic: 'leads.delivered', partition, nextOffset: String(++this.offset) };
    this.put(at.topic, partition, e.offerId, (r) => foldDelivery(r, e, at, NOW));
    return this;
  }

  dead(e: DeadLetterEvent, partition = 0): this {
    const at = { topic: `leads.dlq.${e.stage}`, partition, nextOffset: String(++this.offset) };
    this.put(at.topic, partition, e.offerId, (r) => foldDeadLetter(r, e, at, NOW));
    return this;
  }
}

describe('offer status from offers.status records', () => {
  it('reports a validation lead as pending until a receipt or a dead letter arrives', () => {
    const c = new Counting();
    expect(c.index.validation('contoso.crm', 'l1')).toEqual({ status: 'pending' });
    c.delivered(delivery());
    expect(c.index.validation('contoso.crm', 'l1')).toEqual({
      status: 'passed',
      checkedAt: '2026-01-01T00:00:01.000Z',
    });
  });

  it('reports failures with the error class and remediation', () => {
    const c = new Counting().dead(deadLetter());
    expect(c.index.validation('contoso.crm', 'l1')).toEqual({
      status: 'failed',
      errorClass: 'HTTPS.ENDPOINT_REJECTED',
      remediation: 'Fix the endpoint.',
      checkedAt: '2026-01-01T00:00:02.000Z',
    });
    expect(c.index.offer('contoso.crm').deadLetters).toBe(1);
  });

  it('lets a delivery (a successful replay) win over a dead letter, in either order, on any partitions', () => {
    const a = new Counting().dead(deadLetter(), 2).delivered(delivery(), 1);
    expect(a.index.validation('contoso.crm', 'l1').status).toBe('passed');
    const b = new Counting().delivered(delivery(), 1).dead(deadLetter(), 2);
    expect(b.index.validation('contoso.crm', 'l1').status).toBe('passed');
    expect(b.index.offer('contoso.crm').deadLetters).toBe(1);
  });

  it("sums an offer's dead letters over input partitions and keeps its latest delivery", () => {
    const c = new Counting()
      .delivered(delivery({ leadId: 'a', isTest: false, deliveredAt: '2026-01-01T00:00:05.000Z' }), 0)
      .delivered(delivery({ leadId: 'b', isTest: false, deliveredAt: '2026-01-01T00:00:03.000Z' }), 1)
      .dead(deadLetter({ leadId: 'c', isTest: false }), 0)
      .dead(deadLetter({ leadId: 'd', isTest: false, stage: 'router' }), 2)
      .dead(deadLetter({ leadId: 'e', isTest: false, stage: 'router' }), 2)
      .dead(deadLetter({ leadId: 'f', offerId: 'fabrikam.crm', isTest: false }), 0);
    expect(c.index.offer('contoso.crm').lastDelivery?.leadId).toBe('a');
    expect(c.index.offer('contoso.crm').deadLetters).toBe(3);
    expect(c.index.offer('fabrikam.crm')).toEqual({ deadLetters: 1 });
    expect(c.index.offer('northwind.crm')).toEqual({ deadLetters: 0 });
    // Ordinary leads leave no outcome behind.
    expect(c.index.validation('contoso.crm', 'a')).toEqual({ status: 'pending' });
    expect(c.index.validation('contoso.crm', 'c')).toEqual({ status: 'pending' });
  });

  it('keeps the newest validation outcomes of a record only, however many versions were validated', () => {
    const c = new Counting();
    for (let v = 0; v <= MAX_STATUS_VALIDATIONS; v++) c.delivered(delivery({ leadId: `t${v}` }));
    expect(c.index.validation('contoso.crm', 't0').status).toBe('pending');
    expect(c.index.validation('contoso.crm', `t${MAX_STATUS_VALIDATIONS}`).status).toBe('passed');
    const [record] = c.index.recordsOfInput('leads.delivered', 0).values();
    expect(record?.validations).toHaveLength(MAX_STATUS_VALIDATIONS);
  });

  it("gives an aggregator taking over an input partition that partition's records, by offer", () => {
    const c = new Counting()
      .dead(deadLetter({ isTest: false }), 0)
      .dead(deadLetter({ isTest: false }), 0)
      .dead(deadLetter({ isTest: false, offerId: 'fabrikam.crm' }), 0)
      .dead(deadLetter({ isTest: false }), 1);
    const taken = c.index.recordsOfInput('leads.dlq.https', 0);
    expect([...taken.keys()].sort()).toEqual(['contoso.crm', 'fabrikam.crm']);
    expect(taken.get('contoso.crm')).toMatchObject({
      deadLetters: 2,
      input: { topic: 'leads.dlq.https', partition: 0 },
    });
  });

  it("shows an offer's leads held for a quota until their time, and forgets them at a tombstone", () => {
    const index = new OfferStatusIndex(() => NOW);
    const wait = (until: string, account: string) => ({
      offerId: 'contoso.crm',
      account,
      destination: 'marketo',
      leads: 2,
      until,
      errorClass: 'MARKETO.DAILY_QUOTA',
      updatedAt: NOW.toISOString(),
    });
    index.applyQuotaWait('contoso.crm|marketo:A', 'contoso.crm', wait('2026-01-02T00:00:00.000Z', 'marketo:A'));
    // A record whose time has passed: its sink died before it could say the leads went.
    index.applyQuotaWait('contoso.crm|marketo:B', 'contoso.crm', wait('2026-01-01T00:00:30.000Z', 'marketo:B'));
    expect(index.offer('contoso.crm').quotaWaits).toEqual([
      { destination: 'marketo', leads: 2, until: '2026-01-02T00:00:00.000Z', errorClass: 'MARKETO.DAILY_QUOTA' },
    ]);
    index.applyQuotaWait('contoso.crm|marketo:A', 'contoso.crm', undefined);
    expect(index.offer('contoso.crm')).toEqual({ deadLetters: 0 });
  });

  it('forgets a record removed by a tombstone and remembers auto-replays of newer versions', () => {
    const c = new Counting().dead(deadLetter({ isTest: false }));
    c.index.apply(offerStatusKey('contoso.crm', 'leads.dlq.https', 0), 'contoso.crm', undefined);
    expect(c.index.offer('contoso.crm')).toEqual({ deadLetters: 0 });
    c.index.recordAutoReplay('contoso.crm', { version: 3, replayed: 2 });
    c.index.recordAutoReplay('contoso.crm', { version: 2, replayed: 9 });
    expect(c.index.offer('contoso.crm').autoReplay).toEqual({ version: 3, replayed: 2 });
  });
});
