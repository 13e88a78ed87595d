import type { SimulatorEntry } from './catalog';

export interface SimulatorsConfig {
  readonly host: string;
  /** Folder with ca.pem, cert.pem and key.pem (made by the stack). */
  readonly tlsDir: string;
  portOf(entry: SimulatorEntry): number;
}

/** Env: LEADFLOW_HOST, LEADFLOW_SIM_TLS_DIR, LEADFLOW_SIM_<NAME>_PORT. */
export function readSimulatorsConfig(env: NodeJS.ProcessEnv = process.env): SimulatorsConfig {
  const tlsDir = env['LEADFLOW_SIM_TLS_DIR'];
  if (!tlsDir) throw new Error('LEADFLOW_SIM_TLS_DIR is required');
  return {
    host: env['LEADFLOW_HOST'] || '127.0.0.1',
    tlsDir,
    portOf: (entry) => {
      const raw = env[`LEADFLOW_SIM_${entry.name}_PORT`];
      const port = raw ? Number(raw) : entry.defaultPort;
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new Error(`LEADFLOW_SIM_${entry.name}_PORT must be a TCP port`);
      return port;
    },
  };
}
