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
  };
  const ports = [cfg.kafkaPort, cfg.kafkaControllerPort, cfg.azuritePort, cfg.ingestPort];
  if (new Set(ports).size !== ports.length) throw new Error(`stack ports must differ: ${ports.join(', ')}`);
  return cfg;
}
