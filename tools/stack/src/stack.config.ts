import { resolve } from 'node:path';
import { SIMULATORS } from '@leadflow/simulators';
import { SINK_SERVICES, sinkPortVariable, type SinkName } from '@leadflow/sink-runtime';

/** Typed configuration of the local stack, read once from the environment. */
export interface StackConfig {
  readonly root: string;
  readonly localDir: string;
  readonly host: string;
  /** 1 (default) or 3: a 3-node KRaft cluster, every topic at RF 3 and min ISR 2 (`LEADFLOW_KAFKA_NODES`). */
  readonly kafkaNodes: 1 | 3;
  /** Node n (1-based) listens on kafkaPort + 2(n-1) and kafkaControllerPort + 2(n-1). */
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly azuritePort: number;
  readonly ingestPort: number;
  /** Ops ports (/healthz, /readyz, /metrics) of the services without an HTTP API of their own. */
  readonly routerPort: number;
  readonly sinkPorts: Readonly<Record<SinkName, number>>;
  /** The local HTTPS-endpoint receiver the demo's https destination points at. */
  readonly receiverPort: number;
  /** The analysts' and publishers' web console (apps/console). */
  readonly consolePort: number;
  /** The CRM simulators' control port (plain HTTP: /healthz and the simulators' URLs). */
  readonly simulatorsPort: number;
  /** Each CRM simulator's HTTPS port, by its catalog name. */
  readonly simulatorPorts: Readonly<Record<string, number>>;
  /** The notifier's ops port, and Mailpit's SMTP and web UI/API ports (the local mail server for its notices). */
  readonly notifierPort: number;
  readonly mailpitSmtpPort: number;
  readonly mailpitHttpPort: number;
  /** Run services from their TypeScript source through SWC (`LEADFLOW_RUN_FROM_SOURCE=1`) instead of dist/. */
  readonly runFromSource: boolean;
  /**
   * Kafka with a SASL_SSL listener, a SCRAM user per service and ACLs on (`LEADFLOW_KAFKA_SECURE=1`); every service
   * connects as its own principal. Its data lives apart from the plaintext broker's.
   */
  readonly kafkaSecure: boolean;
  /** On top of that, client certificates required (`LEADFLOW_KAFKA_SECURE=mtls`): each service gets one of its own. */
  readonly kafkaMtls: boolean;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a TCP port (1-65535), got '${raw}'`);
  }
  return value;
}

const simulatorPortVariable = (name: string): string => `LEADFLOW_SIM_${name}_PORT`;

/** Every port variable of the stack besides Kafka's two: what a stack on ports of its own sets. */
export const SERVICE_PORT_VARIABLES: readonly string[] = [
  'LEADFLOW_AZURITE_TABLE_PORT',
  'LEADFLOW_INGEST_PORT',
  'LEADFLOW_ROUTER_PORT',
  'LEADFLOW_RECEIVER_PORT',
  'LEADFLOW_SIMULATORS_PORT',
  'LEADFLOW_NOTIFIER_PORT',
  'LEADFLOW_MAILPIT_SMTP_PORT',
  'LEADFLOW_MAILPIT_HTTP_PORT',
  'LEADFLOW_CONSOLE_PORT',
  ...SINK_SERVICES.map((s) => sinkPortVariable(s.name)),
  ...SIMULATORS.map((s) => simulatorPortVariable(s.name)),
];

/** The ports node `id` (1-based) of the stack's Kafka listens on. */
export function kafkaNodePorts(cfg: StackConfig, id: number): { port: number; controllerPort: number } {
  return { port: cfg.kafkaPort + 2 * (id - 1), controllerPort: cfg.kafkaControllerPort + 2 * (id - 1) };
}

/** Bootstrap list of every node. */
export const kafkaBrokers = (cfg: StackConfig): string =>
  Array.from({ length: cfg.kafkaNodes }, (_, i) => `${cfg.host}:${kafkaNodePorts(cfg, i + 1).port}`).join(',');

export function readStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const root = resolve(__dirname, '..', '..', '..');
  const nodes = env['LEADFLOW_KAFKA_NODES'] || '1';
  if (nodes !== '1' && nodes !== '3') throw new Error(`LEADFLOW_KAFKA_NODES must be 1 or 3, got '${nodes}'`);
  const cfg: StackConfig = {
    root,
    localDir: resolve(root, env['LEADFLOW_LOCAL_DIR'] || '.local'),
    host: env['LEADFLOW_HOST'] || '127.0.0.1',
    kafkaNodes: nodes === '3' ? 3 : 1,
    kafkaPort: port(env, 'LEADFLOW_KAFKA_PORT', 9092),
    kafkaControllerPort: port(env, 'LEADFLOW_KAFKA_CONTROLLER_PORT', 9093),
    azuritePort: port(env, 'LEADFLOW_AZURITE_TABLE_PORT', 10002),
    ingestPort: port(env, 'LEADFLOW_INGEST_PORT', 8080),
    routerPort: port(env, 'LEADFLOW_ROUTER_PORT', 8081),
    sinkPorts: Object.fromEntries(
      SINK_SERVICES.map((s) => [s.name, port(env, sinkPortVariable(s.name), s.defaultPort)]),
    ) as Record<SinkName, number>,
    receiverPort: port(env, 'LEADFLOW_RECEIVER_PORT', 8090),
    consolePort: port(env, 'LEADFLOW_CONSOLE_PORT', 8070),
    simulatorsPort: port(env, 'LEADFLOW_SIMULATORS_PORT', 9440),
    simulatorPorts: Object.fromEntries(
      SIMULATORS.map((s) => [s.name, port(env, simulatorPortVariable(s.name), s.defaultPort)]),
    ),
    notifierPort: port(env, 'LEADFLOW_NOTIFIER_PORT', 8087),
    mailpitSmtpPort: port(env, 'LEADFLOW_MAILPIT_SMTP_PORT', 1025),
    mailpitHttpPort: port(env, 'LEADFLOW_MAILPIT_HTTP_PORT', 8025),
    runFromSource: env['LEADFLOW_RUN_FROM_SOURCE'] === '1',
    kafkaSecure: ['1', 'mtls'].includes(env['LEADFLOW_KAFKA_SECURE'] ?? ''),
    kafkaMtls: env['LEADFLOW_KAFKA_SECURE'] === 'mtls',
  };
  const ports = [
    ...Array.from({ length: cfg.kafkaNodes }, (_, i) => Object.values(kafkaNodePorts(cfg, i + 1))).flat(),
    cfg.azuritePort,
    cfg.ingestPort,
    cfg.routerPort,
    ...Object.values(cfg.sinkPorts),
    cfg.receiverPort,
    cfg.consolePort,
    cfg.simulatorsPort,
    ...Object.values(cfg.simulatorPorts),
    cfg.notifierPort,
    cfg.mailpitSmtpPort,
    cfg.mailpitHttpPort,
  ];
  if (new Set(ports).size !== ports.length) throw new Error(`stack ports must differ: ${ports.join(', ')}`);
  return cfg;
}
