import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SimulatorTls } from '@leadflow/local-infra';

/**
 * What one simulator received, kept so tests and the demo assert on what reached the "CRM". Entries are
 * what the simulated CRM would store (a created lead, a token grant), with secrets left out.
 */
export class Recorder<T> {
  private entries: T[] = [];
  add(entry: T): void {
    this.entries.push(entry);
  }
  all(): readonly T[] {
    return this.entries;
  }
  reset(): void {
    this.entries = [];
  }
}

export interface SimulatorApp {
  readonly name: string;
  /** Registers the CRM's own routes on the server (under its real paths). */
  readonly register: (app: FastifyInstance) => void;
  /** What `GET /_state` answers: counts and records of what arrived. */
  readonly state: () => unknown;
  /** `POST /_reset`: forget what arrived (tests that share one simulator use unique ids instead). */
  readonly reset: () => void;
}

export interface StartedSimulator {
  readonly name: string;
  /** https://host:port, the base URL to configure on a destination. */
  readonly url: string;
  readonly server: FastifyInstance;
  close(): Promise<void>;
}

/**
 * One HTTPS listener for one simulated service, with the run's CA-signed certificate. JSON and form bodies are
 * parsed (Web-to-Lead and OAuth token requests are form posts); `/healthz`, `/_state` and `/_reset` are added.
 */
export async function startSimulator(
  sim: SimulatorApp,
  tls: SimulatorTls,
  opts: { host: string; port: number },
): Promise<StartedSimulator> {
  const server = Fastify({ https: { key: tls.keyPem, cert: tls.certPem }, logger: false, bodyLimit: 8 * 1024 * 1024 });
  await server.register(formbody);
  // `POST /_away {"ms": n}`: for n ms the CRM is unreachable (every other request's connection is reset), while
  // what it stored stays; a CRM outage without losing the records tests count afterwards.
  let awayUntil = 0;
  server.addHook('onRequest', async (req, reply) => {
    if (Date.now() < awayUntil && !req.url.startsWith('/_') && req.url !== '/healthz') {
      req.raw.socket.destroy();
      return reply.hijack();
    }
  });
  server.post('/_away', async (req) => {
    const ms = Number((req.body as { ms?: unknown } | undefined)?.ms ?? 0);
    awayUntil = Date.now() + (Number.isFinite(ms) && ms > 0 ? ms : 0);
    return { awayUntil: new Date(awayUntil).toISOString() };
  });
  server.get('/healthz', async () => ({ status: 'ok', simulator: sim.name }));
  server.get('/_state', async () => sim.state());
  server.post('/_reset', async () => {
    sim.reset();
    return { reset: true };
  });
  sim.register(server);
  await server.listen({ host: opts.host, port: opts.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { name: sim.name, url: `https://${opts.host}:${port}`, server, close: () => server.close() };
}
