import { errorCode, retryAfterMs, TLS_ERROR_CODES, TRANSIENT_NETWORK_CODES } from './transport-errors';

describe('transport errors', () => {
  it('finds the code under fetch failed, and tells certificate errors from passing ones', () => {
    const fetchFailed = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }),
    });
    expect(errorCode(fetchFailed)).toBe('CERT_HAS_EXPIRED');
    expect(TLS_ERROR_CODES.has('CERT_HAS_EXPIRED')).toBe(true);
    expect(TRANSIENT_NETWORK_CODES.has('ECONNRESET')).toBe(true);
    expect(TRANSIENT_NETWORK_CODES.has('ENOTFOUND')).toBe(false);
    expect(errorCode(new Error('no code'))).toBeUndefined();
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('86400', now)).toBe(600_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
