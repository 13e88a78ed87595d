import { createServer, type Server } from 'node:http';
import { Gauge, type Registry } from 'prom-client';

/** Liveness and readiness as a service reports them; readiness is false until the service can do its job. */
export class HealthState {
  private ready = false;
  private live = true;
  private reason = 'starting';

  setReady(ready: boolean, reason = ready ? 'ready' : 'not ready'): void {
    this.ready = ready;
    this.reason = reason;
  }

  /** A live process that cannot recover (e.g. a crashed consumer) reports not-live so it is restarted. */
  setDead(reason: string): void {
    this.live = false;
    this.ready = false;
    this.reason = reason;
  }

  snapshot(): { live: boolean; ready: boolean; reason: string } {
    return { live: this.live, ready: this.ready, reason: this.reason };
  }
}

/**
 * `leadflow_ready` (1 ready, 0 not), read from the health state at each scrape: "no ready instance of a service" is
 * `sum by (service) (leadflow_ready) == 0`, the same answer the orchestrator's readiness probe gets.
 */
export function exportReadiness(registry: Registry, health: HealthState): void {
  if (registry.getSingleMetric('leadflow_ready')) return;
  new Gauge({
    name: 'leadflow_ready',
    help: 'Whether this instance is ready to do its job (its /readyz answer)',
    registers: [registry],
    collect() {
      this.set(health.snapshot().ready ? 1 : 0);
    },
  });
}

export interface OpsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly health: HealthState;
  readonly registry: Registry;
}

/**
 * `/healthz`, `/readyz` and `/metrics` for services that have no HTTP API of their own (router, sinks).
 * Resolves once listening; `close()` stops it.
 */
export async function startOpsServer(opts: OpsServerOptions): Promise<Server> {
  exportReadiness(opts.registry, opts.health);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const state = opts.health.snapshot();
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' ? state.live : state.ready;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', reason: state.reason }));
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500).end();
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return server;
}
