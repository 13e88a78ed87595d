import { grantKey, TokenCache, type SalesforceSession } from './token-cache';

const session = (n: number): SalesforceSession => ({
  accessToken: `t${n}`,
  instanceUrl: 'https://x.my.salesforce.com',
});

describe('TokenCache', () => {
  it('shares one grant between concurrent callers and keeps the session', async () => {
    const cache = new TokenCache();
    let grants = 0;
    const grant = async () => session(++grants);
    const [a, b] = await Promise.all([cache.get('k', grant), cache.get('k', grant)]);
    expect([a, b, await cache.get('k', grant), grants]).toEqual([session(1), session(1), session(1), 1]);
  });

  it('does not keep a failed grant', async () => {
    const cache = new TokenCache();
    await expect(cache.get('k', () => Promise.reject(new Error('invalid_client')))).rejects.toThrow('invalid_client');
    expect(await cache.get('k', async () => session(2))).toEqual(session(2));
  });

  it('drops an invalid session once, not a newer one that replaced it', async () => {
    const cache = new TokenCache();
    const old = await cache.get('k', async () => session(1));
    await cache.invalidate('k', old);
    const fresh = await cache.get('k', async () => session(2));
    await cache.invalidate('k', old);
    expect(await cache.get('k', async () => session(3))).toEqual(fresh);
  });

  it('is bounded, dropping the least recently used app', async () => {
    const cache = new TokenCache(2);
    await cache.get('a', async () => session(1));
    await cache.get('b', async () => session(2));
    await cache.get('a', async () => session(9));
    await cache.get('c', async () => session(3));
    expect(cache.size).toBe(2);
    expect(await cache.get('a', async () => session(10))).toEqual(session(1));
    expect(await cache.get('b', async () => session(11))).toEqual(session(11));
  });

  it('keys on the login URL and consumer key, and on a hash of the secrets only', () => {
    const base = { loginUrl: 'https://login.salesforce.com', clientId: 'app', clientSecret: 's3cr3t-value' };
    expect(grantKey(base)).not.toContain('s3cr3t-value');
    expect(grantKey(base)).not.toBe(grantKey({ ...base, clientSecret: 'rotated' }));
    expect(grantKey(base)).not.toBe(grantKey({ ...base, username: 'u@x.example', password: 'p' }));
    expect(grantKey(base)).toBe(grantKey({ ...base }));
  });
});
