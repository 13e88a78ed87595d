import { join } from 'node:path';
import type { Component } from '../components';
import type { StackConfig } from '../stack.config';
import { startJaeger } from './jaeger';
import { startPrometheus } from './prometheus';

const answers = (url: string): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
    (r) => r.ok,
    () => false,
  );

/** Jaeger, started before the services so their first spans have somewhere to go. */
export const jaegerComponent: Component = {
  name: 'jaeger',
  port: (cfg) => cfg.jaegerPorts.query,
  healthy: (cfg) => answers(`http://${cfg.host}:${cfg.jaegerPorts.query}/api/services`),
  start: (cfg) =>
    startJaeger({
      root: cfg.root,
      dir: join(cfg.localDir, 'jaeger'),
      ports: {
        host: cfg.host,
        otlpPort: cfg.jaegerPorts.otlp,
        queryPort: cfg.jaegerPorts.query,
        grpcPort: cfg.jaegerPorts.grpc,
      },
      detached: true,
    }),
};

/** Prometheus, started last: it scrapes every service every 5 s and evaluates deploy/observability's rules. */
export const prometheusComponent: Component = {
  name: 'prometheus',
  port: (cfg) => cfg.prometheusPort,
  healthy: (cfg) => answers(`http://${cfg.host}:${cfg.prometheusPort}/-/ready`),
  start: (cfg) =>
    startPrometheus({
      cfg,
      port: cfg.prometheusPort,
      dir: join(cfg.localDir, 'prometheus'),
      intervalS: 5,
      detached: true,
    }),
};

/** What a service's environment gains under `--observe`: its spans exported to the stack's Jaeger. */
export const observeEnv = (cfg: StackConfig): Record<string, string> =>
  cfg.observe
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://${cfg.host}:${cfg.jaegerPorts.otlp}`, OTEL_BSP_SCHEDULE_DELAY: '500' }
    : {};

export const jaegerUrl = (cfg: StackConfig): string => `http://${cfg.host}:${cfg.jaegerPorts.query}`;
export const prometheusUrl = (cfg: StackConfig): string => `http://${cfg.host}:${cfg.prometheusPort}`;
