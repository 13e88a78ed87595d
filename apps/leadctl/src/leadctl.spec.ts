import { runCli } from './cli';
import { ExitCode, isBrokerUnreachable } from './exit-codes';
import { ingestSettings, kafkaSettings, replayActor } from './leadctl.config';

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}

describe('leadctl configuration', () => {
  it('takes flags over the environment over the defaults', () => {
    expect(kafkaSettings({}, {})).toEqual({
      brokers: ['127.0.0.1:9092'],
      topicPrefix: '',
      security: { protocol: 'PLAINTEXT' },
    });
    expect(kafkaSettings({}, { KAFKA_BROKERS: 'a:1,b:2', LEADFLOW_TOPIC_PREFIX: 't.' })).toEqual({
      brokers: ['a:1', 'b:2'],
      topicPrefix: 't.',
      security: { protocol: 'PLAINTEXT' },
    });
    expect(
      kafkaSettings(
        {},
        { KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', KAFKA_SASL_USERNAME: 'leadctl', KAFKA_SASL_PASSWORD: 'pw-value' },
      ).security,
    ).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'leadctl', password: 'pw-value' },
    });
    expect(() => kafkaSettings({}, { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })).toThrow(/KAFKA_SASL_USERNAME/);
    expect(kafkaSettings({ brokers: 'c:3' }, { KAFKA_BROKERS: 'a:1' }).brokers).toEqual(['c:3']);
    expect(() => kafkaSettings({ brokers: 'nope' }, {})).toThrow(/not host:port/);
    expect(ingestSettings({}, { LEADFLOW_ADMIN_TOKEN: 'adm' }, 'admin')).toEqual({
      url: 'http://127.0.0.1:8080',
      token: 'adm',
    });
    expect(ingestSettings({ ingestToken: 'p', ingestUrl: 'https://i.example/' }, {}, 'producer')).toEqual({
      url: 'https://i.example',
      token: 'p',
    });
    expect(() => ingestSettings({}, {}, 'admin')).toThrow(/LEADFLOW_ADMIN_TOKEN/);
    expect(replayActor('me', { LEADFLOW_REPLAY_BY: 'env' })).toBe('me');
    expect(replayActor(undefined, { LEADFLOW_REPLAY_BY: 'env' })).toBe('env');
    expect(replayActor(undefined, { USER: 'kim' })).toMatch(/^kim@/);
  });

  it('recognises an unreachable broker in what kafkajs throws', () => {
    const wrapped = Object.assign(new Error('retries exceeded'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      originalError: Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
        name: 'KafkaJSConnectionError',
      }),
    });
    expect(isBrokerUnreachable(wrapped)).toBe(true);
    expect(isBrokerUnreachable(new Error('This server is not the leader'))).toBe(false);
  });
});

describe('leadctl usage errors (exit 2, nothing contacted)', () => {
  it.each([
    [['dlq', 'list', '--colour']],
    [['dlq', 'replay']],
    [['dlq', 'replay', '--offer', 'a.b', '--rate', '0']],
    [['dlq', 'list', '--stage', 'fax']],
    [['dlq', 'show']],
    [['offers', 'get', 'contoso.crm']],
    [['leads', 'send', '--data', '{}']],
    [['nonsense']],
    [[]],
  ])('%j', async (argv) => {
    expect((await run(argv)).code).toBe(ExitCode.usage);
  });

  it('prints help for every command with exit 0', async () => {
    for (const argv of [
      ['--help'],
      ['dlq', '--help'],
      ['dlq', 'replay', '--help'],
      ['offers', 'set', '--help'],
      ['leads', 'send', '--help'],
    ]) {
      const r = await run(argv);
      expect([argv, r.code]).toEqual([argv, ExitCode.ok]);
      expect(r.stdout).toContain('Usage: leadctl');
    }
  });

  it('reports an unreachable ingest as exit 6', async () => {
    const r = await run(['offers', 'get', 'contoso.crm', '--ingest-url', 'http://127.0.0.1:1', '--admin-token', 't']);
    expect(r.code).toBe(ExitCode.ingestFailed);
    expect(r.stderr).toContain('ingest unreachable at http://127.0.0.1:1');
  });
});
