import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { spawnLogged, type SpawnedProcess } from './processes';
import { waitUntil } from './ports';

export interface KafkaBrokerOptions {
  /** Folder with the broker's runtime jars (resolved by Maven from tools/kafka/pom.xml). */
  readonly libsDir: string;
  /** log4j2 configuration that sends the broker's log to a file. */
  readonly log4jConfig: string;
  /** Holds server.properties, the log segments and broker.log. Formatted once, reused after. */
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
  /** Keep running after this process exits (`./dev up`), or die with it (a test run). */
  readonly detached: boolean;
  readonly javaBin?: string;
  readonly startTimeoutMs?: number;
}

export interface RunningBroker {
  readonly brokers: string;
  readonly process: SpawnedProcess;
}

/**
 * Single-node KRaft combined broker+controller on loopback. The settings below come from the
 * research in shared/reference/kafka-without-docker.md (what testcontainers and embedded-kafka do):
 * one-partition internal topics, no initial rebalance delay, a small cleaner buffer for 2-core machines.
 */
export function serverProperties(
  o: Pick<KafkaBrokerOptions, 'host' | 'port' | 'controllerPort'>,
  logDir: string,
): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${o.host}:${o.controllerPort}`,
    `listeners=PLAINTEXT://${o.host}:${o.port},CONTROLLER://${o.host}:${o.controllerPort}`,
    // Clients connect to the advertised address: it must be the loopback address they dialled, never 0.0.0.0.
    `advertised.listeners=PLAINTEXT://${o.host}:${o.port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    // 50 partitions (the default) would be created on the first group join: slow on 2 cores.
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // The default 3 s delay is added to every first join of a group: tests make many groups.
    'group.initial.rebalance.delay.ms=0',
    // Topics are created explicitly from the model's topic map; tests create their own.
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    // 128 MiB of heap by default; compaction of offers.destinations needs far less.
    'log.cleaner.dedupe.buffer.size=1048577',
    'num.network.threads=2',
    'num.io.threads=2',
    '',
  ].join('\n');
}

/** Kafka's own cluster ids are 16 random bytes in URL-safe base64; one starting with '-' breaks CLI parsing. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaArgs(o: KafkaBrokerOptions, logFile: string): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    // A fast start and a small footprint matter more here than peak JIT throughput.
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${o.log4jConfig}`,
    `-Dleadflow.kafka.logFile=${logFile}`,
    '-cp',
    join(o.libsDir, '*'),
  ];
}

/** Formats the data folder once (a second start reuses the same cluster id and data). */
export function formatStorage(o: KafkaBrokerOptions, propsFile: string, logDir: string): void {
  if (existsSync(join(logDir, 'meta.properties'))) return;
  const java = o.javaBin ?? 'java';
  const result = spawnSync(
    java,
    [
      ...javaArgs(o, join(o.dataDir, 'format.log')),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      propsFile,
      '-g',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`kafka storage format failed (exit ${result.status}): ${result.stderr || result.stdout}`);
  }
}

/** Readiness is an answered metadata request, not a log line: without log config the broker prints nothing. */
export async function kafkaAnswers(brokers: string, timeoutMs = 1_000): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'leadflow-probe',
    brokers: brokers.split(','),
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function startKafkaBroker(o: KafkaBrokerOptions): Promise<RunningBroker> {
  if (!existsSync(o.libsDir) || readdirSync(o.libsDir).length === 0) {
    throw new Error(`no Kafka jars in ${o.libsDir}: run ./dev setup`);
  }
  mkdirSync(o.dataDir, { recursive: true });
  const logDir = join(o.dataDir, 'data');
  const propsFile = join(o.dataDir, 'server.properties');
  writeFileSync(propsFile, serverProperties(o, logDir));
  formatStorage(o, propsFile, logDir);

  const logFile = join(o.dataDir, 'broker.log');
  const proc = spawnLogged({
    command: o.javaBin ?? 'java',
    args: [...javaArgs(o, logFile), 'kafka.Kafka', propsFile],
    logFile: join(o.dataDir, 'broker.out'),
    detached: o.detached,
  });
  const brokers = `${o.host}:${o.port}`;
  try {
    await waitUntil(`Kafka on ${brokers}`, () => kafkaAnswers(brokers), o.startTimeoutMs ?? 60_000, 200);
  } catch (err) {
    await proc.stop(2_000);
    throw new Error(`${(err as Error).message}; see ${logFile}`);
  }
  return { brokers, process: proc };
}
