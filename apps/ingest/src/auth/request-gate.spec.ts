import type { FastifyRequest } from 'fastify';
import { tooManyRequests } from '../common/problem';
import { beforeBody, bodyPending, rateLimitKey, refusal } from './request-gate';

const request = (headers: Record<string, string>, complete = false) =>
  ({ headers, raw: { complete } }) as unknown as FastifyRequest;

describe('request gate decisions', () => {
  it('gives each token and each signed offer URL a bucket of its own, never keyed by a secret', () => {
    expect(rateLimitKey({ kind: 'token', scope: 'producer', tokenId: 'a1b2c3d4e5f6' })).toBe('token:a1b2c3d4e5f6');
    expect(rateLimitKey({ kind: 'signature', offerId: 'contoso.crm' })).toBe('offer:contoso.crm');
  });

  it('turns an authorization refusal into 401/403 problem details with the challenge', () => {
    const r = refusal({ ok: false, status: 401, reason: 'A bearer token is required.', challenge: 'Bearer x' });
    expect(r.problem).toMatchObject({ status: 401, type: 'urn:leadflow:problem:unauthorized', title: 'Unauthorized' });
    expect(r.headers).toEqual({ 'www-authenticate': 'Bearer x' });
    expect(refusal({ ok: false, status: 403, reason: 'no' }).problem.type).toBe('urn:leadflow:problem:forbidden');
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
