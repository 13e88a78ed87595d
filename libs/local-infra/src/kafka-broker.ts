import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import {
  formattedUsersFile,
  kafkajsClientSecurity,
  KAFKA_ADMIN_USER,
  prepareKafkaSecurity,
  scramFormatArgs,
  secureListenerProperties,
  securityMaterial,
  type KafkaBrokerSecurity,
  type KafkaSecurityMaterial,
} from './kafka-security';
import { spawnLogged, type SpawnedProcess } from './processes';
import { waitUntil } from './ports';

/** One combined broker+controller node of a local KRaft cluster. */
export interface KafkaNodeSpec {
  readonly id: number;
  readonly port: number;
  readonly controllerPort: number;
}

/** A broker JVM's tuning (KafkaClusterOptions.jvm). */
export type KafkaJvm = 'quick-start' | 'as-shipped';

export interface KafkaClusterOptions {
  /** Folder with the broker's runtime jars (resolved by Maven from tools/kafka/pom.xml). */
  readonly libsDir: string;
  /** log4j2 configuration that sends each node's log to a file. */
  readonly log4jConfig: string;
  /**
   * Holds the cluster id and one folder per node (server.properties, log segments, broker.log). Formatted once,
   * reused after. A single node keeps the layout of earlier versions: its files live in `dataDir` itself.
   */
  readonly dataDir: string;
  readonly host: string;
  /** 1 node (tests, the default stack) or 3 (the failover suite and `LEADFLOW_KAFKA_NODES=3`). */
  readonly nodes: readonly KafkaNodeSpec[];
  /** Keep running after this process exits (`./dev up`), or die with it (a test run). */
  readonly detached: boolean;
  readonly javaBin?: string;
  readonly startTimeoutMs?: number;
  /** Heap of each node; 512 MB for one node, 256 MB a node for three (RSS about 350 MB each). */
  readonly heapMb?: number;
  /**
   * The JVM's tuning. `quick-start` (default): serial GC and the C1 compiler only, for a fast start and a small
   * footprint (tests, the local stack). `as-shipped`: what Kafka's own scripts give a broker (G1, full tiered
   * compilation), for measuring what a broker costs in production (`./dev bench`). C1-only code spends about twice
   * the CPU per request of C2-compiled code once warm.
   */
  readonly jvm?: KafkaJvm;
  /**
   * A SASL_SSL listener with SCRAM users and ACLs on, instead of PLAINTEXT. Call `prepareKafkaSecurity` before
   * `startKafkaNode` (`startKafkaCluster` does); the ACLs themselves are the caller's (libs/kafka `applyAcls`).
   */
  readonly security?: KafkaBrokerSecurity;
}

/** The single-node form of earlier versions (one port pair). */
export interface KafkaBrokerOptions extends Omit<KafkaClusterOptions, 'nodes'> {
  readonly port: number;
  readonly controllerPort: number;
}

export interface RunningNode extends KafkaNodeSpec {
  readonly address: string;
  readonly process: SpawnedProcess;
}

export interface RunningCluster {
  /** Comma-separated bootstrap list of every node. */
  readonly brokers: string;
  readonly nodes: readonly RunningNode[];
  /** SIGKILLs one node (a crash, no shutdown hook): what the failover tests do to partition leaders. */
  kill(id: number): Promise<void>;
  /** Where the CA and the users' passwords are, when the cluster is secured. */
  readonly security?: KafkaSecurityMaterial;
  /** Starts a killed or stopped node again on its data and waits until the cluster counts it. */
  restart(id: number): Promise<void>;
  stop(graceMs?: number): Promise<void>;
}

/** Kept for callers of the single-node launcher. */
export interface RunningBroker {
  readonly brokers: string;
  readonly process: SpawnedProcess;
  readonly security?: KafkaSecurityMaterial;
}

/**
 * server.properties of one node. One node: replication factor 1 everywhere. Three nodes: every topic, the
 * internal ones too, at replication factor 3 with min.insync.replicas 2, so a write acknowledged with acks=all
 * survives the loss of any one node. Speed settings follow what testcontainers and embedded-kafka do on small
 * machines: one-partition internal topics, no initial rebalance delay, a small cleaner buffer.
 */
export function serverProperties(
  host: string,
  node: KafkaNodeSpec,
  all: readonly KafkaNodeSpec[],
  logDir: string,
  security?: KafkaBrokerSecurity,
): string {
  const rf = Math.min(3, all.length);
  const minIsr = rf >= 3 ? 2 : 1;
  const listeners = security
    ? secureListenerProperties(host, node.port, node.controllerPort, security)
    : [
        `listeners=PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}`,
        // Clients connect to the advertised address: it must be the loopback address they dialled, never 0.0.0.0.
        `advertised.listeners=PLAINTEXT://${host}:${node.port}`,
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
      ];
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${all.map((n) => `${n.id}@${host}:${n.controllerPort}`).join(',')}`,
    ...listeners,
    `log.dirs=${logDir}`,
    'num.partitions=3',
    `default.replication.factor=${rf}`,
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${rf}`,
    // 50 partitions (the default) would be created on the first group join: slow on 2 cores.
    'offsets.topic.num.partitions=1',
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=1',
    `share.coordinator.state.topic.replication.factor=${rf}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    // The default 3 s delay is added to every first join of a group: tests make many groups.
    'group.initial.rebalance.delay.ms=0',
    // Topics are created explicitly from the model's topic map; tests create their own.
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    // A replica that falls behind leaves the ISR within 10 s (30 s default): failover tests see it sooner.
    'replica.lag.time.max.ms=10000',
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

function javaArgs(o: KafkaClusterOptions, logFile: string, heapMb: number): string[] {
  return [
    `-Xms${Math.min(128, heapMb)}m`,
    `-Xmx${heapMb}m`,
    ...(o.jvm === 'as-shipped'
      ? // KAFKA_JVM_PERFORMANCE_OPTS of Kafka's kafka-run-class.sh.
        [
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-XX:InitiatingHeapOccupancyPercent=35',
          '-XX:+ExplicitGCInvokesConcurrent',
        ]
      : // A fast start and a small footprint matter more here than peak JIT throughput.
        ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']),
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${o.log4jConfig}`,
    `-Dleadflow.kafka.logFile=${logFile}`,
    '-cp',
    join(o.libsDir, '*'),
  ];
}

/** kafkajs `ssl`/`sasl` of a probe or admin client; empty for a plaintext broker. */
export type KafkaClientSecurity = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/**
 * Readiness is an answered metadata request, not a log line: without log config the broker prints nothing. A secured
 * broker is asked as its admin (`kafkajsClientSecurity(dir)`), so readiness includes TLS and SCRAM working.
 */
export async function kafkaAnswers(
  brokers: string,
  timeoutMs = 1_000,
  expectedBrokers = 1,
  security: KafkaClientSecurity = {},
): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'leadflow-probe',
    brokers: brokers.split(','),
    ...security,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length >= expectedBrokers;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

interface NodeLayout {
  readonly dir: string;
  readonly logDir: string;
  readonly propsFile: string;
  readonly logFile: string;
}

function layout(o: KafkaClusterOptions, node: KafkaNodeSpec): NodeLayout {
  const dir = o.nodes.length === 1 ? o.dataDir : join(o.dataDir, `node-${node.id}`);
  return {
    dir,
    logDir: join(dir, 'data'),
    propsFile: join(dir, 'server.properties'),
    logFile: join(dir, 'broker.log'),
  };
}

/** The cluster id, made once per data folder: every node is formatted with the same one. */
function clusterId(o: KafkaClusterOptions): string {
  const file = join(o.dataDir, 'cluster.id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // A single-node folder of an earlier version has its id only in meta.properties.
  const meta = join(o.dataDir, 'data', 'meta.properties');
  const found = existsSync(meta) ? /cluster\.id=(.+)/.exec(readFileSync(meta, 'utf8'))?.[1]?.trim() : undefined;
  const id = found ?? newClusterId();
  mkdirSync(o.dataDir, { recursive: true });
  writeFileSync(file, id);
  return id;
}

/** A secured node formatted before a user was added has no credential for it: say so instead of failing auth. */
function checkFormattedUsers(security: KafkaBrokerSecurity, l: NodeLayout): void {
  const file = formattedUsersFile(l.dir);
  const known = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  const missing = security.users.filter((u) => !known.includes(u));
  if (missing.length > 0)
    throw new Error(
      `the secured Kafka data in ${l.dir} was formatted without the SCRAM user(s) ${missing.join(', ')}: ` +
        `stop the stack and remove ${l.dir} to format it again with every user`,
    );
}

function prepareNode(o: KafkaClusterOptions, node: KafkaNodeSpec, id: string, heapMb: number): NodeLayout {
  const l = layout(o, node);
  mkdirSync(l.dir, { recursive: true });
  if (o.security && !existsSync(securityMaterial(o.security.dir).keystoreFile))
    throw new Error('a secured Kafka node needs prepareKafkaSecurity() to run before it starts');
  writeFileSync(l.propsFile, serverProperties(o.host, node, o.nodes, l.logDir, o.security), { mode: 0o600 });
  if (existsSync(join(l.logDir, 'meta.properties'))) {
    if (o.security) checkFormattedUsers(o.security, l);
  } else {
    const result = spawnSync(
      o.javaBin ?? 'java',
      [
        ...javaArgs(o, join(l.dir, 'format.log'), heapMb),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        id,
        '-c',
        l.propsFile,
        '-g',
        // SCRAM credentials live in the metadata log: a KRaft broker gets its first users at format time.
        ...(o.security ? scramFormatArgs(o.security) : []),
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new Error(`kafka storage format failed (exit ${result.status}): ${result.stderr || result.stdout}`);
    }
    if (o.security) writeFileSync(formattedUsersFile(l.dir), `${o.security.users.join('\n')}\n`);
  }
  return l;
}

function spawnNode(o: KafkaClusterOptions, l: NodeLayout, heapMb: number): SpawnedProcess {
  return spawnLogged({
    command: o.javaBin ?? 'java',
    args: [...javaArgs(o, l.logFile, heapMb), 'kafka.Kafka', l.propsFile],
    logFile: join(l.dir, 'broker.out'),
    detached: o.detached,
  });
}

/**
 * Formats (once) and starts one node of the cluster described by `o`, without waiting: a node's broker port opens
 * only once a majority of the controllers runs, so the caller starts every node, then waits for the cluster.
 */
export function startKafkaNode(o: KafkaClusterOptions, nodeId: number): SpawnedProcess {
  if (!existsSync(o.libsDir) || readdirSync(o.libsDir).length === 0) {
    throw new Error(`no Kafka jars in ${o.libsDir}: run ./dev setup`);
  }
  const node = o.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`no node ${nodeId} in this cluster`);
  const heapMb = o.heapMb ?? (o.nodes.length === 1 ? 512 : 256);
  return spawnNode(o, prepareNode(o, node, clusterId(o), heapMb), heapMb);
}

/** Resolves once a metadata request to `brokers` lists `expected` nodes. */
export async function waitForKafka(
  brokers: string,
  expected: number,
  timeoutMs = 60_000,
  security: KafkaClientSecurity = {},
): Promise<void> {
  await waitUntil(`Kafka on ${brokers}`, () => kafkaAnswers(brokers, 1_000, expected, security), timeoutMs, 200);
}

/** The probe's credentials for the cluster `o` describes (the admin's, when secured). */
export function probeSecurity(o: Pick<KafkaClusterOptions, 'security'>): KafkaClientSecurity {
  return o.security ? kafkajsClientSecurity(o.security.dir, KAFKA_ADMIN_USER) : {};
}

/**
 * A local KRaft cluster of combined broker+controller nodes on loopback, from the Maven-resolved jars. Every node
 * is started at once (a controller quorum needs a majority before any broker port opens), then the cluster counts
 * as ready when a metadata request lists every node.
 */
export async function startKafkaCluster(o: KafkaClusterOptions): Promise<RunningCluster> {
  if (o.nodes.length === 0) throw new Error('a cluster needs at least one node');
  const material = o.security ? await prepareKafkaSecurity(o.security, o.host) : undefined;
  const probe = probeSecurity(o);
  const processes = new Map<number, SpawnedProcess>();
  for (const n of o.nodes) processes.set(n.id, startKafkaNode(o, n.id));
  const brokers = o.nodes.map((n) => `${o.host}:${n.port}`).join(',');
  const timeoutMs = o.startTimeoutMs ?? 60_000;
  try {
    await waitForKafka(brokers, o.nodes.length, timeoutMs, probe);
  } catch (err) {
    await Promise.all([...processes.values()].map((p) => p.stop(2_000)));
    throw new Error(`${(err as Error).message}; see ${o.nodes.map((n) => layout(o, n).logFile).join(', ')}`);
  }
  const node = (nodeId: number): KafkaNodeSpec => {
    const found = o.nodes.find((n) => n.id === nodeId);
    if (!found) throw new Error(`no node ${nodeId} in this cluster`);
    return found;
  };
  return {
    brokers,
    ...(material ? { security: material } : {}),
    get nodes() {
      return o.nodes.map((n) => ({
        ...n,
        address: `${o.host}:${n.port}`,
        process: processes.get(n.id) as SpawnedProcess,
      }));
    },
    async kill(nodeId) {
      await processes.get(node(nodeId).id)?.stop(0);
    },
    async restart(nodeId) {
      const spec = node(nodeId);
      await processes.get(spec.id)?.stop(10_000);
      processes.set(spec.id, startKafkaNode(o, spec.id));
      await waitForKafka(`${o.host}:${spec.port}`, o.nodes.length, timeoutMs, probe);
    },
    async stop(graceMs = 10_000) {
      await Promise.all([...processes.values()].map((p) => p.stop(graceMs)));
    },
  };
}

/** Single-node KRaft combined broker+controller on loopback (the default stack and the test harness). */
export async function startKafkaBroker(o: KafkaBrokerOptions): Promise<RunningBroker> {
  const cluster = await startKafkaCluster({ ...o, nodes: [{ id: 1, port: o.port, controllerPort: o.controllerPort }] });
  const first = cluster.nodes[0];
  if (!first) throw new Error('the broker did not start');
  return {
    brokers: cluster.brokers,
    process: first.process,
    ...(cluster.security ? { security: cluster.security } : {}),
  };
}
