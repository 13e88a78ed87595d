import type { FastifyRequest } from 'fastify';
import { offerNotFound, tooManyRequests } from '../common/problem';
import { beforeBody, bodyPending, rateLimitKey, refusal } from './request-gate';

const request = (headers: Record<string, string>, complete = false) =>
  ({ headers, raw: { complete } }) as unknown as FastifyRequest;

describe('request gate decisions', () => {
  it('gives each caller and each signed offer URL a bucket of its own, never keyed by a secret', () => {
    const caller = { subject: 'static:ops', roles: new Set(['operator'] as const), publishers: new Set<string>() };
    expect(rateLimitKey({ kind: 'caller', caller })).toBe('static:ops');
    expect(rateLimitKey({ kind: 'signature', offerId: 'contoso.crm' })).toBe('signed-url:contoso.crm');
  });

  it('turns an authorization refusal into 401/403/404 problem details with the challenge', () => {
    const r = refusal({
      ok: false,
      status: 401,
      code: 'missing',
      reason: 'A bearer token is required.',
      challenge: 'Bearer x',
    });
    expect(r.problem).toMatchObject({ status: 401, type: 'urn:leadflow:problem:unauthorized', title: 'Unauthorized' });
    expect(r.headers).toEqual({ 'www-authenticate': 'Bearer x' });
    expect(refusal({ ok: false, status: 403, code: 'insufficient-role', reason: 'no' }).problem.type).toBe(
      'urn:leadflow:problem:forbidden',
    );
    // Another publisher's offer: word for word what an offer without a destination answers.
    expect(refusal({ ok: false, status: 404, code: 'other-publisher', reason: 'x' }, 'fabrikam.crm').problem).toEqual(
      offerNotFound('fabrikam.crm').problem,
    );
    const down = refusal({ ok: false, status: 503, code: 'keys-unavailable', reason: 'later' });
    expect([down.problem.status, down.headers['retry-after']]).toEqual([503, '5']);
  });

  it('closes the connection only when a body is still on the wire', () => {
    expect(bodyPending(request({ 'content-length': '5000' }))).toBe(true);
    expect(bodyPending(request({ 'transfer-encoding': 'chunked' }))).toBe(true);
    expect(bodyPending(request({ 'content-length': '5000' }, true))).toBe(false);
    expect(bodyPending(request({ 'content-length': '0' }))).toBe(false);
    expect(bodyPending(request({}))).toBe(false);
    expect(beforeBody(request({ 'content-length': '9' }), tooManyRequests(3)).headers).toEqual({
      'retry-after': '3',
      connection: 'close',
    });
    expect(beforeBody(request({}), tooManyRequests(0.2)).headers).toEqual({ 'retry-after': '1' });
  });
});
