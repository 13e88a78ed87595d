import { readTls } from '@leadflow/local-infra';
import { SIMULATORS } from './catalog';
import { startSimulator, type StartedSimulator } from './server';

/**
 * `simulators` component of the local stack: every CRM simulator of the catalog, over HTTPS with the stack's CA.
 * Env: LEADFLOW_HOST, LEADFLOW_SIM_TLS_DIR (ca.pem, cert.pem, key.pem), LEADFLOW_SIM_<NAME>_PORT.
 */
async function main(): Promise<void> {
  const host = process.env['LEADFLOW_HOST'] ?? '127.0.0.1';
  const tlsDir = process.env['LEADFLOW_SIM_TLS_DIR'];
  if (!tlsDir) throw new Error('LEADFLOW_SIM_TLS_DIR is required');
  const tls = readTls(tlsDir);
  const started: StartedSimulator[] = [];
  for (const entry of SIMULATORS) {
    const port = Number(process.env[`LEADFLOW_SIM_${entry.name}_PORT`] ?? entry.defaultPort);
    started.push(await startSimulator(entry.create(), tls, { host, port }));
  }
  process.stdout.write(`${JSON.stringify({ msg: 'simulators started', urls: started.map((s) => [s.name, s.url]) })}\n`);
  process.once('SIGTERM', () => void Promise.all(started.map((s) => s.close())).then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
