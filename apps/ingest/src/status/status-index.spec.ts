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

describe('OfferStatusIndex', () => {
  it('reports a validation lead as pending until a receipt or a dead letter arrives', () => {
    const idx = new OfferStatusIndex();
    expect(idx.validation('l1')).toEqual({ status: 'pending' });
    idx.recordDelivery(delivery());
    expect(idx.validation('l1')).toEqual({ status: 'passed', checkedAt: '2026-01-01T00:00:01.000Z' });
  });

  it('reports failures with the error class and remediation', () => {
    const idx = new OfferStatusIndex();
    idx.recordDeadLetter(deadLetter());
    expect(idx.validation('l1')).toEqual({
      status: 'failed',
      errorClass: 'HTTPS.ENDPOINT_REJECTED',
      remediation: 'Fix the endpoint.',
      checkedAt: '2026-01-01T00:00:02.000Z',
    });
    expect(idx.offer('contoso.crm').deadLetters).toBe(1);
  });

  it('lets a delivery (a successful replay) win over a dead letter, in either order', () => {
    const a = new OfferStatusIndex();
    a.recordDeadLetter(deadLetter());
    a.recordDelivery(delivery());
    expect(a.validation('l1').status).toBe('passed');
    const b = new OfferStatusIndex();
    b.recordDelivery(delivery());
    b.recordDeadLetter(deadLetter());
    expect(b.validation('l1').status).toBe('passed');
  });

  it('keeps the latest delivery per offer and remembers no outcome for ordinary leads', () => {
    const idx = new OfferStatusIndex();
    idx.recordDelivery(delivery({ leadId: 'a', isTest: false, deliveredAt: '2026-01-01T00:00:05.000Z' }));
    idx.recordDelivery(delivery({ leadId: 'b', isTest: false, deliveredAt: '2026-01-01T00:00:03.000Z' }));
    idx.recordDeadLetter(deadLetter({ leadId: 'c', isTest: false }));
    expect(idx.offer('contoso.crm').lastDelivery?.leadId).toBe('a');
    expect(idx.offer('contoso.crm').deadLetters).toBe(1);
    expect(idx.validation('a')).toEqual({ status: 'pending' });
    expect(idx.validation('c')).toEqual({ status: 'pending' });
    expect(idx.offer('fabrikam.crm')).toEqual({ deadLetters: 0 });
  });

  it('forgets the oldest outcomes past its cap', () => {
    const idx = new OfferStatusIndex(2);
    for (const id of ['x', 'y', 'z']) idx.recordDelivery(delivery({ leadId: id }));
    expect(idx.validation('x').status).toBe('pending');
    expect(idx.validation('z').status).toBe('passed');
  });
});
