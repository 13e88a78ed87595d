import { AllowedMethods } from './allowed-methods';

describe('AllowedMethods', () => {
  const methods = new AllowedMethods();
  methods.add('POST', '/v1/leads');
  methods.add('POST', '/v1/leads/batch');
  methods.add('POST', '/v1/offers/:offerId/leads');
  methods.add('PUT', '/v1/offers/:offerId/destination');
  methods.add('get', '/v1/offers/:offerId/destination');
  methods.add('HEAD', '/v1/offers/:offerId/destination');
  methods.add('DELETE', '/v1/offers/:offerId/destination');

  it('lists the methods of the routes that match a path, sorted', () => {
    expect(methods.allowed('/v1/leads')).toEqual(['POST']);
    expect(methods.allowed('/v1/offers/contoso.crm/destination')).toEqual(['DELETE', 'GET', 'HEAD', 'PUT']);
    expect(methods.allowed('/v1/offers/%04%18/leads')).toEqual(['POST']);
  });

  it('matches nothing for unknown paths, empty parameters or other depths', () => {
    expect(methods.allowed('/v1/nothing')).toEqual([]);
    expect(methods.allowed('/v1/offers//leads')).toEqual([]);
    expect(methods.allowed('/v1/leads/')).toEqual([]);
    expect(methods.allowed('/v1/offers/a.b/leads/more')).toEqual([]);
    expect(methods.allowed('/V1/LEADS')).toEqual([]);
  });
});
