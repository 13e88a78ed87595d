import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  azuriteConnectionString,
  freePort,
  freePorts,
  generateTls,
  writeTls,
  startAzurite,
  startKafkaBroker,
  type KafkaJvm,
  type SpawnedProcess,
} from '@leadflow/local-infra';

/** What the integration tests need; exported to test workers as environment variables. */
export interface TestInfra {
  readonly kafkaBrokers: string;
  readonly azuriteConnectionString: string;
  readonly source: string;
  /** The broker processes this run started (empty when KAFKA_BROKERS or a container gave the broker): benches read
   * their CPU time from /proc. */
  readonly kafkaPids: readonly number[];
  /** ca.pem, cert.pem and key.pem of this run's simulator CA (tests start CRM simulators with them). */
  readonly tlsDir: string;
  stop(): Promise<void>;
}

const KAFKA_IMAGE = 'apache/kafka:4.4.0';
const ROOT = resolve(__dirname, '..', '..', '..');

/** A Docker engine answers only if its socket exists (the client alone is not enough). */
function dockerEngineAvailable(): boolean {
  const host = process.env['DOCKER_HOST'];
  if (host) return true;
  return existsSync('/var/run/docker.sock');
}

interface StartedKafka {
  readonly brokers: string;
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

async function kafkaFromTestcontainers(): Promise<StartedKafka> {
  const { GenericContainer, Wait } = await import('testcontainers');
  // The broker must advertise the address the client dials, so the host port is fixed before start.
  const hostPort = await freePort();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage('Transitioning from RECOVERY to RUNNING'))
    .start();
  return { brokers: `127.0.0.1:${hostPort}`, pids: [], stop: async () => void (await container.stop()) };
}

async function kafkaFromLauncher(dir: string, jvm: KafkaJvm): Promise<StartedKafka> {
  const libsDir = join(process.env['LEADFLOW_LOCAL_DIR'] ?? join(ROOT, '.local'), 'kafka', 'libs');
  const broker = await startKafkaBroker({
    libsDir,
    log4jConfig: join(ROOT, 'tools', 'kafka', 'log4j2.properties'),
    dataDir: join(dir, 'kafka'),
    host: '127.0.0.1',
    ...(await freePorts(2).then(([port = 0, controllerPort = 0]) => ({ port, controllerPort }))),
    detached: false,
    jvm,
  });
  return { brokers: broker.brokers, pids: [broker.process.pid], stop: () => broker.process.stop(10_000) };
}

/**
 * One broker and one Azurite per test run: from KAFKA_BROKERS / AZURE_TABLES_CONNECTION_STRING if set,
 * else a broker from testcontainers when a Docker engine answers, else a real broker started from the
 * Maven-resolved jars (the path CI takes on machines without Docker). Azurite always runs from npm.
 */
export async function startTestInfra(
  /** `as-shipped`: the launcher's broker gets the JVM tuning Kafka ships with (benches); tests start faster without. */
  opts: { readonly kafkaJvm?: KafkaJvm } = {},
): Promise<TestInfra> {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-test-'));
  const tlsDir = join(dir, 'tls');
  writeTls(tlsDir, await generateTls());
  const stops: (() => Promise<void>)[] = [];
  let source: string;
  let kafkaBrokers = process.env['KAFKA_BROKERS'];
  let kafkaPids: readonly number[] = [];
  if (kafkaBrokers) {
    source = 'KAFKA_BROKERS';
  } else {
    const kafka = dockerEngineAvailable()
      ? await kafkaFromTestcontainers()
      : await kafkaFromLauncher(dir, opts.kafkaJvm ?? 'quick-start');
    source = dockerEngineAvailable() ? `testcontainers ${KAFKA_IMAGE}` : 'local launcher (Kafka 4.4 jars)';
    kafkaBrokers = kafka.brokers;
    kafkaPids = kafka.pids;
    stops.push(() => kafka.stop());
  }
  let tables = process.env['AZURE_TABLES_CONNECTION_STRING'];
  if (!tables) {
    const port = await freePort();
    const azurite: SpawnedProcess = await startAzurite({
      host: '127.0.0.1',
      port,
      logFile: join(dir, 'azurite.log'),
      detached: false,
    });
    stops.push(() => azurite.stop(5_000));
    tables = azuriteConnectionString('127.0.0.1', port);
  }
  return {
    kafkaBrokers,
    kafkaPids,
    azuriteConnectionString: tables,
    source,
    tlsDir,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
