import { join } from 'node:path';
import { request } from 'node:http';
import {
  azuriteAnswers,
  kafkaAnswers,
  startAzurite,
  spawnLogged,
  startKafkaBroker,
  waitUntil,
  type SpawnedProcess,
} from '@leadflow/local-infra';
import type { StackConfig } from './stack.config';

/** One process of the local stack. `./dev up` starts them in order, `down` stops them in reverse. */
export interface Component {
  readonly name: string;
  readonly port: (cfg: StackConfig) => number;
  /** Starts the process and resolves once it is healthy. */
  readonly start: (cfg: StackConfig) => Promise<SpawnedProcess>;
  readonly healthy: (cfg: StackConfig) => Promise<boolean>;
}

export const kafkaBrokers = (cfg: StackConfig): string => `${cfg.host}:${cfg.kafkaPort}`;

const kafka: Component = {
  name: 'kafka',
  port: (cfg) => cfg.kafkaPort,
  healthy: (cfg) => kafkaAnswers(kafkaBrokers(cfg)),
  start: async (cfg) => {
    const broker = await startKafkaBroker({
      libsDir: join(cfg.localDir, 'kafka', 'libs'),
      log4jConfig: join(cfg.root, 'tools', 'kafka', 'log4j2.properties'),
      dataDir: join(cfg.localDir, 'kafka', 'broker'),
      host: cfg.host,
      port: cfg.kafkaPort,
      controllerPort: cfg.kafkaControllerPort,
      detached: true,
    });
    return broker.process;
  },
};

const azurite: Component = {
  name: 'azurite',
  port: (cfg) => cfg.azuritePort,
  healthy: (cfg) => azuriteAnswers(cfg.host, cfg.azuritePort),
  start: (cfg) =>
    startAzurite({
      host: cfg.host,
      port: cfg.azuritePort,
      location: join(cfg.localDir, 'azurite'),
      logFile: join(cfg.localDir, 'logs', 'azurite.log'),
      detached: true,
    }),
};

/** GET http://host:port/path answers 200. */
function httpOk(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface NodeServiceSpec {
  readonly name: string;
  /** TypeScript entry point, run with SWC's register hook (decorator metadata, tsconfig paths). */
  readonly entry: string;
  readonly port: (cfg: StackConfig) => number;
  /** Environment of the service beyond the shared one (brokers, log level, dev secrets). */
  readonly env?: (cfg: StackConfig) => Record<string, string>;
  /** Health path answering 200 once ready. */
  readonly readyPath?: string;
}

/**
 * Development-only secrets of the local stack (documented in the README; never used elsewhere).
 * The key is 32 bytes of base64 for AES-256-GCM.
 */
export const DEV_ENV = {
  LEADFLOW_INGEST_TOKENS: 'dev-ingest-token',
  LEADFLOW_ADMIN_TOKENS: 'dev-admin-token',
  LEADFLOW_SECRET_KEYS: 'dev1:ZGV2LW9ubHkta2V5LWZvci1sZWFkZmxvdy1sb2NhbCE=',
  LEADFLOW_URL_SIGNING_KEY: 'dev-url-signing-key',
} as const;

/** The signing secret of the demo's https destination, shared with the demo receiver. */
export const DEMO_SIGNING_SECRET = 'demo-signing-secret-0123456789';

/** A leadflow service or simulator of ours, as a component of the local stack. */
export function nodeService(spec: NodeServiceSpec): Component {
  const readyPath = spec.readyPath ?? '/readyz';
  return {
    name: spec.name,
    port: spec.port,
    healthy: (cfg) => httpOk(cfg.host, spec.port(cfg), readyPath),
    start: async (cfg) => {
      const proc = spawnLogged({
        command: process.execPath,
        args: ['-r', '@swc-node/register', spec.entry],
        cwd: cfg.root,
        env: {
          ...process.env,
          KAFKA_BROKERS: kafkaBrokers(cfg),
          ...DEV_ENV,
          ...(spec.env ? spec.env(cfg) : {}),
        },
        logFile: join(cfg.localDir, 'logs', `${spec.name}.log`),
        detached: true,
      });
      try {
        await waitUntil(
          `${spec.name} on port ${spec.port(cfg)}`,
          () => httpOk(cfg.host, spec.port(cfg), readyPath),
          60_000,
          200,
        );
      } catch (err) {
        await proc.stop(5_000);
        throw new Error(`${(err as Error).message}; see ${join(cfg.localDir, 'logs', `${spec.name}.log`)}`);
      }
      return proc;
    },
  };
}

/**
 * The stack, in start order. A service or simulator joins the stack with one line here
 * (see `nodeService` once the first app exists).
 */
export const COMPONENTS: readonly Component[] = [
  kafka,
  azurite,
  nodeService({
    name: 'ingest',
    entry: 'apps/ingest/src/main.ts',
    port: (cfg) => cfg.ingestPort,
    env: (cfg) => ({
      LEADFLOW_INGEST_PORT: String(cfg.ingestPort),
      LEADFLOW_HOST: cfg.host,
      LEADFLOW_PUBLIC_URL: `http://${cfg.host}:${cfg.ingestPort}`,
    }),
  }),
  // The demo's HTTPS endpoint: plays a publisher's receiver for the https sink and verifies signatures.
  nodeService({
    name: 'receiver',
    entry: 'tools/stack/src/receiver/main.ts',
    port: (cfg) => cfg.receiverPort,
    env: (cfg) => ({
      LEADFLOW_RECEIVER_PORT: String(cfg.receiverPort),
      LEADFLOW_HOST: cfg.host,
      LEADFLOW_RECEIVER_SECRET: DEMO_SIGNING_SECRET,
    }),
  }),
  nodeService({
    name: 'router',
    entry: 'apps/router/src/main.ts',
    port: (cfg) => cfg.routerPort,
    env: (cfg) => ({
      LEADFLOW_ROUTER_PORT: String(cfg.routerPort),
      LEADFLOW_HOST: cfg.host,
      LEADFLOW_INSTANCE_ID: 'router-0',
    }),
  }),
  nodeService({
    name: 'table-sink',
    entry: 'apps/table-sink/src/main.ts',
    port: (cfg) => cfg.tableSinkPort,
    env: (cfg) => ({
      LEADFLOW_TABLE_SINK_PORT: String(cfg.tableSinkPort),
      LEADFLOW_HOST: cfg.host,
      LEADFLOW_INSTANCE_ID: 'table-sink-0',
    }),
  }),
  nodeService({
    name: 'https-sink',
    entry: 'apps/https-sink/src/main.ts',
    port: (cfg) => cfg.httpsSinkPort,
    // The local stack delivers to the demo receiver on loopback; production allows public addresses only.
    env: (cfg) => ({
      LEADFLOW_HTTPS_SINK_PORT: String(cfg.httpsSinkPort),
      LEADFLOW_HOST: cfg.host,
      LEADFLOW_INSTANCE_ID: 'https-sink-0',
      LEADFLOW_HTTPS_ALLOW: 'loopback',
    }),
  }),
];
