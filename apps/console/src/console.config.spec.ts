import { ConfigError, loadConsoleConfig } from './console.config';
import { tokenDigest } from '@leadflow/access';
import { accessPolicy } from './access/policy';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', LEADFLOW_CONSOLE_TOKENS: 'ann=secret-token-1,another-token-2' };

describe('console configuration', () => {
  it('reads named and bare console tokens as operators; the policy admits each by its name', async () => {
    const cfg = loadConsoleConfig(base);
    const policy = accessPolicy(cfg.identity);
    const ann = await policy.authenticate('secret-token-1');
    expect(ann.ok && ann.principal.name).toBe('ann');
    expect(ann.ok && [...ann.principal.caller.roles]).toEqual(['operator']);
    const bare = await policy.authenticate('another-token-2');
    expect(bare.ok && bare.principal.name).toMatch(/^token-[0-9a-f]{8}$/);
    expect(await policy.authenticate('secret-token-')).toEqual({ ok: false, status: 401 });
    expect(cfg.port).toBe(8070);
    expect(cfg.publicUrl).toBe('http://127.0.0.1:8070');
    expect(cfg).toMatchObject({
      maxDeadLetters: 250_000,
      maxLeads: 100_000,
      fetchMaxBytes: 2_097_152,
      topicCheckMs: 30_000,
    });
  });

  it('names the bad variable and never echoes a token', () => {
    const attempt = () => loadConsoleConfig({ ...base, LEADFLOW_CONSOLE_TOKENS: 'ann=short' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/LEADFLOW_CONSOLE_TOKENS: token 1 is shorter than 8 characters/);
    expect(attempt).not.toThrow(/short$/);
    expect(() => loadConsoleConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(/no credentials/);
    expect(() => loadConsoleConfig({ KAFKA_BROKERS: 'x:1', LEADFLOW_OIDC_ISSUER: 'https://idp.example' })).toThrow(
      /are set together or not at all/,
    );
    expect(() => loadConsoleConfig({ ...base, LEADFLOW_CONSOLE_TRACE_URL: 'http://jaeger/trace' })).toThrow(
      /LEADFLOW_CONSOLE_TRACE_URL/,
    );
    expect(() => loadConsoleConfig({ ...base, LEADFLOW_CONSOLE_FETCH_MAX_BYTES: '1000' })).toThrow(
      /LEADFLOW_CONSOLE_FETCH_MAX_BYTES/,
    );
  });

  it("reads the ingest's identity settings: digests with roles and publishers, and an issuer", async () => {
    const cfg = loadConsoleConfig({
      KAFKA_BROKERS: 'x:1',
      LEADFLOW_STATIC_TOKENS: JSON.stringify([
        {
          id: 'contoso',
          sha256: tokenDigest('contoso-publisher-token'),
          roles: ['publisher'],
          publishers: ['contoso'],
        },
      ]),
      LEADFLOW_OIDC_ISSUER: 'https://idp.example/v2.0',
      LEADFLOW_OIDC_AUDIENCE: 'api://leadflow',
      LEADFLOW_OIDC_JWKS_URL: 'https://idp.example/keys',
    });
    expect(cfg.identity.oidc).toMatchObject({ issuer: 'https://idp.example/v2.0', audience: ['api://leadflow'] });
    const policy = accessPolicy(cfg.identity);
    const p = await policy.authenticate('contoso-publisher-token');
    if (!p.ok) throw new Error('the publisher token was refused');
    expect(policy.may(p.principal, { kind: 'read', offerId: 'contoso.a' })).toBe('allow');
    expect(policy.may(p.principal, { kind: 'read', offerId: 'fabrikam.b' })).toBe('not-found');
    expect(policy.may(p.principal, { kind: 'replay', offerIds: ['contoso.a'] })).toBe('forbidden');
    expect(policy.may(p.principal, { kind: 'reveal-pii', offerId: 'contoso.a' })).toBe('forbidden');
  });
});
