import { ConfigError, loadConsoleConfig } from './console.config';
import { staticTokenPolicy } from './access/static-tokens';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', LEADFLOW_CONSOLE_TOKENS: 'ann=secret-token-1,another-token-2' };

describe('console configuration', () => {
  it('reads named and bare tokens; the policy admits each by its name', () => {
    const cfg = loadConsoleConfig(base);
    const policy = staticTokenPolicy(cfg.tokens);
    expect(policy.authenticate('secret-token-1')).toEqual({ name: 'ann' });
    expect(policy.authenticate('another-token-2')?.name).toMatch(/^token-[0-9a-f]{8}$/);
    expect(policy.authenticate('secret-token-')).toBeUndefined();
    expect(cfg.port).toBe(8070);
    expect(cfg.publicUrl).toBe('http://127.0.0.1:8070');
  });

  it('names the bad variable and never echoes a token', () => {
    const attempt = () => loadConsoleConfig({ ...base, LEADFLOW_CONSOLE_TOKENS: 'ann=short' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/LEADFLOW_CONSOLE_TOKENS: token 1 is shorter than 8 characters/);
    expect(attempt).not.toThrow(/short$/);
    expect(() => loadConsoleConfig({ KAFKA_BROKERS: 'x:1' })).toThrow(/LEADFLOW_CONSOLE_TOKENS: is required/);
    expect(() => loadConsoleConfig({ ...base, LEADFLOW_CONSOLE_TRACE_URL: 'http://jaeger/trace' })).toThrow(
      /LEADFLOW_CONSOLE_TRACE_URL/,
    );
  });
});
