import { createServer } from 'node:http';
import { readTls } from '@leadflow/local-infra';
import { SIMULATORS } from './catalog';
import { startSimulator, type StartedSimulator } from './server';
import { readSimulatorsConfig } from './simulators.config';

/**
 * `simulators` component of the local stack: every CRM simulator of the catalog over HTTPS with the stack's CA,
 * and a plain-HTTP control port whose `/healthz` answers once all of them listen and whose `/` lists their URLs.
 */
async function main(): Promise<void> {
  const cfg = readSimulatorsConfig();
  const tls = readTls(cfg.tlsDir);
  const started: StartedSimulator[] = [];
  for (const entry of SIMULATORS) {
    started.push(await startSimulator(entry.create(), tls, { host: cfg.host, port: cfg.portOf(entry) }));
  }
  const urls = Object.fromEntries(started.map((s) => [s.name, s.url]));
  const control = createServer((req, res) => {
    const body = req.url === '/healthz' ? { status: 'ok' } : { simulators: urls };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  control.listen(cfg.controlPort, cfg.host);
  process.once('SIGTERM', () => {
    control.close();
    void Promise.all(started.map((s) => s.close())).then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
