import { RestError } from '@azure/data-tables';
import { classifyTable, sanitizeKey, toEntity } from './table.sink';

describe('table sink mapping and classifier', () => {
  it('writes the marketplace layout with sanitised keys', () => {
    const e = toEntity({
      leadId: 'a/b#c?d',
      offerId: 'contoso.crm',
      source: 'AppSource',
      action: 'PLT',
      offerTitle: 'CRM',
      customer: { firstName: 'Kim', lastName: 'Doe', email: 'kim@contoso.example', company: 'Contoso' },
      description: 'hello',
      occurredAt: '2026-11-24T10:00:00.000Z',
      isTest: false,
      piiSuppressed: false,
    });
    expect(e).toMatchObject({
      partitionKey: 'contoso.crm',
      rowKey: 'a_b_c_d',
      LeadSource: 'AppSource-PLT|contoso.crm',
      ActionCode: 'PLT',
      ProductId: 'contoso.crm',
      OfferTitle: 'CRM',
      CreatedTime: '2026-11-24T10:00:00.000Z',
    });
    expect(JSON.parse(e.CustomerInfo ?? '{}')).toEqual({
      FirstName: 'Kim',
      LastName: 'Doe',
      Email: 'kim@contoso.example',
      Phone: '',
      Country: '',
      Company: 'Contoso',
      Title: '',
    });
    expect(sanitizeKey('x\ty\\z')).toBe('x_y_z');
  });

  it.each([
    [new RestError('denied', { statusCode: 403, code: 'AuthorizationFailure' }), 'TABLE.AUTH_FAILED'],
    [new RestError('denied', { statusCode: 403, code: 'AuthenticationFailed' }), 'TABLE.AUTH_FAILED'],
    [new RestError('getaddrinfo ENOTFOUND', { code: 'ENOTFOUND' }), 'TABLE.ACCOUNT_UNREACHABLE'],
    [new RestError('too big', { statusCode: 400, code: 'EntityTooLarge' }), 'TABLE.ENTITY_TOO_LARGE'],
    [new RestError('too big', { statusCode: 400, code: 'PropertyValueTooLarge' }), 'TABLE.ENTITY_TOO_LARGE'],
    [new RestError('busy', { statusCode: 503, code: 'ServerBusy' }), 'TABLE.SERVICE_UNAVAILABLE'],
    [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'TABLE.SERVICE_UNAVAILABLE'],
    [new TypeError('boom'), 'INTERNAL.UNEXPECTED'],
  ])('classifies %s', (err, code) => {
    expect(classifyTable(err).code).toBe(code);
  });
});
