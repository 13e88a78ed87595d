import { join } from 'node:path';
import {
  azuriteAnswers,
  kafkaAnswers,
  startAzurite,
  startKafkaBroker,
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

/**
 * The stack, in start order. A service or simulator joins the stack with one line here
 * (see `nodeService` once the first app exists).
 */
export const COMPONENTS: readonly Component[] = [kafka, azurite];
