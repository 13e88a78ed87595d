import { LiveHub, type SseStream } from './live-hub';

/** A stream that records what it was sent. */
function recorder(): SseStream & { readonly sent: { event: string; data: unknown }[] } {
  const sent: { event: string; data: unknown }[] = [];
  return { sent, send: (event, data) => void sent.push({ event, data }), close: () => undefined, closed: false };
}

describe('the live hub', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tells each stream only of the offers its caller may read, counting only those, and an unscoped one of all', () => {
    const hub = new LiveHub(500);
    const operator = recorder();
    const contoso = recorder();
    const nobody = recorder();
    hub.add(operator);
    hub.add(contoso, (offerId) => offerId !== null && offerId.startsWith('contoso.'));
    hub.add(nobody, () => false);

    hub.publish('dead-letter', 'contoso.crm', { offerId: 'contoso.crm', errorClass: 'A' });
    hub.publish('dead-letter', 'fabrikam.erp', { offerId: 'fabrikam.erp', errorClass: 'B' });
    hub.publish('dead-letter', null, { offerId: null, errorClass: 'C' });
    hub.publish('delivered', 'fabrikam.erp', { offerId: 'fabrikam.erp' });
    jest.advanceTimersByTime(500);

    expect(operator.sent).toEqual([
      { event: 'dead-letter', data: { count: 3, last: { offerId: null, errorClass: 'C' } } },
      { event: 'delivered', data: { count: 1, last: { offerId: 'fabrikam.erp' } } },
    ]);
    expect(contoso.sent).toEqual([
      { event: 'dead-letter', data: { count: 1, last: { offerId: 'contoso.crm', errorClass: 'A' } } },
    ]);
    expect(nobody.sent).toEqual([]);
    hub.close();
  });
});
