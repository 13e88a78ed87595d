import { resolve } from 'node:path';

/** Typed configuration of the local stack, read once from the environment. */
export interface StackConfig {
  readonly root: string;
  readonly localDir: string;
  readonly host: string;
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly azuritePort: number;
  readonly ingestPort: number;
  /** Ops ports (/healthz, /readyz, /metrics) of the services without an HTTP API of their own. */
  readonly routerPort: number;
  readonly tableSinkPort: number;
  readonly httpsSinkPort: number;
  /** The local HTTPS-endpoint receiver the demo's https destination points at. */
  readonly receiverPort: number;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got '${raw}'`);
  }
  return value;
}

export function readStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const root = resolve(__dirname, '..', '..', '..');
  const cfg: StackConfig = {
    root,
    localDir: resolve(root, env['LEADFLOW_LOCAL_DIR'] || '.local'),
    host: env['LEADFLOW_HOST'] || '127.0.0.1',
    kafkaPort: port(env, 'LEADFLOW_KAFKA_PORT', 9092),
    kafkaControllerPort: port(env, 'LEADFLOW_KAFKA_CONTROLLER_PORT', 9093),
    azuritePort: port(env, 'LEADFLOW_AZURITE_TABLE_PORT', 10002),
    ingestPort: port(env, 'LEADFLOW_INGEST_PORT', 8080),
    routerPort: port(env, 'LEADFLOW_ROUTER_PORT', 8081),
    tableSinkPort: port(env, 'LEADFLOW_TABLE_SINK_PORT', 8082),
    httpsSinkPort: port(env, 'LEADFLOW_HTTPS_SINK_PORT', 8083),
    receiverPort: port(env, 'LEADFLOW_RECEIVER_PORT', 8090),
  };
  const ports = [
    cfg.kafkaPort,
    cfg.kafkaControllerPort,
    cfg.azuritePort,
    cfg.ingestPort,
    cfg.routerPort,
    cfg.tableSinkPort,
    cfg.httpsSinkPort,
    cfg.receiverPort,
  ];
  if (new Set(ports).size !== ports.length) throw new Error(`stack ports must differ: ${ports.join(', ')}`);
  return cfg;
}
