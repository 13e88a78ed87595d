import { kafkaBrokers, kafkaNodePorts, readStackConfig } from './stack.config';

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

  it('lays a 3-node cluster out on consecutive port pairs and refuses other node counts', () => {
    const cfg = readStackConfig({ LEADFLOW_KAFKA_NODES: '3' });
    expect(cfg.kafkaNodes).toBe(3);
    expect([1, 2, 3].map((n) => kafkaNodePorts(cfg, n))).toEqual([
      { port: 9092, controllerPort: 9093 },
      { port: 9094, controllerPort: 9095 },
      { port: 9096, controllerPort: 9097 },
    ]);
    expect(kafkaBrokers(cfg)).toBe('127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096');
    expect(() => readStackConfig({ LEADFLOW_KAFKA_NODES: '2' })).toThrow('LEADFLOW_KAFKA_NODES must be 1 or 3');
    // A cluster's second node would take the ingest port: refused before anything starts.
    expect(() => readStackConfig({ LEADFLOW_KAFKA_NODES: '3', LEADFLOW_INGEST_PORT: '9094' })).toThrow(
      'stack ports must differ',
    );
  });

  it('gives every sink of the catalog its port variable and default', () => {
    const cfg = readStackConfig({ LEADFLOW_DYNAMICS_SINK_PORT: '18084' });
    expect(cfg.sinkPorts).toMatchObject({ 'table-sink': 8082, 'https-sink': 8083, 'dynamics-sink': 18084 });
  });
});
