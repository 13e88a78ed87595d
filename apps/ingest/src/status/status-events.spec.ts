import { decodeDeadLetter, decodeReceipt } from './status-events';

describe('status event decoding', () => {
  it('reads a delivery receipt and skips anything that is not one', () => {
    expect(
      decodeReceipt(
        '{"leadId":"l1","offerId":"contoso.crm","destination":"https","externalId":"x9","attempts":2,"deliveredAt":"2026-01-01T00:00:00Z","isTest":true}',
      ),
    ).toEqual({
      leadId: 'l1',
      offerId: 'contoso.crm',
      destination: 'https',
      externalId: 'x9',
      attempts: 2,
      deliveredAt: '2026-01-01T00:00:00Z',
      isTest: true,
    });
    expect(decodeReceipt('not json')).toBeUndefined();
    expect(decodeReceipt('{"leadId":"l1"}')).toBeUndefined();
    expect(decodeReceipt(null)).toBeUndefined();
  });

  it('reads a dead letter from the original lead and the error headers', () => {
    const headers = {
      ce_id: 'l2',
      'leadflow.error.class': 'HTTPS.ENDPOINT_REJECTED',
      'leadflow.error.remediation': 'Fix it.',
      'leadflow.failed.at': '2026-01-01T00:00:01Z',
    };
    expect(
      decodeDeadLetter('https', 'contoso.crm', '{"leadId":"l2","offerId":"contoso.crm","isTest":true}', headers),
    ).toEqual({
      leadId: 'l2',
      offerId: 'contoso.crm',
      isTest: true,
      errorClass: 'HTTPS.ENDPOINT_REJECTED',
      remediation: 'Fix it.',
      failedAt: '2026-01-01T00:00:01Z',
      stage: 'https',
    });
  });

  it('falls back to ce_id and the record key when the original value is not a lead', () => {
    const dead = decodeDeadLetter('router', 'contoso.crm', '{{garbage', {
      ce_id: 'l3',
      'leadflow.error.class': 'ROUTER.MALFORMED_EVENT',
    });
    expect(dead).toMatchObject({
      leadId: 'l3',
      offerId: 'contoso.crm',
      isTest: false,
      errorClass: 'ROUTER.MALFORMED_EVENT',
    });
    expect(decodeDeadLetter('router', 'contoso.crm', '{}', { ce_id: 'l4' })).toBeUndefined();
  });
});
