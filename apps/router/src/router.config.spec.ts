import { ConfigError, loadRouterConfig } from './router.config';

describe('loadRouterConfig', () => {
  it('applies the defaults', () => {
    const c = loadRouterConfig({ KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093', LEADFLOW_INSTANCE_ID: 'router-0' });
    expect(c).toEqual({
      kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      port: 8081,
      host: '127.0.0.1',
      logLevel: 'info',
      instanceId: 'router-0',
      topicPrefix: '',
      transactionIntervalMs: 30,
      shutdownTimeoutMs: 20_000,
      kafkaSecurity: { protocol: 'PLAINTEXT' },
    });
  });

  it('reads every variable', () => {
    const c = loadRouterConfig({
      KAFKA_BROKERS: 'k:1',
      LEADFLOW_ROUTER_PORT: '9001',
      LEADFLOW_HOST: '0.0.0.0',
      LEADFLOW_LOG_LEVEL: 'debug',
      LEADFLOW_INSTANCE_ID: 'r-1',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
      LEADFLOW_TOPIC_PREFIX: 'test-1.',
      LEADFLOW_SHUTDOWN_TIMEOUT_MS: '5000',
      LEADFLOW_ROUTER_TRANSACTION_INTERVAL_MS: '0',
    });
    expect(c).toMatchObject({
      port: 9001,
      host: '0.0.0.0',
      logLevel: 'debug',
      otlpTracesEndpoint: 'http://127.0.0.1:4318/v1/traces',
      topicPrefix: 'test-1.',
      shutdownTimeoutMs: 5000,
    });
  });

  it('names every bad variable and never echoes its value', () => {
    let err: unknown;
    try {
      loadRouterConfig({ LEADFLOW_ROUTER_PORT: 'eighty', LEADFLOW_TOPIC_PREFIX: 'bad prefix/secret' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect([...e.variables].sort()).toEqual(['KAFKA_BROKERS', 'LEADFLOW_ROUTER_PORT', 'LEADFLOW_TOPIC_PREFIX']);
    expect(e.message).toContain('LEADFLOW_ROUTER_PORT');
    expect(e.message).not.toContain('bad prefix/secret');
  });

  it('treats empty variables as unset', () => {
    expect(
      loadRouterConfig({ KAFKA_BROKERS: 'k:1', LEADFLOW_ROUTER_PORT: '', LEADFLOW_TOPIC_PREFIX: '' }),
    ).toMatchObject({ port: 8081, topicPrefix: '' });
  });
});
