import { readStackConfig } from './stack.config';

describe('readStackConfig', () => {
  it('defaults to the documented loopback ports', () => {
    const cfg = readStackConfig({});
    expect(cfg).toMatchObject({
      host: '127.0.0.1',
      kafkaPort: 9092,
      kafkaControllerPort: 9093,
      azuritePort: 10002,
      ingestPort: 8080,
    });
    expect(cfg.localDir.endsWith('.local')).toBe(true);
  });

  it('reads ports from the environment and names a bad variable', () => {
    expect(readStackConfig({ LEADFLOW_KAFKA_PORT: '19092' }).kafkaPort).toBe(19092);
    expect(() => readStackConfig({ LEADFLOW_AZURITE_TABLE_PORT: 'ten' })).toThrow(
      "LEADFLOW_AZURITE_TABLE_PORT must be a TCP port (1-65535), got 'ten'",
    );
    expect(() => readStackConfig({ LEADFLOW_INGEST_PORT: '70000' })).toThrow('LEADFLOW_INGEST_PORT');
    expect(() => readStackConfig({ LEADFLOW_KAFKA_PORT: '10002' })).toThrow('stack ports must differ');
  });
});
