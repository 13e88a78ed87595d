import { readTls } from '@leadflow/local-infra';
import { SIMULATORS } from './catalog';
import { startSimulator, type StartedSimulator } from './server';
import { readSimulatorsConfig } from './simulators.config';

/** `simulators` component of the local stack: every CRM simulator of the catalog, over HTTPS with the stack's CA. */
async function main(): Promise<void> {
  const cfg = readSimulatorsConfig();
  const tls = readTls(cfg.tlsDir);
  const started: StartedSimulator[] = [];
  for (const entry of SIMULATORS)
    started.push(await startSimulator(entry.create(), tls, { host: cfg.host, port: cfg.portOf(entry) }));
  process.stdout.write(`${JSON.stringify({ msg: 'simulators started', urls: started.map((s) => [s.name, s.url]) })}\n`);
  process.once('SIGTERM', () => void Promise.all(started.map((s) => s.close())).then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
