import type { SimulatorEntry } from './catalog';

export interface SimulatorsConfig {
  readonly host: string;
  /** Folder with ca.pem, cert.pem and key.pem (made by the stack). */
  readonly tlsDir: string;
  /** Plain-HTTP control port: /healthz and the simulators' base URLs (the stack's health check). */
  readonly controlPort: number;
  portOf(entry: SimulatorEntry): number;
}

function port(raw: string | undefined, fallback: number, name: string): number {
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${name} must be a TCP port`);
  return value;
}

/** Env: LEADFLOW_HOST, LEADFLOW_SIM_TLS_DIR, LEADFLOW_SIMULATORS_PORT, LEADFLOW_SIM_<NAME>_PORT. */
export function readSimulatorsConfig(env: NodeJS.ProcessEnv = process.env): SimulatorsConfig {
  const tlsDir = env['LEADFLOW_SIM_TLS_DIR'];
  if (!tlsDir) throw new Error('LEADFLOW_SIM_TLS_DIR is required');
  return {
    host: env['LEADFLOW_HOST'] || '127.0.0.1',
    tlsDir,
    controlPort: port(env['LEADFLOW_SIMULATORS_PORT'], 9440, 'LEADFLOW_SIMULATORS_PORT'),
    portOf: (entry) =>
      port(env[`LEADFLOW_SIM_${entry.name}_PORT`], entry.defaultPort, `LEADFLOW_SIM_${entry.name}_PORT`),
  };
}
